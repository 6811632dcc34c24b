//! Photos taken as evidence: upload (GraphQL multipart request spec), EXIF, trust, and links to the
//! bytes.

mod prefetch;

use async_graphql::{Context, InputObject, Object, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::photo;
use uuid::Uuid;

use super::account::User;
use super::context::{ContextExt, load};
use super::pagination::{ListSpec, connection, deferred, list};
use super::project::Project;
use crate::error::AppError;
use crate::service::page::PageRequest;
use crate::service::photo::{
    self as photos, DeviceLocation as Device, LocationSource, NewPhoto, PhotoFilter as Filter, TrustReason, Variant,
};

/// A position: where a photo was taken.
#[derive(SimpleObject)]
pub struct PhotoLocation {
    /// Latitude, WGS-84.
    pub lat: f64,
    /// Longitude, WGS-84.
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

    /// Where it was taken: EXIF GPS, else the phone's position, else null.
    async fn location(&self) -> Option<PhotoLocation> {
        let (source, pos) = photos::position(&self.0);
        let (lat, lng, accuracy_m) = pos?;
        let altitude = if source == LocationSource::Exif { self.0.exif_altitude } else { None };
        Some(PhotoLocation { lat, lng, altitude, accuracy_m })
    }

    /// Where `location` comes from.
    async fn location_source(&self) -> LocationSource {
        photos::position(&self.0).0
    }

    /// The phone's position at upload, as it reported it.
    async fn device_location(&self) -> Option<PhotoLocation> {
        Some(PhotoLocation {
            lat: self.0.device_lat?,
            lng: self.0.device_lng?,
            altitude: None,
            accuracy_m: self.0.device_accuracy_m,
        })
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
        Ok(Project(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
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

/// The phone's position when the photo was taken.
#[derive(InputObject)]
pub struct DeviceLocationForPhoto {
    /// Latitude, WGS-84.
    pub lat: f64,
    /// Longitude, WGS-84.
    pub lng: f64,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
    /// The phone says the position is simulated.
    #[graphql(default)]
    pub mocked: bool,
}

/// A photo's particulars; the bytes come as the `file` upload.
#[derive(InputObject)]
pub struct PhotoInput {
    /// The photo's id, chosen by the phone; resending the same bytes under it is safe.
    pub id: Uuid,
    /// The project.
    pub project_id: Uuid,
    /// The inspection it belongs to (it may be sent before or after).
    pub inspection_id: Option<Uuid>,
    /// The issue it documents.
    pub issue_id: Option<Uuid>,
    /// The checklist item it is evidence for.
    pub checklist_item_key: Option<String>,
    /// Caption, up to 500 characters.
    pub caption: Option<String>,
    /// When the phone says it was taken.
    pub captured_at: Option<DateTime<Utc>>,
    /// The phone's position.
    pub device_location: Option<DeviceLocationForPhoto>,
}

/// Narrows `photos`; every field set must match.
#[derive(InputObject, Default)]
pub struct PhotoFilter {
    /// Only this project's.
    pub project_id: Option<Uuid>,
    /// Only this inspection's.
    pub inspection_id: Option<Uuid>,
    /// Only this issue's.
    pub issue_id: Option<Uuid>,
}

#[derive(Default)]
pub struct PhotoQuery;

#[Object]
impl PhotoQuery {
    /// One photo. One the caller may not see is `NOT_FOUND`.
    async fn photo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The photo's id.")] id: Uuid,
    ) -> async_graphql::Result<Photo> {
        let actor = ctx.actor()?;
        Ok(Photo(photos::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Photos the caller can see, newest first. DEPARTMENT users see those of their unit's projects.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn photos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PhotoFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<PhotoConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let f = filter.unwrap_or_default();
        let filter = Filter { project_id: f.project_id, inspection_id: f.inspection_id, issue_id: f.issue_id };
        let count = deferred((state.db.clone(), actor.clone(), filter.clone()), |(db, actor, filter)| async move {
            photos::count(&db, &actor, &filter).await
        });
        let fetch = |page: PageRequest| async move { photos::list(&state.db, &actor, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: photos::cursor, node: Photo }).await?)
    }
}

#[derive(Default)]
pub struct PhotoMutation;

#[Object]
impl PhotoMutation {
    /// Uploads a photo (GraphQL multipart request spec). Accepted by content — JPEG, PNG, WebP,
    /// HEIC/HEIF — within the configured size and pixel limits. Answers once the original, its
    /// thumbnails and its row are stored. The same id with the same bytes returns the stored photo;
    /// with other bytes, `CONFLICT`.
    async fn upload_photo(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The photo's particulars.")] input: PhotoInput,
        #[graphql(desc = "The image file.")] file: Upload,
    ) -> async_graphql::Result<Photo> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let upload = file.value(ctx).map_err(|e| AppError::bad_input("file", format!("no readable file: {e}")))?;
        let new = NewPhoto {
            id: input.id,
            project_id: input.project_id,
            inspection_id: input.inspection_id,
            issue_id: input.issue_id,
            checklist_item_key: input.checklist_item_key,
            caption: input.caption,
            captured_at: input.captured_at,
            device: input.device_location.map(|d| Device {
                lat: d.lat,
                lng: d.lng,
                accuracy_m: d.accuracy_m,
                mocked: d.mocked,
            }),
        };
        Ok(Photo(photos::upload(&state.photo_deps(), &actor, new, upload.content).await?))
    }
}
