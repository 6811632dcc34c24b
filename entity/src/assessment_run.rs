//! A run of an assessment scheme over a period: every unit's figures, score and rank, frozen with
//! the scheme version and a fingerprint of what went in.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Whether units see a run's ranking.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RunStatus {
    /// Computed and frozen; units see their own scorecard, leaders everything.
    #[sea_orm(string_value = "DRAFT")]
    Draft,
    /// Published by the office: every unit sees the ranking.
    #[sea_orm(string_value = "PUBLISHED")]
    Published,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The scheme version used.
    pub scheme_id: Uuid,
    /// `2026` or `2026-Q3`.
    pub period: String,
    /// The day the figures were taken (the period's last day, or the run's day when earlier).
    pub as_of: Date,
    /// SHA-256 of the frozen figures: a run that would freeze the same figures returns this one.
    pub fingerprint: String,
    pub status: RunStatus,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub published_by: Option<Uuid>,
    pub published_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
