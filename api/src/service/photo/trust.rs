//! How far a photo can be trusted as evidence: where and when it was taken, against its project.

use chrono::{DateTime, FixedOffset, Utc};
use entity::photo;

use super::*;

/// Great-circle distance in metres.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let (dlat, dlng) = ((b.0 - a.0).to_radians(), (b.1 - a.1).to_radians());
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlng / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// The position a photo is judged by, and where it came from.
pub fn position(p: &photo::Model) -> (LocationSource, Option<(f64, f64, Option<f64>)>) {
    match (p.exif_lat, p.exif_lng, p.device_lat, p.device_lng) {
        (Some(lat), Some(lng), _, _) => (LocationSource::Exif, Some((lat, lng, p.exif_accuracy_m))),
        (_, _, Some(lat), Some(lng)) => (LocationSource::Device, Some((lat, lng, p.device_accuracy_m))),
        _ => (LocationSource::None, None),
    }
}

/// Distance to the project's site and whether that is on site (within the site radius, allowing for
/// the stated accuracy).
pub fn site_check(p: &photo::Model, project: &entity::project::Model) -> Option<(f64, bool)> {
    let (_, pos) = position(p);
    let (lat, lng, accuracy) = pos?;
    let d = distance_m((lat, lng), (project.lat, project.lng));
    Some((d, d <= f64::from(project.site_radius_m) + accuracy.unwrap_or(0.0).min(500.0)))
}

/// Capture time in UTC: EXIF's clock with its stated offset (or the county's), else the phone's.
pub fn taken_utc(p: &photo::Model) -> Option<DateTime<Utc>> {
    let offset = FixedOffset::east_opt(p.taken_offset.unwrap_or(LOCAL_OFFSET_SECS))?;
    match p.taken_at {
        Some(t) => t.and_local_timezone(offset).single().map(|t| t.with_timezone(&Utc)),
        None => p.captured_at,
    }
}

/// The evidence trust score (0–100) and its reasons, most serious first.
pub fn trust(p: &photo::Model, project: &entity::project::Model, reused_elsewhere: bool) -> (i32, Vec<TrustReason>) {
    let mut reasons = Vec::new();
    let mut add =
        |code: &str, points: i32, detail: String| reasons.push(TrustReason { code: code.into(), points, detail });
    let (source, pos) = position(p);
    match site_check(p, project) {
        Some((d, true)) => add(
            "ON_SITE",
            0,
            format!("taken {d:.0} m from the site centre, within its {} m radius", project.site_radius_m),
        ),
        Some((d, false)) => add(
            "OFF_SITE",
            -40,
            format!("taken {d:.0} m from the site centre, outside its {} m radius", project.site_radius_m),
        ),
        None => add("NO_LOCATION", -30, "neither the photo nor the phone gave a position".into()),
    }
    if source == LocationSource::Device {
        add("NO_EXIF_GPS", -10, "the photo has no GPS of its own; the phone's position at upload is used".into());
    }
    if let Some((_, _, Some(acc))) = pos
        && acc > 50.0
    {
        add("POOR_ACCURACY", if acc > 200.0 { -20 } else { -10 }, format!("position accurate to only {acc:.0} m"));
    }
    if p.device_mocked {
        add("MOCKED_LOCATION", -50, "the phone reported a simulated (mocked) location".into());
    }
    if let (Some(lat), Some(lng), Some(dlat), Some(dlng)) = (p.exif_lat, p.exif_lng, p.device_lat, p.device_lng) {
        let gap = distance_m((lat, lng), (dlat, dlng));
        if gap > 200.0 {
            add("EXIF_DEVICE_MISMATCH", -20, format!("the photo's GPS and the phone's position are {gap:.0} m apart"));
        }
    }
    match (p.taken_at, taken_utc(p)) {
        (None, _) => add("NO_CAPTURE_TIME", -15, "the photo carries no capture time".into()),
        (Some(_), Some(taken)) => {
            let hours = (p.received_at - taken).num_hours();
            if hours > 24 * 7 {
                add("OLD_PHOTO", -25, format!("uploaded {} days after it was taken", hours / 24));
            } else if hours > 24 {
                add("LATE_UPLOAD", -10, format!("uploaded {hours} hours after it was taken"));
            } else if hours < -1 {
                add("FUTURE_CAPTURE_TIME", -15, "the capture time is after the upload".into());
            }
        }
        (Some(_), None) => {}
    }
    if reused_elsewhere {
        add("REUSED_ELSEWHERE", -40, "the same bytes were uploaded for another project".into());
    }
    let score = (100 + reasons.iter().map(|r| r.points).sum::<i32>()).clamp(0, 100);
    reasons.sort_by_key(|r| r.points);
    (score, reasons)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_are_metres_on_the_earth() {
        // One degree of latitude is about 111.2 km.
        let d = distance_m((29.0, 111.0), (30.0, 111.0));
        assert!((d - 111_195.0).abs() < 100.0, "{d}");
        assert!(distance_m((29.6, 111.88), (29.6, 111.88)) < 1e-6);
    }
}
