//! One step of a schedule version, with its planned window and, once done, its actual finish.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "milestones")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub schedule_plan_id: Uuid,
    pub project_id: Uuid,
    /// Order within the schedule, from 0.
    pub position: i32,
    pub name: String,
    pub duration_days: i32,
    pub planned_start: Date,
    pub planned_finish: Date,
    pub actual_finish: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
