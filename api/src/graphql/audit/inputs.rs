//! The audit trail's filter.

use async_graphql::InputObject;
use chrono::{DateTime, Utc};
use uuid::Uuid;

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
