//! The issue a failed checklist item raised: one per inspection (across its revisions) and item, so a
//! replay or a correction never raises it twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_issues")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub root_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item_key: String,
    pub issue_id: Uuid,
    /// The revision that raised it.
    pub inspection_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
