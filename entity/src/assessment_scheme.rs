//! A version of an assessment scheme (考核办法): for a year, the metrics with their weights and the
//! veto conditions (一票否决), each automatic or recorded. A change publishes a new version; runs
//! name the version they used.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment_schemes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub year: i32,
    /// 1 for the first version of (`year`, `name`), then 2, …
    pub version: i32,
    /// Whether this is the newest version of its scheme.
    pub is_current: bool,
    /// The metrics and their weights, as a JSON array of `{ "metric", "weight" }`.
    #[sea_orm(column_type = "Text")]
    pub metrics: String,
    /// The veto conditions, as a JSON array of `{ "condition", "automatic" }`.
    #[sea_orm(column_type = "Text")]
    pub vetoes: String,
    /// The public funds (公用经费) deducted from a unit for each veto, fen.
    pub deduction_fen: i64,
    pub published_by: Uuid,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
