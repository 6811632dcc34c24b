//! A unit's share of the dashboard for one category and industry: the sums of its projects' kept
//! lights and figures ([`crate::project_light`]) for the year of the day its mark
//! ([`crate::unit_rollup_mark`]) names.

use sea_orm::entity::prelude::*;

use crate::project::{Industry, ProjectCategory};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_rollups")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: ProjectCategory,
    #[sea_orm(primary_key, auto_increment = false)]
    pub industry: Industry,
    pub year: i32,
    pub projects: i64,
    /// The year's planned and reported investment, fen.
    pub plan_fen: i64,
    pub done_fen: i64,
    /// Current reports for the year's periods, of them on time, and reports owed.
    pub reports: i64,
    pub on_time: i64,
    pub reports_due: i64,
    /// Sum of the projects' worst slips (early counts as 0) and how many projects have one.
    pub slip_sum: i64,
    pub slip_count: i64,
    /// How many projects show each light.
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
