//! A problem blocking a project (问题): raised, assigned to a unit, resolved and closed off (销号).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of problem it is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueKind {
    /// Land acquisition and demolition (征地拆迁).
    #[sea_orm(string_value = "LAND_ACQUISITION")]
    LandAcquisition,
    /// Environmental impact assessment (环评).
    #[sea_orm(string_value = "ENVIRONMENTAL_ASSESSMENT")]
    EnvironmentalAssessment,
    /// Safety assessment (安评).
    #[sea_orm(string_value = "SAFETY_ASSESSMENT")]
    SafetyAssessment,
    /// Logistics (物流).
    #[sea_orm(string_value = "LOGISTICS")]
    Logistics,
    /// Funding (资金).
    #[sea_orm(string_value = "FUNDING")]
    Funding,
    /// Water, power, roads and gas (水电路气).
    #[sea_orm(string_value = "UTILITIES")]
    Utilities,
    /// Planning permits (规划许可).
    #[sea_orm(string_value = "PLANNING_PERMIT")]
    PlanningPermit,
    /// The construction environment: obstruction, disputes (施工环境).
    #[sea_orm(string_value = "CONSTRUCTION_ENVIRONMENT")]
    ConstructionEnvironment,
    /// Construction quality (质量).
    #[sea_orm(string_value = "QUALITY")]
    Quality,
    /// A safety hazard on site (安全隐患).
    #[sea_orm(string_value = "SAFETY_HAZARD")]
    SafetyHazard,
    /// Anything else (其他).
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// How serious a problem is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Severity {
    /// Minor (一般).
    #[sea_orm(string_value = "LOW")]
    Low,
    /// Significant (较大).
    #[sea_orm(string_value = "MEDIUM")]
    Medium,
    /// Serious: blocks the project (重大).
    #[sea_orm(string_value = "HIGH")]
    High,
}

/// Where a problem was found.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueSource {
    /// Found on a site inspection (督导检查).
    #[sea_orm(string_value = "INSPECTION")]
    Inspection,
    /// Raised at a scheduling meeting (调度会).
    #[sea_orm(string_value = "MEETING")]
    Meeting,
    /// Reported in a monthly report (月度汇报).
    #[sea_orm(string_value = "REPORT")]
    Report,
    /// Entered by hand.
    #[sea_orm(string_value = "MANUAL")]
    Manual,
}

/// Where an issue stands in its workflow.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueStatus {
    /// Raised, not yet given to a unit (待交办).
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// Given to a unit by the project office (已交办).
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    /// Signed for by the unit (已签收).
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Being worked on (办理中).
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    /// Reported done by the unit (已办结).
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    /// Checked by the office or an inspector (已核实).
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    /// Closed off (已销号).
    #[sea_orm(string_value = "CLOSED")]
    Closed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "issues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Human-readable number, `YYYY-NNNN`.
    #[sea_orm(unique)]
    pub number: String,
    pub project_id: Uuid,
    pub kind: IssueKind,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub source: IssueSource,
    pub status: IssueStatus,
    pub reporter_id: Uuid,
    pub assigned_unit_id: Option<Uuid>,
    pub due_date: Option<Date>,
    pub resolution: Option<String>,
    /// When the issue was escalated to the project's linked leader (提级督办), if it was.
    pub escalated_at: Option<DateTimeUtc>,
    /// The leader it was escalated to.
    pub escalated_to: Option<Uuid>,
    /// The meeting whose decision raised it (source MEETING).
    pub meeting_id: Option<Uuid>,
    /// That decision.
    pub meeting_decision_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
