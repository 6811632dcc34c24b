//! A unit an evaluation scores, or whose people answer it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What a unit is to an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
pub enum EvaluationRole {
    /// A functional department scored.
    #[sea_orm(string_value = "SCORED")]
    Scored,
    /// A unit (project owner, enterprise) whose people answer.
    #[sea_orm(string_value = "RESPONDENT")]
    Respondent,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluation_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub evaluation_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub role: EvaluationRole,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
