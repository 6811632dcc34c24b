//! The audit trail, read by the project office.

mod prefetch;

use async_graphql::{Context, InputObject, Json, Object};
use chrono::{DateTime, Utc};
use entity::audit_event;
use uuid::Uuid;

use super::account::User;
use super::context::{ContextExt, load};
use super::pagination::{ListSpec, connection, deferred, list};
use crate::service::audit::{self, AuditFilter};
use crate::service::page::PageRequest;

/// One recorded change to stored data.
pub struct AuditEvent(pub audit_event::Model);

/// One recorded change to stored data.
#[Object]
impl AuditEvent {
    /// Position in the trail, as a decimal string; later events have larger numbers.
    async fn seq(&self) -> String {
        self.0.seq.to_string()
    }

    /// When the change was committed (UTC).
    async fn occurred_at(&self) -> DateTime<Utc> {
        self.0.occurred_at
    }

    /// Who made the change; null for the system itself (seeding, command line).
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        match self.0.actor_id {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
    }

    /// What was done, e.g. `user.create`.
    async fn action(&self) -> &str {
        &self.0.action
    }

    /// The kind of record changed, e.g. `user`.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }

    /// The id of the record changed.
    async fn entity_id(&self) -> &str {
        &self.0.entity_id
    }

    /// Changed fields: `{ field: { before, after } }`. Secrets are never recorded.
    async fn changes(&self) -> Json<serde_json::Value> {
        Json(self.0.changes.clone())
    }

    /// The id of the HTTP request that made the change (also in the server log).
    async fn request_id(&self) -> Option<&str> {
        self.0.request_id.as_deref()
    }
}

connection!(
    AuditEventConnection,
    AuditEventEdge,
    AuditEvent,
    "A page of audit events, newest first.",
    "An audit event and its cursor."
);

/// Narrows `auditEvents`; every field set must match.
#[derive(InputObject, Default)]
pub struct AuditEventFilter {
    /// Only changes to this kind of record, e.g. `user`.
    pub entity_type: Option<String>,
    /// Only changes to the record with this id.
    pub entity_id: Option<String>,
    /// Only changes made by this user.
    pub actor_id: Option<Uuid>,
    /// Only this action, e.g. `user.deactivate`.
    pub action: Option<String>,
    /// Only changes at or after this time.
    pub since: Option<DateTime<Utc>>,
    /// Only changes before this time.
    pub until: Option<DateTime<Utc>>,
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit trail, newest first. ADMIN only.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<AuditEventFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<AuditEventConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let f = filter.unwrap_or_default();
        let filter = AuditFilter {
            entity_type: f.entity_type,
            entity_id: f.entity_id,
            actor_id: f.actor_id,
            action: f.action,
            since: f.since,
            until: f.until,
        };
        let count = deferred((state.db.clone(), actor.clone(), filter.clone()), |(db, actor, filter)| async move {
            audit::count(&db, &actor, &filter).await
        });
        let fetch = |page: PageRequest| async move { audit::list(&state.db, &actor, &filter, &page).await };
        Ok(list(
            ctx,
            first,
            after,
            ListSpec { fetch, count, key: |e: &entity::audit_event::Model| e.seq.to_string(), node: AuditEvent },
        )
        .await?)
    }
}
