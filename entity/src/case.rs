//! A coordination case (协调事项): one tailored plan for a project (一项一策) or one matter taken to
//! a decision (一事一议), worked by a lead unit with participating units.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Which coordination tool a case is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseKind {
    /// One tailored policy for one project, with measures (一项一策); at most one open per project.
    #[sea_orm(string_value = "ONE_PROJECT_ONE_POLICY")]
    OneProjectOnePolicy,
    /// One matter taken to a decision (一事一议).
    #[sea_orm(string_value = "ONE_MATTER_ONE_DISCUSSION")]
    OneMatterOneDiscussion,
}

/// Where a case stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CaseStatus {
    /// Opened, work not yet started.
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Being worked by the lead unit.
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Reported solved by the lead unit; awaiting close-off.
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    /// Closed off by the office.
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: CaseKind,
    /// The project; a 一事一议 matter may concern none in particular.
    pub project_id: Option<Uuid>,
    pub title: String,
    /// The tailored policy (一项一策) or the matter put for discussion (一事一议).
    pub policy: String,
    pub lead_unit_id: Uuid,
    pub status: CaseStatus,
    /// What was decided (一事一议).
    pub decision: Option<String>,
    pub decided_on: Option<Date>,
    /// The body or person that decided, e.g. 县政府常务会议.
    pub decided_by: Option<String>,
    /// The meeting where it was decided, when a meeting's decision decided it.
    pub decided_at_meeting_id: Option<Uuid>,
    pub opened_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
