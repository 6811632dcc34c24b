//! A unit's target for a year in one kind of funding work (争资, 招商, 融资), in versions: a change
//! adds a version and the old figure stays, with who set it and when.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::funding_item::FundingKind;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "funding_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub unit_id: Uuid,
    pub year: i32,
    pub kind: FundingKind,
    pub amount_fen: i64,
    /// 1, 2, … per unit, year and kind.
    pub version: i32,
    pub is_current: bool,
    #[sea_orm(column_type = "Text", nullable)]
    pub note: Option<String>,
    pub set_by: Uuid,
    pub set_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
