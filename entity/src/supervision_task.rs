//! A supervision task (督导任务): projects to inspect in a window, by named inspectors, of one kind.
//! Its status follows from the window, the county's day and whether every project was inspected.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::inspection::InspectionKind;

/// How a task came to be.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskOrigin {
    /// Planned by the office.
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    /// Drawn at random from lagging projects (突击督导).
    #[sea_orm(string_value = "DRAWN")]
    Drawn,
    /// Proposed by the system for a project RED two closed months running (倒逼).
    #[sea_orm(string_value = "PROPOSED")]
    Proposed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "supervision_tasks")]
pub struct Model {
    /// Chosen by the client that planned it (or derived, for a proposal).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: InspectionKind,
    pub origin: TaskOrigin,
    pub title: String,
    /// First day of the window (the county's calendar).
    pub window_from: Date,
    /// Last day of the window.
    pub window_to: Date,
    /// When every project of the task had an inspection of its kind inside the window.
    pub done_at: Option<DateTimeUtc>,
    /// Written at the end.
    pub summary: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub closed_by: Option<Uuid>,
    /// The seed a SURPRISE draw used.
    pub draw_seed: Option<i64>,
    /// The projects the draw chose from, with their weights, as JSON text: the draw is re-run from
    /// these and the seed.
    #[sea_orm(column_type = "Text", nullable)]
    pub draw_candidates: Option<String>,
    /// For a proposal: the project and months it answers (one proposal each).
    pub proposed_for: Option<String>,
    /// None for a proposal.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
