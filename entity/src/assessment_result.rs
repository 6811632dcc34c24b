//! One unit's frozen result in an assessment run: its figures per metric, weighted score, rank and
//! vetoes.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment_results")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub run_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub unit_id: Uuid,
    /// The weighted score, 0 to 100; null when no metric applied to the unit.
    pub score: Option<f64>,
    /// 1 for the best; vetoed units come last whatever their score.
    pub rank: i32,
    pub vetoed: bool,
    /// Public funds deducted for the period's vetoes, fen.
    pub deduction_fen: i64,
    /// Each metric's inputs and value, as a JSON array.
    #[sea_orm(column_type = "Text")]
    pub metrics: String,
    /// The vetoes that held at the run, as a JSON array.
    #[sea_orm(column_type = "Text")]
    pub vetoes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
