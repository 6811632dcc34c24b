//! An issue or case a KEY_PROBLEM task deals with.

use sea_orm::entity::prelude::*;

use crate::supervision_target::TargetType;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "supervision_task_targets")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub task_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_type: TargetType,
    #[sea_orm(primary_key, auto_increment = false)]
    pub target_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
