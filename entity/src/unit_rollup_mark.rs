//! Whether a unit's kept share of the dashboard (a row of `unit_rollups`) is current: it is when
//! `computed_version == version` and `day` is the county's today. Every write that changes a light's
//! inputs bumps the version of the project's unit (and of the unit it left) in its own transaction.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "unit_rollup_marks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    /// Bumped by every write that changes what the unit's rollup sums.
    pub version: i64,
    /// The `version` the kept rollup was summed under; none while it is not current.
    pub computed_version: Option<i64>,
    /// The day the rollup was summed for.
    pub day: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
