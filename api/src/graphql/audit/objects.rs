//! The audit trail as the office reads it.

use async_graphql::{Context, Json, Object};
use chrono::{DateTime, Utc};
use entity::audit_event;

use crate::graphql::account::User;
use crate::graphql::context::load_opt;
use crate::graphql::pagination::connection;

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
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.actor_id, "user").await?.map(User))
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
