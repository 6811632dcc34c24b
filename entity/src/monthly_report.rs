//! A unit's monthly report on one project (每月汇报). Resubmitting adds a version; only the current
//! version counts.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "monthly_reports")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    /// `YYYY-MM`.
    pub period: String,
    pub version: i32,
    pub is_current: bool,
    pub investment_fen: i64,
    pub progress_bp: i32,
    pub narrative: String,
    pub problems: Option<String>,
    /// The unit that reported (the responsible unit at the time).
    pub unit_id: Uuid,
    pub submitted_by: Uuid,
    pub submitted_at: DateTimeUtc,
    /// Whether the first version arrived before the period's deadline; kept by later versions.
    pub on_time: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
