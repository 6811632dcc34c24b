//! Photos taken as evidence: upload (GraphQL multipart request spec), EXIF, trust, and links to the
//! bytes.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
mod prefetch;

pub use inputs::{DeviceLocationForPhoto, PhotoFilter, PhotoInput};
pub use objects::{Camera, Photo, PhotoConnection, PhotoLocation};

use async_graphql::{Context, Object, Upload};
use uuid::Uuid;

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::error::AppError;
use crate::service::page::PageRequest;
use crate::service::photo::{self as photos, DeviceLocation as Device, NewPhoto, PhotoFilter as Filter};

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
        let filter = Filter::from(filter.unwrap_or_default());
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
                datum: d.datum.unwrap_or_default(),
                accuracy_m: d.accuracy_m,
                mocked: d.mocked,
            }),
        };
        Ok(Photo(photos::upload(&state.photo_deps(), &actor, new, upload.content).await?))
    }
}
