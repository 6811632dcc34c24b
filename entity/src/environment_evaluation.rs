//! A quarter's evaluation of the project-building environment (项目建设环境集中测评).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "environment_evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub year: i32,
    /// 1 to 4.
    pub quarter: i32,
    pub title: String,
    /// The checklist template version whose NUMBER items are the criteria scored.
    pub template_id: Uuid,
    pub opens_on: Date,
    /// The last day responses are taken (the county's calendar).
    pub closes_on: Date,
    /// Responses a department needs for its result to count as significant.
    pub min_responses: i32,
    /// `YYYY-Qn` while open, none once closed: at most one open evaluation per quarter.
    pub open_key: Option<String>,
    pub closed_at: Option<DateTimeUtc>,
    pub opened_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
