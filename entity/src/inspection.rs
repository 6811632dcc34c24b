//! A site inspection (督导检查): one revision of a checklist filled in on site. Submitted revisions
//! never change; a correction is a new revision that replaces the current one.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The kind of supervision.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InspectionKind {
    /// Regular tracking supervision (跟踪督导).
    #[sea_orm(string_value = "TRACKING")]
    Tracking,
    /// Supervision of a key problem (重点督导).
    #[sea_orm(string_value = "KEY_PROBLEM")]
    KeyProblem,
    /// Unannounced supervision (突击督导).
    #[sea_orm(string_value = "SURPRISE")]
    Surprise,
}

/// What the supervision looks at.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InspectionFocus {
    /// Progress (进度监督).
    #[sea_orm(string_value = "PROGRESS")]
    Progress,
    /// Quality (质量监管).
    #[sea_orm(string_value = "QUALITY")]
    Quality,
    /// Responsibility (责任监察).
    #[sea_orm(string_value = "RESPONSIBILITY")]
    Responsibility,
}

/// The outcome of the checklist.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum InspectionResult {
    /// The score reached the template's pass mark.
    #[sea_orm(string_value = "PASSED")]
    Passed,
    /// It did not.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

/// The office's review of an inspection.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReviewStatus {
    /// Not reviewed yet.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Accepted as recorded.
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// Accepted, with problems to follow up.
    #[sea_orm(string_value = "HAS_ISSUES")]
    HasIssues,
    /// Not accepted; the inspector should correct it with a new revision.
    #[sea_orm(string_value = "REJECTED")]
    Rejected,
}

/// One answer, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, async_graphql::SimpleObject)]
#[graphql(name = "InspectionAnswer")]
pub struct Answer {
    /// The checklist item.
    pub item_key: String,
    /// The answer (PASS / FAIL / NA, YES / NO, a number, text, an option or a date).
    pub value: Option<String>,
    /// The inspector's note.
    pub note: Option<String>,
    /// Photos taken as evidence.
    pub photo_ids: Vec<Uuid>,
}

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "inspections")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The first revision's id: the inspection across its corrections.
    pub root_id: Uuid,
    /// The revision this one replaced.
    pub revision_of: Option<Uuid>,
    /// 1 for the first submission.
    pub revision: i32,
    pub is_current: bool,
    pub kind: InspectionKind,
    pub focus: InspectionFocus,
    pub project_id: Uuid,
    pub inspector_id: Uuid,
    /// The template version it was started on.
    pub template_id: Uuid,
    /// Device clock.
    pub started_at: DateTimeUtc,
    /// Device clock.
    pub completed_at: DateTimeUtc,
    /// Server clock.
    pub received_at: DateTimeUtc,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// The datum the device gave its position in (`lat`, `lng` are WGS-84).
    pub location_datum: Option<crate::geo::Datum>,
    /// [`Answer`]s, as JSON.
    pub answers: Json,
    /// Weighted score, 0–100; none when no item is scored.
    pub score: Option<f64>,
    pub result: InspectionResult,
    pub review_status: ReviewStatus,
    pub reviewed_by: Option<Uuid>,
    pub reviewed_at: Option<DateTimeUtc>,
    pub review_note: Option<String>,
    /// The supervision task it was done for.
    pub task_id: Option<Uuid>,
    /// The project's progress as measured on site (形象进度), basis points, from the template's item
    /// that measures it.
    pub measured_progress_bp: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
