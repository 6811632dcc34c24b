//! A page of tasks or bulletins loads each selected relation once for the whole page, before its
//! items resolve (see [`crate::graphql::prefetch`]).

use async_graphql::{Context, Lookahead};
use entity::{bulletin, supervision_task};
use uuid::Uuid;

use super::loaders::{TaskInspectors, TaskProgressOf};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};

impl Prefetch for supervision_task::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = rows.iter().map(|t| t.id).collect();
        let mut users = Wanted::default();
        users.when(node.field("createdBy"), rows.iter().filter_map(|t| t.created_by));
        if node.field("inspectors").exists() {
            users.extend(prime(ctx, ids.clone(), TaskInspectors(db.clone()), true).await?.into_values().flatten());
        }
        let projects = node.field("projects");
        if projects.exists() || node.field("draw").exists() {
            let zone = ctx.state()?.config.clock.zone();
            let keys = ids.iter().map(|id| (*id, zone)).collect();
            let found = prime(ctx, keys, TaskProgressOf(db.clone()), true).await?;
            let ids = found.values().flatten().map(|p| p.project_id);
            prime_related::<entity::project::Entity>(ctx, projects.field("project"), ids).await?;
        }
        users.prime::<entity::user::Entity>(ctx).await
    }
}

impl Prefetch for bulletin::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("publishedBy"), rows.iter().map(|b| b.published_by));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
