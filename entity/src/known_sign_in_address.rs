//! An address from which an account has signed in successfully.

use chrono::{DateTime, Utc};
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "known_sign_in_addresses")]
pub struct Model {
    /// The account's (normalised) username.
    #[sea_orm(primary_key, auto_increment = false)]
    pub username: String,
    /// The client address, as the server saw it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub address: String,
    pub last_success_at: DateTime<Utc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
