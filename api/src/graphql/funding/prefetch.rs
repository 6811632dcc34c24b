//! A page of funding items loads each selected relation once for the whole page, before its items
//! resolve (see [`crate::graphql::prefetch`]).

use async_graphql::{Context, Lookahead};
use entity::funding_item;
use uuid::Uuid;

use super::loaders::{ItemMoney, ItemShares, ItemStages};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};

impl Prefetch for funding_item::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut users = Wanted::default();
        users.when(node.field("createdBy"), rows.iter().map(|r| r.created_by));
        let units = node.field("units");
        if units.exists() {
            let found = prime(ctx, ids.clone(), ItemShares(db.clone()), true).await?;
            let unit_ids = found.values().flatten().map(|s| s.unit_id);
            prime_related::<entity::unit::Entity>(ctx, units.field("unit"), unit_ids).await?;
        }
        let stages = node.field("stages");
        if stages.exists() {
            let found = prime(ctx, ids.clone(), ItemStages(db.clone()), true).await?;
            users.when(stages.field("recordedBy"), found.values().flatten().map(|s| s.recorded_by));
        }
        let money = node.field("money");
        if ["money", "received", "pending", "promised"].iter().any(|f| node.field(f).exists()) {
            // The current entries; `money(history: true)` is left to its loader.
            let keys = ids.iter().map(|id| (*id, false)).collect();
            let found = prime(ctx, keys, ItemMoney(db.clone()), true).await?;
            users.when(money.field("verifiedBy"), found.values().flatten().filter_map(|e| e.verified_by));
            users.when(money.field("recordedBy"), found.values().flatten().map(|e| e.recorded_by));
        }
        let campaigns = rows.iter().filter_map(|r| r.campaign_id);
        prime_related::<entity::funding_campaign::Entity>(ctx, node.field("campaign"), campaigns).await?;
        let projects = rows.iter().filter_map(|r| r.project_id);
        prime_related::<entity::project::Entity>(ctx, node.field("project"), projects).await?;
        users.prime::<entity::user::Entity>(ctx).await
    }
}

impl Prefetch for entity::funding_target::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prime_related::<entity::unit::Entity>(ctx, node.field("unit"), rows.iter().map(|r| r.unit_id)).await?;
        let mut users = Wanted::default();
        users.when(node.field("setBy"), rows.iter().map(|r| r.set_by));
        users.prime::<entity::user::Entity>(ctx).await
    }
}

/// A campaign shows only its own columns: nothing to load.
impl Prefetch for entity::funding_campaign::Model {
    async fn prefetch(_: &Context<'_>, _: Lookahead<'_>, _: &[Self]) -> AppResult<()> {
        Ok(())
    }
}
