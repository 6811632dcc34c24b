//! Photos as clients read them: position, camera, trust, links to the bytes.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::geo::Datum;
use entity::photo;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::account::User;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::service::geo;
use crate::service::photo::{self as photos, LocationSource, TrustReason, Variant};

/// A position: where a photo was taken, in the datum its field was asked for (WGS-84 by default).
#[derive(SimpleObject)]
pub struct PhotoLocation {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lng: f64,
    /// Metres above sea level (EXIF only).
    pub altitude: Option<f64>,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
}

/// The camera that took a photo, as its EXIF says.
#[derive(SimpleObject)]
pub struct Camera {
    /// Maker.
    pub make: Option<String>,
    /// Model.
    pub model: Option<String>,
}

/// A photo taken as evidence.
pub struct Photo(pub photo::Model);

/// A photo taken as evidence.
#[Object]
impl Photo {
    /// Stable identifier, chosen by the phone.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// SHA-256 of the original bytes, lowercase hex.
    async fn sha256(&self) -> &str {
        &self.0.sha256
    }

    /// The original's media type, judged by its content.
    async fn content_type(&self) -> &'static str {
        photos::mime(&self.0.format)
    }

    /// The original's size in bytes.
    async fn byte_size(&self) -> i64 {
        self.0.byte_size
    }

    /// Stored width in pixels (before orientation).
    async fn width(&self) -> i32 {
        self.0.width
    }

    /// Stored height in pixels (before orientation).
    async fn height(&self) -> i32 {
        self.0.height
    }

    /// EXIF orientation, 1–8.
    async fn orientation(&self) -> Option<i32> {
        self.0.orientation.map(i32::from)
    }

    /// Capture time from EXIF, ISO 8601, with the camera's UTC offset when the file states one
    /// (`2021-04-11T15:47:53-05:00`), else as the camera's clock read (`2008-10-22T16:28:39`).
    async fn taken_at(&self) -> Option<String> {
        let t = self.0.taken_at?;
        Some(match self.0.taken_offset.and_then(chrono::FixedOffset::east_opt) {
            Some(offset) => t.and_local_timezone(offset).single()?.to_rfc3339(),
            None => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        })
    }

    /// When the phone says it was taken (UTC).
    async fn captured_at(&self) -> Option<DateTime<Utc>> {
        self.0.captured_at
    }

    /// When the server received it (UTC).
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }

    /// Where it was taken: EXIF GPS, else the phone's position, else null; in `datum`.
    async fn location(
        &self,
        #[graphql(desc = "The datum to show it in: GCJ02 for an AMap or Tencent base map, BD09 for Baidu's.", default)]
        datum: Datum,
    ) -> Option<PhotoLocation> {
        let (source, pos) = photos::position(&self.0);
        let (lat, lng, accuracy_m) = pos?;
        let altitude = if source == LocationSource::Exif { self.0.exif_altitude } else { None };
        let p = geo::shown(lat, lng, datum);
        Some(PhotoLocation { lat: p.lat, lng: p.lng, altitude, accuracy_m })
    }

    /// Where `location` comes from.
    async fn location_source(&self) -> LocationSource {
        photos::position(&self.0).0
    }

    /// The phone's position at upload, in `datum` (kept in WGS-84 whatever datum the phone sent).
    async fn device_location(
        &self,
        #[graphql(desc = "The datum to show it in.", default)] datum: Datum,
    ) -> Option<PhotoLocation> {
        let p = geo::shown(self.0.device_lat?, self.0.device_lng?, datum);
        Some(PhotoLocation { lat: p.lat, lng: p.lng, altitude: None, accuracy_m: self.0.device_accuracy_m })
    }

    /// The datum the phone sent its position in.
    async fn device_datum(&self) -> Option<Datum> {
        self.0.device_datum
    }

    /// The phone reported a simulated (mocked) position.
    async fn device_location_mocked(&self) -> bool {
        self.0.device_mocked
    }

    /// Metres between the EXIF GPS and the phone's position, when both exist.
    async fn exif_device_distance_m(&self) -> Option<f64> {
        match (self.0.exif_lat, self.0.exif_lng, self.0.device_lat, self.0.device_lng) {
            (Some(a), Some(b), Some(c), Some(d)) => Some(photos::distance_m((a, b), (c, d)).round()),
            _ => None,
        }
    }

    /// Direction the camera faced, degrees from north (EXIF).
    async fn direction(&self) -> Option<f64> {
        self.0.direction
    }

    /// The camera, per EXIF.
    async fn camera(&self) -> Option<Camera> {
        (self.0.camera_make.is_some() || self.0.camera_model.is_some())
            .then(|| Camera { make: self.0.camera_make.clone(), model: self.0.camera_model.clone() })
    }

    /// Metres from the project's site centre.
    async fn distance_to_site_m(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<f64>> {
        let project = load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?;
        Ok(photos::site_check(&self.0, &project).map(|(d, _)| d.round()))
    }

    /// Within the site's radius, allowing for the stated accuracy; null without a position.
    async fn on_site(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<bool>> {
        let project = load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?;
        Ok(photos::site_check(&self.0, &project).map(|(_, on)| on))
    }

    /// How far the evidence can be trusted, 0–100, as of its upload.
    async fn trust_score(&self) -> i32 {
        self.0.trust_score
    }

    /// Why the score is what it is, most serious first.
    async fn trust_reasons(&self) -> async_graphql::Result<Vec<TrustReason>> {
        Ok(serde_json::from_value(self.0.trust_reasons.clone()).map_err(AppError::internal)?)
    }

    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The inspection it belongs to (which may reach the server later).
    async fn inspection_id(&self) -> Option<Uuid> {
        self.0.inspection_id
    }

    /// The issue it documents (which may reach the server later).
    async fn issue_id(&self) -> Option<Uuid> {
        self.0.issue_id
    }

    /// The checklist item it is evidence for.
    async fn checklist_item_key(&self) -> Option<&str> {
        self.0.checklist_item_key.as_deref()
    }

    /// Caption.
    async fn caption(&self) -> Option<&str> {
        self.0.caption.as_deref()
    }

    /// Who uploaded it.
    async fn uploaded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.uploaded_by, "user").await?))
    }

    /// Why there are no thumbnails, when there are none (the original is kept all the same).
    async fn thumbnail_note(&self) -> Option<&str> {
        self.0.thumbnail_note.as_deref()
    }

    /// The original, byte for byte: a path on this server, signed for an hour so that it works in an
    /// `<img>` tag (a bearer token works too).
    async fn url(&self, ctx: &Context<'_>) -> async_graphql::Result<String> {
        let secret = ctx.state()?.config.jwt_secret.expose().to_owned();
        Ok(photos::signed_path(&secret, self.0.id, Variant::Original, Utc::now()))
    }

    /// A JPEG thumbnail (orientation applied, no EXIF or GPS), longest side 256 or 1024 pixels;
    /// null when none could be made (see `thumbnailNote`).
    async fn thumbnail_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Longest side: 256 or 1024.", default = 256)] size: i32,
    ) -> async_graphql::Result<Option<String>> {
        let variant = u32::try_from(size)
            .ok()
            .and_then(|s| Variant::parse(&s.to_string()))
            .ok_or_else(|| AppError::bad_input("size", "256 or 1024"))?;
        if !self.0.thumbnails {
            return Ok(None);
        }
        let secret = ctx.state()?.config.jwt_secret.expose().to_owned();
        Ok(Some(photos::signed_path(&secret, self.0.id, variant, Utc::now())))
    }
}

connection!(PhotoConnection, PhotoEdge, Photo, "A page of photos, newest first.", "A photo and its cursor.");
