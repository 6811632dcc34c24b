//! A project's evidence on the map: its photos (where they were taken, how far they can be trusted,
//! links to their thumbnails) and its inspections (where the inspector stood, the result), each a
//! Point; what has no position is left off. The caller's visibility of photos and inspections applies.

use chrono::{DateTime, Utc};
use entity::inspection::{self, InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use entity::photo;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Serialize;
use uuid::Uuid;

use super::{Feature, Shape, collection, position};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::geo::Datum;
use crate::service::photo::{self as photos, LocationSource, Variant};
use crate::service::{inspection as inspections, project as projects};

/// Most photos or inspections one project's feed holds.
pub const MAX_POINTS: u64 = 10_000;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhotoPoint<'a> {
    caption: Option<&'a str>,
    /// When it was taken (EXIF's clock, else the phone's), UTC.
    taken_at: Option<DateTime<Utc>>,
    received_at: DateTime<Utc>,
    /// `EXIF` or `DEVICE`.
    location_source: &'static str,
    trust_score: i32,
    on_site: bool,
    distance_to_site_m: f64,
    /// Signed links, valid without a token for about an hour.
    url: String,
    thumbnail_url: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InspectionPoint {
    kind: InspectionKind,
    focus: InspectionFocus,
    completed_at: DateTime<Utc>,
    result: InspectionResult,
    score: Option<f64>,
    review_status: ReviewStatus,
    on_site: bool,
    distance_to_site_m: f64,
}

/// The project's photos the caller may see, in the order they arrived. `secret` signs their links.
pub async fn photos(
    db: &impl ConnectionTrait,
    caller: &Caller,
    project_id: Uuid,
    datum: Datum,
    secret: &str,
) -> AppResult<Vec<u8>> {
    let project = projects::find(db, project_id).await?;
    let rows = bounded(
        photo::Entity::find()
            .filter(photo::Column::ProjectId.eq(project_id))
            .filter(photos::visibility(caller))
            .order_by_asc(photo::Column::ReceivedAt)
            .order_by_asc(photo::Column::Id)
            .limit(MAX_POINTS + 1)
            .all(db)
            .await?,
    )?;
    let now = Utc::now();
    let mut features = Vec::with_capacity(rows.len());
    for p in &rows {
        let (source, Some((lat, lng, _))) = photos::position(p) else { continue };
        let Some((distance, on_site)) = photos::site_check(p, &project) else { continue };
        let thumbnail_url = p.thumbnails.then(|| photos::signed_path(secret, p.id, Variant::Thumbnail(256), now));
        features.push(Feature::new(
            p.id,
            Shape::Point { coordinates: position(lat, lng, datum) },
            PhotoPoint {
                caption: p.caption.as_deref(),
                taken_at: photos::taken_utc(p),
                received_at: p.received_at,
                location_source: if source == LocationSource::Exif { "EXIF" } else { "DEVICE" },
                trust_score: p.trust_score,
                on_site,
                distance_to_site_m: distance.round(),
                url: photos::signed_path(secret, p.id, Variant::Original, now),
                thumbnail_url,
            },
        ));
    }
    collection(features)
}

/// The project's current inspections the caller may see that carry a position, oldest first.
pub async fn inspections(
    db: &impl ConnectionTrait,
    caller: &Caller,
    project_id: Uuid,
    datum: Datum,
) -> AppResult<Vec<u8>> {
    let project = projects::find(db, project_id).await?;
    let rows = bounded(
        inspection::Entity::find()
            .filter(inspection::Column::ProjectId.eq(project_id))
            .filter(inspection::Column::IsCurrent.eq(true))
            .filter(inspection::Column::Lat.is_not_null())
            .filter(inspections::visibility(caller))
            .order_by_asc(inspection::Column::CompletedAt)
            .order_by_asc(inspection::Column::Id)
            .limit(MAX_POINTS + 1)
            .all(db)
            .await?,
    )?;
    let mut features = Vec::with_capacity(rows.len());
    for i in &rows {
        let (Some(lat), Some(lng)) = (i.lat, i.lng) else { continue };
        let distance = photos::distance_m((lat, lng), (project.lat, project.lng));
        // On site as photos are: within the radius, allowing for the stated accuracy (up to 500 m).
        let on_site = distance <= f64::from(project.site_radius_m) + i.accuracy_m.unwrap_or(0.0).min(500.0);
        features.push(Feature::new(
            i.id,
            Shape::Point { coordinates: position(lat, lng, datum) },
            InspectionPoint {
                kind: i.kind,
                focus: i.focus,
                completed_at: i.completed_at,
                result: i.result,
                score: i.score,
                review_status: i.review_status,
                on_site,
                distance_to_site_m: distance.round(),
            },
        ));
    }
    collection(features)
}

fn bounded<T>(rows: Vec<T>) -> AppResult<Vec<T>> {
    if rows.len() as u64 > MAX_POINTS {
        return Err(AppError::bad_input("projectId", format!("more than {MAX_POINTS} points on one project's map")));
    }
    Ok(rows)
}
