//! A page of audit events loads their actors once for the whole page.

use async_graphql::{Context, Lookahead};
use entity::audit_event;

use crate::error::AppResult;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::Wanted;

impl Prefetch for audit_event::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("actor"), rows.iter().filter_map(|e| e.actor_id));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
