//! A stage an item of funding work reached, and when.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::funding_item::FundingStage;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "funding_stages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub stage: FundingStage,
    /// The day (the county's calendar).
    pub reached_on: Date,
    /// The sum the stage names, in fen: applied for, in the plan, allocated, contracted, approved.
    /// Shown with the stage; the money counted is in the entries.
    pub amount_fen: Option<i64>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
