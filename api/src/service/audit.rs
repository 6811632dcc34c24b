//! The audit trail: one event per change, written inside the transaction that makes the change.

use chrono::{DateTime, Utc};
use entity::audit_event;
use entity::user::Role;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, Statement,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Actor;
use super::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// Any number will do, as long as nothing else in the database takes the same advisory lock.
const AUDIT_LOCK_KEY: i64 = 0x006b_7061_7564_6974;

/// Fields that never enter the trail.
const SECRET_FIELDS: &[&str] = &["password_hash"];

/// What changed, for [`record`].
pub struct Change<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: String,
    pub changes: Value,
}

/// Writes one event. Call it inside the transaction that makes the change.
///
/// On PostgreSQL the insert first takes a transaction-scoped advisory lock, so events commit in the
/// order of their `seq`: a reader that has seen `seq = n` will never later find a committed event
/// below `n`. The lock is taken last in the transaction, so it is held only until the commit.
pub async fn record(db: &impl ConnectionTrait, actor: &Actor, change: Change<'_>) -> AppResult<i64> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [AUDIT_LOCK_KEY.into()],
        ))
        .await?;
    }
    let event = audit_event::ActiveModel {
        seq: NotSet,
        occurred_at: Set(Utc::now()),
        actor_id: Set(actor.user_id()),
        action: Set(change.action.to_owned()),
        entity_type: Set(change.entity_type.to_owned()),
        entity_id: Set(change.entity_id),
        changes: Set(change.changes),
        request_id: Set(actor.request_id().map(str::to_owned)),
    };
    let inserted = audit_event::Entity::insert(event).exec(db).await?;
    if db.get_database_backend() == DatabaseBackend::Postgres {
        // Delivered at commit to every instance following the trail (see `service::trail`).
        db.execute(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [crate::service::trail::CHANNEL.into(), inserted.last_insert_id.to_string().into()],
        ))
        .await?;
    }
    Ok(inserted.last_insert_id)
}

/// `{ field: { before, after } }` for every field that differs between two serialised records;
/// `None` on one side stands for creation or deletion. Secret fields are left out.
pub fn diff<T: serde::Serialize>(before: Option<&T>, after: Option<&T>) -> AppResult<Value> {
    let to_map = |v: Option<&T>| -> AppResult<Map<String, Value>> {
        match v.map(serde_json::to_value).transpose().map_err(AppError::internal)? {
            Some(Value::Object(map)) => Ok(map),
            Some(_) => Err(AppError::internal("audit diff of a non-object")),
            None => Ok(Map::new()),
        }
    };
    let (before, after) = (to_map(before)?, to_map(after)?);
    let mut out = Map::new();
    for key in before.keys().chain(after.keys()) {
        if SECRET_FIELDS.contains(&key.as_str()) || out.contains_key(key) {
            continue;
        }
        let (b, a) = (before.get(key), after.get(key));
        if b != a {
            out.insert(key.clone(), json!({ "before": b, "after": a }));
        }
    }
    Ok(Value::Object(out))
}

/// Filters for [`list`]; every field narrows.
#[derive(Debug, Default, Clone)]
pub struct AuditFilter {
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub actor_id: Option<Uuid>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

fn filtered(filter: &AuditFilter) -> Select<audit_event::Entity> {
    use audit_event::Column as C;
    let mut q = audit_event::Entity::find();
    if let Some(v) = &filter.entity_type {
        q = q.filter(C::EntityType.eq(v.as_str()));
    }
    if let Some(v) = &filter.entity_id {
        q = q.filter(C::EntityId.eq(v.as_str()));
    }
    if let Some(v) = filter.actor_id {
        q = q.filter(C::ActorId.eq(v));
    }
    if let Some(v) = &filter.action {
        q = q.filter(C::Action.eq(v.as_str()));
    }
    if let Some(v) = filter.since {
        q = q.filter(C::OccurredAt.gte(v));
    }
    if let Some(v) = filter.until {
        q = q.filter(C::OccurredAt.lt(v));
    }
    q
}

/// Only the project office reads the trail.
fn authorize(actor: &Actor) -> AppResult<()> {
    actor.require_role(&[Role::Admin], "read the audit trail")
}

/// Newest first; the cursor is the sequence number.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &AuditFilter,
    page: &PageRequest,
) -> AppResult<Page<audit_event::Model>> {
    authorize(actor)?;
    let mut q = filtered(filter);
    if let Some(after) = &page.after {
        let seq: i64 = after.parse().map_err(|_| AppError::bad_input("after", "not a cursor of this list"))?;
        q = q.filter(audit_event::Column::Seq.lt(seq));
    }
    let rows = q.order_by_desc(audit_event::Column::Seq).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// The total behind [`list`], counted only when a client asks for it.
pub async fn count(db: &DatabaseConnection, actor: &Actor, filter: &AuditFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    authorize(actor)?;
    Ok(filtered(filter).count(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Row {
        name: &'static str,
        password_hash: &'static str,
        n: i32,
    }

    #[test]
    fn diff_names_changed_fields_and_hides_secrets() -> AppResult<()> {
        let a = Row { name: "a", password_hash: "x", n: 1 };
        let b = Row { name: "a", password_hash: "y", n: 2 };
        let d = diff(Some(&a), Some(&b))?;
        assert_eq!(d, json!({ "n": { "before": 1, "after": 2 } }));
        let created = diff(None, Some(&a))?;
        assert_eq!(created["name"], json!({ "before": null, "after": "a" }));
        assert!(created.get("password_hash").is_none());
        Ok(())
    }
}
