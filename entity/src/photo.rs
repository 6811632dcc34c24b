//! A photo taken as evidence: stored byte for byte, with what its EXIF and the device said, and a
//! score of how far it can be trusted.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "photos")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub inspection_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
    pub checklist_item_key: Option<String>,
    pub caption: Option<String>,
    pub uploaded_by: Uuid,
    /// SHA-256 of the original bytes, lowercase hex.
    pub sha256: String,
    /// JPEG, PNG, WEBP or HEIF.
    pub format: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    /// Where the original is stored; thumbnails sit next to it.
    pub object_key: String,
    pub thumbnails: bool,
    /// Why there are no thumbnails, when there are none.
    pub thumbnail_note: Option<String>,
    /// Capture time by the camera's clock (EXIF).
    pub taken_at: Option<DateTime>,
    /// The camera's UTC offset in seconds, when EXIF states it.
    pub taken_offset: Option<i32>,
    pub exif_lat: Option<f64>,
    pub exif_lng: Option<f64>,
    pub exif_altitude: Option<f64>,
    pub exif_accuracy_m: Option<f64>,
    pub direction: Option<f64>,
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub orientation: Option<i16>,
    /// When the phone says it took the photo.
    pub captured_at: Option<DateTimeUtc>,
    pub device_lat: Option<f64>,
    pub device_lng: Option<f64>,
    pub device_accuracy_m: Option<f64>,
    /// The phone reported a mocked (simulated) location.
    pub device_mocked: bool,
    /// The datum the phone gave its position in (`device_lat`, `device_lng` are WGS-84).
    pub device_datum: Option<crate::geo::Datum>,
    pub received_at: DateTimeUtc,
    /// 0–100.
    pub trust_score: i32,
    /// The reasons behind the score, as JSON.
    pub trust_reasons: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
