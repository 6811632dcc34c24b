//! A photo's particulars as a phone sends them, and the photo list's filter.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use entity::geo::Datum;
use uuid::Uuid;

/// The phone's position when the photo was taken.
#[derive(InputObject)]
pub struct DeviceLocationForPhoto {
    /// Latitude, in `datum`.
    pub lat: f64,
    /// Longitude, in `datum`.
    pub lng: f64,
    /// The datum of `lat` and `lng` (WGS84 when omitted): GCJ02 from the AMap or Tencent SDKs or
    /// WeChat's `getLocation(type: 'gcj02')`, BD09 from Baidu's SDK. Stored in WGS-84.
    pub datum: Option<Datum>,
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

impl From<PhotoFilter> for crate::service::photo::PhotoFilter {
    fn from(f: PhotoFilter) -> Self {
        Self { project_id: f.project_id, inspection_id: f.inspection_id, issue_id: f.issue_id }
    }
}
