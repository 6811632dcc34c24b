//! What a page of action items loads at once.

use async_graphql::{Context, Lookahead};
use entity::action_item;
use uuid::Uuid;

use super::loaders::{ItemCoUnits, ItemEvents, VisibleMeetings};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};
use crate::service::meeting as meetings;

impl Prefetch for action_item::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = rows.iter().map(|i| i.id).collect();
        let (mut units, mut users) = (Wanted::default(), Wanted::default());
        units.when(node.field("ownerUnit"), rows.iter().map(|i| i.owner_unit_id));
        users.when(node.field("escalatedTo"), rows.iter().filter_map(|i| i.escalated_to));
        if node.field("coUnits").exists() {
            units.extend(prime(ctx, ids.clone(), ItemCoUnits(db.clone()), true).await?.into_values().flatten());
        }
        let timeline = node.field("timeline");
        if timeline.exists() {
            let found = prime(ctx, ids.clone(), ItemEvents(db.clone()), true).await?;
            let events: Vec<&entity::action_item_event::Model> = found.values().flatten().collect();
            users.when(timeline.field("actor"), events.iter().filter_map(|e| e.actor_id));
            users.when(timeline.field("addressee"), events.iter().filter_map(|e| e.user_id));
            units.when(timeline.field("unit"), events.iter().filter_map(|e| e.unit_id));
        }
        let projects = rows.iter().filter_map(|i| i.project_id);
        prime_related::<entity::project::Entity>(ctx, node.field("project"), projects).await?;
        let meeting = node.field("meeting");
        if meeting.exists() {
            let reach = meetings::reach(ctx.caller()?);
            let ids: std::collections::BTreeSet<Uuid> = rows.iter().map(|i| i.meeting_id).collect();
            let keys: Vec<_> = ids.into_iter().map(|id| (id, reach)).collect();
            // The meetings themselves; what they select in turn is left to the loaders' batching, so
            // that a meeting's items and an item's meeting do not prefetch each other.
            prime(ctx, keys, VisibleMeetings(db.clone()), true).await?;
        }
        units.prime::<entity::unit::Entity>(ctx).await?;
        users.prime::<entity::user::Entity>(ctx).await
    }
}
