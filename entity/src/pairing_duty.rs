//! A pairing duty (六包) of the office's list: what a unit paired with a project serves it in.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pairing_duties")]
pub struct Model {
    /// A stable code (`LAND`), named by pairings and service logs.
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub name: String,
    /// Its place in the list, from 1.
    pub position: i32,
    /// False once the office took it off the list; pairings and logs that name it keep it.
    pub active: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
