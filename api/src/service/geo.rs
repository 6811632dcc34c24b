//! Positions in the datums clients use. Android's and iOS's own location services and cameras give
//! WGS-84, but China's map SDKs give GCJ-02 (AMap, Tencent, WeChat) or BD-09 (Baidu), a few hundred
//! metres off inside mainland China. Every position is checked and stored in WGS-84 and shown in
//! whichever datum a client asks for; the transforms (an iterative inverse for GCJ-02, sub-metre inside
//! China, and no offset outside it) come from the `coordtransform` crate.

pub use entity::geo::Datum;

use crate::error::{AppError, AppResult};

/// A position, degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Position {
    pub lat: f64,
    pub lng: f64,
}

/// Checks a position a client gave in `datum` and returns it in WGS-84.
pub fn received(field: &str, lat: f64, lng: f64, datum: Datum) -> AppResult<Position> {
    let in_range =
        lat.is_finite() && lng.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng);
    if !in_range {
        return Err(AppError::bad_input(field, "latitude is -90..90 and longitude -180..180, in the datum given"));
    }
    let (lng, lat) = match datum {
        Datum::Wgs84 => (lng, lat),
        Datum::Gcj02 => coordtransform::gcj02_to_wgs84(lng, lat),
        Datum::Bd09 => coordtransform::bd09_to_wgs84(lng, lat),
    };
    Ok(Position { lat, lng })
}

/// A stored (WGS-84) position in `datum`.
pub fn shown(lat: f64, lng: f64, datum: Datum) -> Position {
    let (lng, lat) = match datum {
        Datum::Wgs84 => (lng, lat),
        Datum::Gcj02 => coordtransform::wgs84_to_gcj02(lng, lat),
        Datum::Bd09 => coordtransform::wgs84_to_bd09(lng, lat),
    };
    Position { lat, lng }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Metres between two WGS-84 positions (haversine; ample for sub-metre distances).
    fn metres(a: Position, b: Position) -> f64 {
        let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
        let (dp, dl) = ((b.lat - a.lat).to_radians(), (b.lng - a.lng).to_radians());
        let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * 6_371_008.8 * h.sqrt().asin()
    }

    /// The pairs the wandergis/coordtransform README publishes for Tiananmen (lng 116.404, lat 39.915).
    #[test]
    fn published_reference_pairs() {
        let near = |p: Position, lat: f64, lng: f64| (p.lat - lat).abs() < 1e-9 && (p.lng - lng).abs() < 1e-9;
        let gcj = shown(39.915, 116.404, Datum::Gcj02);
        assert!(near(gcj, 39.91640428150164, 116.41024449916938), "WGS-84 → GCJ-02: {gcj:?}");
        // BD-09 (116.404, 39.915) is GCJ-02 (116.39762729119315, 39.90865673957631), and GCJ-02
        // (116.404, 39.915) is BD-09 (116.41036949371029, 39.92133699351021): each pair names one place.
        let same = |bd: (f64, f64), gcj: (f64, f64)| {
            let a = received("p", bd.0, bd.1, Datum::Bd09).expect("in range");
            let b = received("p", gcj.0, gcj.1, Datum::Gcj02).expect("in range");
            metres(a, b)
        };
        assert!(same((39.915, 116.404), (39.90865673957631, 116.39762729119315)) < 0.05, "BD-09 → GCJ-02");
        assert!(same((39.92133699351021, 116.41036949371029), (39.915, 116.404)) < 0.05, "GCJ-02 → BD-09");
        let bd = shown(39.915, 116.404, Datum::Bd09);
        let gcj_then_bd = received("p", 39.91640428150164, 116.41024449916938, Datum::Gcj02).expect("in range");
        assert!(metres(received("p", bd.lat, bd.lng, Datum::Bd09).expect("in range"), gcj_then_bd) < 0.5);
        // The inverse of the published forward pair lands within half a metre of where it started.
        let back = received("p", 39.91640428150164, 116.41024449916938, Datum::Gcj02).expect("in range");
        assert!(metres(back, Position { lat: 39.915, lng: 116.404 }) < 0.5, "GCJ-02 → WGS-84: {back:?}");
    }

    /// Across mainland China the inverses undo the forward transforms within half a metre. (Within a
    /// couple of kilometres of the border or coast, whether a point is inside is itself uncertain.)
    #[test]
    fn inverses_within_half_a_metre_inside_china() {
        let inland = |p: Position| {
            [(-0.05, -0.05), (-0.05, 0.05), (0.05, -0.05), (0.05, 0.05)]
                .iter()
                .all(|(dlat, dlng)| coordtransform::is_in_mainland_china(p.lng + dlng, p.lat + dlat))
        };
        let (mut worst, mut points): (f64, usize) = (0.0, 0);
        for i in 0..=40 {
            for j in 0..=40 {
                let p = Position { lat: 22.0 + f64::from(i) * 0.45, lng: 100.0 + f64::from(j) * 0.6 };
                if !inland(p) {
                    continue;
                }
                points += 1;
                for datum in [Datum::Gcj02, Datum::Bd09] {
                    let given = shown(p.lat, p.lng, datum);
                    let back = received("p", given.lat, given.lng, datum).expect("in range");
                    worst = worst.max(metres(p, back));
                }
            }
        }
        assert!(points > 1000, "{points} points inland");
        assert!(worst < 0.5, "worst round trip {worst} m");
        // And the offsets are real there: a few hundred metres, not nothing.
        let site = Position { lat: 29.60, lng: 111.88 };
        let moved = shown(site.lat, site.lng, Datum::Gcj02);
        assert!((100.0..1000.0).contains(&metres(site, moved)), "{moved:?}");
    }

    #[test]
    fn outside_china_every_datum_is_wgs84() {
        for (lat, lng) in [(48.8566, 2.3522), (-33.8688, 151.2093), (37.5665, 126.978), (40.7128, -74.006)] {
            for datum in [Datum::Gcj02, Datum::Bd09] {
                assert_eq!(shown(lat, lng, datum), Position { lat, lng }, "{lat},{lng} in {datum:?}");
                assert_eq!(received("p", lat, lng, datum).expect("in range"), Position { lat, lng });
            }
        }
    }

    #[test]
    fn positions_out_of_range_are_refused_in_every_datum() {
        for (lat, lng) in [(90.5, 0.0), (0.0, -180.5), (f64::NAN, 1.0), (1.0, f64::INFINITY)] {
            for datum in [Datum::Wgs84, Datum::Gcj02, Datum::Bd09] {
                assert!(received("location", lat, lng, datum).is_err(), "{lat},{lng} in {datum:?}");
            }
        }
    }
}
