//! The payload a create under a client-chosen id was made from (an issue raised, an inspection
//! submitted from a phone), kept apart from the row it made so that reading rows never loads it. Only
//! a create, and its replay, read it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "client_payloads")]
pub struct Model {
    /// What was created: `issue` or `inspection`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The id the client chose.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The create request as received.
    pub payload: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
