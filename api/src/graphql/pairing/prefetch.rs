//! A page of service logs loads each selected relation once for the whole page.

use async_graphql::{Context, Lookahead};
use entity::pairing_service;

use crate::error::AppResult;
use crate::graphql::pagination::Prefetch;
use uuid::Uuid;

use super::loaders::ProjectPairings;
use crate::graphql::context::ContextExt;
use crate::graphql::prefetch::{Wanted, prime, prime_related};
use crate::service::pairing::photo_ids_of;

/// Primes `Project.pairings` for `projects`, and the units they name when selected.
pub async fn prime_pairings(ctx: &Context<'_>, field: Lookahead<'_>, projects: &[Uuid]) -> AppResult<()> {
    let db = ctx.state()?.db.clone();
    let found = prime(ctx, projects.to_vec(), ProjectPairings(db), true).await?;
    let units = found.values().flatten().map(|p| p.unit_id);
    prime_related::<entity::unit::Entity>(ctx, field.field("unit"), units).await
}

impl Prefetch for pairing_service::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        prime_related::<entity::project::Entity>(ctx, node.field("project"), rows.iter().map(|r| r.project_id)).await?;
        prime_related::<entity::unit::Entity>(ctx, node.field("unit"), rows.iter().map(|r| r.unit_id)).await?;
        prime_related::<entity::photo::Entity>(ctx, node.field("photos"), rows.iter().flat_map(photo_ids_of)).await?;
        let mut users = Wanted::default();
        users.when(node.field("recordedBy"), rows.iter().map(|r| r.recorded_by));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
