//! A reward to an advanced unit or person (奖励先进) for a period.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "assessment_awards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The unit rewarded, or none when a person is.
    pub unit_id: Option<Uuid>,
    /// The person rewarded, or none when a unit is.
    pub user_id: Option<Uuid>,
    /// `2026` or `2026-Q3`.
    pub period: String,
    pub year: i32,
    pub amount_fen: i64,
    #[sea_orm(column_type = "Text")]
    pub basis: String,
    pub granted_by: Uuid,
    pub granted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
