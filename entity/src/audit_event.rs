//! One change to stored data, written in the same transaction as the change. `seq` only ever grows:
//! the change feed, webhooks and subscriptions read the trail by it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    /// `None` for changes made by the system itself (seeding, the command line).
    pub actor_id: Option<Uuid>,
    /// Dotted verb, e.g. `user.create`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// `{ field: { "before": .., "after": .. } }`; secrets are never included.
    pub changes: Json,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
