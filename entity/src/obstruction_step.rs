//! A step of an obstruction case: the status it reached, who took it, when, and the note. The
//! case's own trail (kept apart from the shared audit trail, whose feed would show the case exists).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::obstruction_case::ObstructionStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "obstruction_steps")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub status: ObstructionStatus,
    pub note: Option<String>,
    pub acted_by: Uuid,
    pub acted_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
