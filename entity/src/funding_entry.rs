//! One sum of money of an item of funding work. Never changed once the office verified it: a
//! correction is a new entry that `replaces` it (the old one stays, no longer current) and says why.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::funding_item::MoneyFlow;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "funding_entries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub item_id: Uuid,
    pub flow: MoneyFlow,
    /// The day the money moved (the county's calendar).
    pub moved_on: Date,
    pub amount_fen: i64,
    /// False once a correction replaced it.
    pub is_current: bool,
    /// The entry this one corrects.
    pub replaces: Option<Uuid>,
    /// Why the correction was made.
    #[sea_orm(column_type = "Text", nullable)]
    pub reason: Option<String>,
    pub verified_by: Option<Uuid>,
    pub verified_at: Option<DateTimeUtc>,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
