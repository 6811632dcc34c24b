//! A one-vote veto (一票否决) of a unit for a period: the condition, automatic (found by a run in
//! the data) or recorded by the office with a reason, the public funds deducted, and its lifting.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What vetoes a unit.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VetoCondition {
    /// A task target not met (未完成工作任务): automatically, funding received by the year's end
    /// short of the unit's targets for the year.
    #[sea_orm(string_value = "TASK_TARGET_MISSED")]
    TaskTargetMissed,
    /// A serious safety incident (重大安全事故): automatically, a HIGH safety-hazard issue raised in
    /// the period on a project the unit answers for.
    #[sea_orm(string_value = "SAFETY_INCIDENT")]
    SafetyIncident,
    /// An obstruction case upheld against the unit (惩治查处): automatically, a case naming the unit
    /// handled as upheld in the period.
    #[sea_orm(string_value = "OBSTRUCTION_UPHELD")]
    ObstructionUpheld,
    /// Anything else the office records with a reason.
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// How a veto came about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VetoSource {
    /// Found in the data by a run.
    #[sea_orm(string_value = "AUTOMATIC")]
    Automatic,
    /// Recorded by the office with a reason.
    #[sea_orm(string_value = "RECORDED")]
    Recorded,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment_vetoes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    /// `2026` or `2026-Q3`.
    pub period: String,
    pub condition: VetoCondition,
    pub source: VetoSource,
    #[sea_orm(column_type = "Text")]
    pub reason: String,
    /// Public funds (公用经费) deducted, fen.
    pub deduction_fen: i64,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
    pub lifted_at: Option<DateTimeUtc>,
    pub lifted_by: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub lift_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
