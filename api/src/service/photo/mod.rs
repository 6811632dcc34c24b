//! Photos taken as evidence. Who may see a photo is decided by [`visibility`]; who may upload, by
//! [`upload`]. A photo is acknowledged only once its bytes and its row are both durable; objects a
//! crash left without a row are swept by [`sweep_orphans`].

mod download;
mod query;
mod sweep;
mod trust;
mod upload;

pub use download::{Download, Pass, Variant, download, mime, signed_path, verify_link};
pub use query::{
    PhotoFilter, count, counts_of_projects, cursor, existing, list, of_inspections, of_issues, pages_of_projects,
};
pub use sweep::sweep_orphans;
pub use trust::{distance_m, position, site_check, taken_utc, trust};
pub use upload::{PhotoDeps, may_upload_at_all, thumbnail_key, upload};

use chrono::{DateTime, Duration, Utc};
use entity::photo;
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;

/// Thumbnail sizes (longest side, pixels).
pub const THUMBNAIL_SIZES: [u32; 2] = [256, 1024];
/// How long a signed photo link stays valid.
pub const LINK_TTL: Duration = Duration::hours(1);
/// The UTC offset assumed for a capture time whose EXIF states none (the county's).
const LOCAL_OFFSET_SECS: i32 = 8 * 3600;

/// A position reported by the phone, in `datum`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct DeviceLocation {
    pub lat: f64,
    pub lng: f64,
    pub datum: crate::service::geo::Datum,
    pub accuracy_m: Option<f64>,
    /// The phone says the position was simulated.
    pub mocked: bool,
}

/// What [`upload`] needs besides the bytes.
#[derive(Debug, Clone)]
pub struct NewPhoto {
    pub id: Uuid,
    pub project_id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub checklist_item_key: Option<String>,
    pub caption: Option<String>,
    pub captured_at: Option<DateTime<Utc>>,
    pub device: Option<DeviceLocation>,
}

/// Where a photo's position comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum LocationSource {
    /// The photo's own EXIF GPS.
    Exif,
    /// The phone's position at upload, when the photo has no GPS.
    Device,
    /// Neither.
    None,
}

/// One reason behind a trust score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct TrustReason {
    /// Stable code, e.g. `OFF_SITE`.
    pub code: String,
    /// Points added (positive) or taken off (negative).
    pub points: i32,
    /// What was found, for a supervisor to read.
    pub detail: String,
}

/// The visibility rule as a query condition: DEPARTMENT users see the photos of projects their unit
/// is responsible for and the photos of issues they may see (the evidence of work given to them);
/// every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(kit::department_scope(caller))
}

/// [`visibility`] for a scope (see [`kit::department_scope`]), for loaders keyed by it.
pub fn scoped_visibility(scope: Option<crate::service::kit::Units>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    let issues = Query::select()
        .column(entity::issue::Column::Id)
        .from(entity::issue::Entity)
        .cond_where(crate::service::issue::scoped_visibility(scope))
        .to_owned();
    Condition::any()
        .add(photo::Column::ProjectId.in_subquery(kit::projects_of_unit(unit)))
        .add(photo::Column::ProjectId.in_subquery(kit::projects_paired_with(unit)))
        .add(photo::Column::IssueId.in_subquery(issues))
}

/// One photo as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<photo::Model> {
    crate::service::find_visible::<photo::Entity>(db, actor, id, visibility, "photo").await
}
