//! An obstruction case (惩治查处): someone or some unit reported as hindering a project's landing,
//! start or production, investigated and handled, with feedback to the reporter. The accused unit
//! never sees it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The stage of the project the obstruction hindered.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ObstructionStage {
    /// The project's landing (落户): siting, signing, registration.
    #[sea_orm(string_value = "LANDING")]
    Landing,
    /// Its start of construction (开工).
    #[sea_orm(string_value = "START")]
    Start,
    /// Its going into production (投产).
    #[sea_orm(string_value = "PRODUCTION")]
    Production,
}

/// Where a case stands: reported → accepted (受理) → under investigation (调查) → handled (处理) →
/// answered (反馈).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ObstructionStatus {
    /// Reported; the office has not accepted it yet.
    #[sea_orm(string_value = "REPORTED")]
    Reported,
    /// Accepted (受理), with its investigators named.
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// Under investigation (调查).
    #[sea_orm(string_value = "INVESTIGATING")]
    Investigating,
    /// Handled (处理): the outcome is recorded, upheld or not.
    #[sea_orm(string_value = "HANDLED")]
    Handled,
    /// The reporter was answered (反馈); the case is closed.
    #[sea_orm(string_value = "ANSWERED")]
    Answered,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "obstruction_cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub stage: ObstructionStage,
    /// The unit accused, when one is.
    pub accused_unit_id: Option<Uuid>,
    /// The accused person or unit in words, when named so.
    pub accused_text: Option<String>,
    pub description: String,
    pub evidence: String,
    pub status: ObstructionStatus,
    /// What the handling decided.
    pub outcome: Option<String>,
    /// Whether the accusation was upheld (set when handled).
    pub upheld: Option<bool>,
    /// What the reporter was told.
    pub feedback: Option<String>,
    pub reported_by: Uuid,
    pub reported_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
