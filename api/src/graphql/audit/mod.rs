//! The audit trail, read by the project office.

pub(crate) mod feed;
pub(crate) mod inputs;
pub(crate) mod objects;
mod prefetch;

use async_graphql::{Context, Object};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::audit::{self, AuditFilter};
use crate::service::page::PageRequest;

pub use inputs::AuditEventFilter;
pub use objects::{AuditEvent, AuditEventConnection};

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

    /// The change feed: what changed after a sequence number, oldest first, each change shown in
    /// full when the caller may see its record. Resume from `pageInfo.endSeq`: nothing is missed.
    /// Any signed-in caller (integration keys need `CHANGES_READ`).
    async fn changes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Sequence number after which to start (a decimal string); the start when omitted.")]
        after: Option<String>,
        #[graphql(desc = "Page size, 1 to 100 (100 when omitted).")] first: Option<i32>,
        #[graphql(desc = "Only changes to these kinds of record; all when omitted.")] entity_types: Option<
            Vec<entity::audit_event::EntityType>,
        >,
    ) -> async_graphql::Result<feed::ChangeFeed> {
        feed::changes(ctx, after, first, entity_types).await
    }
}
