//! An issue or case an inspection dealt with, and whether it verified that resolution.

use sea_orm::entity::prelude::*;

use crate::supervision_target::TargetType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "inspection_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub inspection_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_type: TargetType,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_id: Uuid,
    /// The inspection passed and was recorded as the verification (核实) of the resolution.
    pub verified: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
