//! Database work, one module a domain. Services take `&impl ConnectionTrait` (a pool or a
//! transaction), check who may do what in one place per domain, and know nothing of GraphQL.

pub mod account;
pub mod assessment;
pub mod audit;
pub mod case;
pub mod columns;
pub mod dashboard;
pub mod documents;
pub mod evaluation;
pub mod evidence;
pub mod export;
pub mod feed;
pub mod funding;
pub mod geo;
pub mod health;
pub mod inspection;
pub mod issue;
pub mod key_usage;
pub mod keys;
pub mod kit;
pub mod labels;
pub mod lights;
pub mod link;
pub mod map;
pub mod measured;
pub mod meeting;
pub mod money;
pub mod noted;
pub mod obstruction;
pub mod page;
pub mod pairing;
pub mod period;
pub mod photo;
pub mod project;
pub mod report;
pub mod rollups;
pub mod schedule;
pub mod settings;
pub mod supervision;
pub mod text;
pub mod throttle;
pub mod trail;
pub mod webhooks;

use entity::user::Role;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// One row by id as `actor` may see it under a domain's `visibility` rule: `NOT_FOUND` whether it is
/// missing or hidden, so a caller can never tell the two apart.
pub async fn find_visible<E>(
    db: &impl sea_orm::ConnectionTrait,
    actor: &Actor,
    id: uuid::Uuid,
    visibility: fn(&Caller) -> sea_orm::Condition,
    what: &'static str,
) -> AppResult<E::Model>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
{
    visible_by_id::<E>(actor, id, visibility).one(db).await?.ok_or(AppError::NotFound(what))
}

/// `id`'s row under `visibility`; the system actor sees every row.
fn visible_by_id<E>(actor: &Actor, id: uuid::Uuid, visibility: fn(&Caller) -> sea_orm::Condition) -> sea_orm::Select<E>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
{
    use sea_orm::QueryFilter;
    let q = E::find_by_id(id);
    match actor.caller() {
        Ok(caller) => q.filter(visibility(caller)),
        Err(_) => q,
    }
}

/// [`find_visible`] for a read-modify-write inside a write transaction: the row stays locked until
/// the transaction ends (`FOR UPDATE` on PostgreSQL; on SQLite the transaction's write lock already
/// covers it), so saving the whole row never undoes a change another request committed meanwhile.
pub async fn lock_visible<E>(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: uuid::Uuid,
    visibility: fn(&Caller) -> sea_orm::Condition,
    what: &'static str,
) -> AppResult<E::Model>
where
    E: sea_orm::EntityTrait,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<uuid::Uuid>,
{
    use sea_orm::QuerySelect;
    visible_by_id::<E>(actor, id, visibility).lock_exclusive().one(txn).await?.ok_or(AppError::NotFound(what))
}

/// Groups (key, value) pairs by key, keeping their order within each group: how batch lookups hand
/// their rows to the loaders.
pub fn grouped<K: std::hash::Hash + Eq, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> std::collections::HashMap<K, Vec<V>> {
    let mut out: std::collections::HashMap<K, Vec<V>> = std::collections::HashMap::new();
    for (k, v) in pairs {
        out.entry(k).or_default().push(v);
    }
    out
}

/// On whose behalf a change is made; recorded in the audit trail.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user, through the API.
    User { caller: Caller, request_id: Option<String> },
    /// The server itself or an operator at the command line (seeding, `user create`).
    System,
}

impl Actor {
    pub fn user_id(&self) -> Option<uuid::Uuid> {
        match self {
            Self::User { caller, .. } => Some(caller.id()),
            Self::System => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::User { request_id, .. } => request_id.as_deref(),
            Self::System => None,
        }
    }

    /// The caller, or `FORBIDDEN` for a system actor where a person is required.
    pub fn caller(&self) -> AppResult<&Caller> {
        match self {
            Self::User { caller, .. } => Ok(caller),
            Self::System => Err(AppError::Forbidden("this action needs a signed-in user".into())),
        }
    }

    /// Passes for the system and for users holding one of `roles`.
    pub fn require_role(&self, roles: &[Role], action: &str) -> AppResult<()> {
        match self {
            Self::User { caller, .. } => caller.require_role(roles, action),
            Self::System => Ok(()),
        }
    }
}
