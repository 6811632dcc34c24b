//! A GraphQL document kept by its SHA-256: sent once, then named by its hash (automatic persisted
//! queries), or registered beforehand as trusted (what a production mobile app runs).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "persisted_documents")]
pub struct Model {
    /// Lower-case hex SHA-256 of the document's text.
    #[sea_orm(primary_key, auto_increment = false)]
    pub hash: String,
    pub body: String,
    /// Registered by ADMIN or the command line: runs when only trusted documents may.
    pub trusted: bool,
    /// Who registered it; none for the command line.
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    /// Kept current to a day; persisted (untrusted) documents unused for 30 days are dropped.
    pub last_used_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
