//! Templates to publish, inspections as phones send them, and the inspection list's filter.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use entity::checklist_template::ItemType;
use entity::geo::Datum;
use entity::inspection::{InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use entity::issue::IssueKind;
use uuid::Uuid;

use crate::service::supervision::InspectionTargets;

use crate::service::inspection::{AnswerInput, Location, NewInspection};

/// A checklist item to publish.
#[derive(InputObject)]
pub struct ChecklistItemInput {
    /// Stable within the template across versions: 1 to 64 of a-z, 0-9, '.', '_', '-'.
    pub key: String,
    /// What the inspector is asked.
    pub label: String,
    /// What kind of answer it takes.
    #[graphql(name = "type")]
    pub item_type: ItemType,
    /// Whether it must be answered (default true).
    #[graphql(default = true)]
    pub required: bool,
    /// Weight in the score, 0 to 100 (default 1).
    #[graphql(default = 1)]
    pub weight: u32,
    /// Smallest valid NUMBER.
    pub min: Option<f64>,
    /// Largest valid NUMBER.
    pub max: Option<f64>,
    /// Unit of a NUMBER.
    pub unit: Option<String>,
    /// The options of a CHOICE.
    #[graphql(default)]
    pub options: Vec<String>,
    /// Photos an answer needs at least (default 0).
    #[graphql(default)]
    pub min_photos: u32,
    /// Photos an answer takes at most.
    pub max_photos: Option<u32>,
    /// A failed answer needs a photo.
    #[graphql(default)]
    pub photo_required_on_fail: bool,
    /// A failed answer needs a note.
    #[graphql(default)]
    pub note_required_on_fail: bool,
    /// Raise an issue of this kind when the item fails.
    pub raise_issue_on_fail: Option<IssueKind>,
    /// The answer is the project's measured progress (形象进度), percent: a NUMBER item from 0 to
    /// 100, at most one a template. Reported progress is checked against it (`evidenceGaps`).
    #[graphql(default)]
    pub measures_progress: bool,
}

/// A section to publish.
#[derive(InputObject)]
pub struct ChecklistSectionInput {
    /// Heading.
    pub title: String,
    /// The items, in order.
    pub items: Vec<ChecklistItemInput>,
}

/// A template to publish: a new version of its key.
#[derive(InputObject)]
pub struct PublishChecklistTemplateInput {
    /// Stable across versions, e.g. `progress`.
    pub key: String,
    /// Name, 2 to 200 characters.
    pub name: String,
    /// What it is for.
    #[graphql(default)]
    pub description: String,
    /// The score (0–100) at or above which an inspection passes (default 80).
    #[graphql(default = 80)]
    pub pass_score: i32,
    /// Sections, in order.
    pub sections: Vec<ChecklistSectionInput>,
}

/// A device's position.
#[derive(InputObject)]
pub struct DeviceLocationInput {
    /// Latitude, in `datum`.
    pub lat: f64,
    /// Longitude, in `datum`.
    pub lng: f64,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
    /// The datum of `lat` and `lng` (WGS84 when omitted): GCJ02 from the AMap or Tencent SDKs or
    /// WeChat's `getLocation(type: 'gcj02')`, BD09 from Baidu's SDK. Stored in WGS-84.
    pub datum: Option<Datum>,
}

/// One answer.
#[derive(InputObject)]
pub struct AnswerInputObject {
    /// The checklist item's key.
    pub item_key: String,
    /// PASS / FAIL / NA, YES / NO, a number, text, an option or a date (`YYYY-MM-DD`); none for PHOTO items.
    pub value: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Photos taken as evidence (they may be uploaded before or after).
    #[graphql(default)]
    pub photo_ids: Vec<Uuid>,
}

/// An inspection as captured on a phone.
#[derive(InputObject)]
pub struct InspectionInput {
    /// The revision's id, chosen by the phone; resending it is safe.
    pub id: Uuid,
    /// The revision this one corrects; it must be current.
    pub revision_of: Option<Uuid>,
    /// The kind of supervision.
    pub kind: InspectionKind,
    /// What it looked at.
    pub focus: InspectionFocus,
    /// The project.
    pub project_id: Uuid,
    /// The template version it was started on.
    pub template_id: Uuid,
    /// Device clock (with offset).
    pub started_at: DateTime<Utc>,
    /// Device clock (with offset).
    pub completed_at: DateTime<Utc>,
    /// Where the device was.
    pub location: Option<DeviceLocationInput>,
    /// The answers.
    pub answers: Vec<AnswerInputObject>,
    /// The supervision task it is done for: one the inspector is assigned to, of this kind, holding
    /// this project, whose window holds `completedAt`.
    pub task_id: Option<Uuid>,
    /// The open issues of this project it dealt with (a KEY_PROBLEM inspection names at least one
    /// issue or case), at most 50.
    #[graphql(default, validator(max_items = 50))]
    pub issue_ids: Vec<Uuid>,
    /// The 一事一议 cases of this project it dealt with, at most 50.
    #[graphql(default, validator(max_items = 50))]
    pub case_ids: Vec<Uuid>,
    /// Record this inspection, when it passes, as the verification (核实) of the named issues the
    /// unit has marked RESOLVED.
    #[graphql(default)]
    pub verify_resolved: bool,
}

impl From<InspectionInput> for NewInspection {
    fn from(i: InspectionInput) -> Self {
        Self {
            id: i.id,
            revision_of: i.revision_of,
            kind: i.kind,
            focus: i.focus,
            project_id: i.project_id,
            template_id: i.template_id,
            started_at: i.started_at,
            completed_at: i.completed_at,
            location: i.location.map(|l| Location {
                lat: l.lat,
                lng: l.lng,
                accuracy_m: l.accuracy_m,
                datum: l.datum.unwrap_or_default(),
            }),
            answers: i
                .answers
                .into_iter()
                .map(|a| AnswerInput { item_key: a.item_key, value: a.value, note: a.note, photo_ids: a.photo_ids })
                .collect(),
            task_id: i.task_id,
            targets: InspectionTargets {
                issue_ids: i.issue_ids,
                case_ids: i.case_ids,
                verify_resolved: i.verify_resolved,
            },
        }
    }
}

/// Narrows `inspections`; every field set must match.
#[derive(InputObject, Default)]
pub struct InspectionFilter {
    /// Only this project's.
    pub project_id: Option<Uuid>,
    /// Only this inspector's.
    pub inspector_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<InspectionKind>,
    /// Only this focus.
    pub focus: Option<InspectionFocus>,
    /// Only this result.
    pub result: Option<InspectionResult>,
    /// Only this review status.
    pub review_status: Option<ReviewStatus>,
    /// Replaced revisions too (default: current revisions only).
    #[graphql(default)]
    pub all_revisions: bool,
}

impl From<InspectionFilter> for crate::service::inspection::InspectionFilter {
    fn from(f: InspectionFilter) -> Self {
        Self {
            project_id: f.project_id,
            inspector_id: f.inspector_id,
            kind: f.kind,
            focus: f.focus,
            result: f.result,
            review_status: f.review_status,
            all_revisions: f.all_revisions,
        }
    }
}
