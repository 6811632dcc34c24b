//! A page of obstruction cases loads each selected relation once for the whole page.

use async_graphql::{Context, Lookahead};
use entity::obstruction_case;
use uuid::Uuid;

use super::loaders::{CaseInvestigators, CaseSteps};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};

impl Prefetch for obstruction_case::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        let mut users = Wanted::default();
        users.when(node.field("reportedBy"), rows.iter().map(|r| r.reported_by));
        if node.field("investigators").exists() || node.field("availableActions").exists() {
            let found = prime(ctx, ids.clone(), CaseInvestigators(db.clone()), true).await?;
            users.when(node.field("investigators"), found.values().flatten().copied());
        }
        if node.field("steps").exists() {
            let found = prime(ctx, ids, CaseSteps(db), true).await?;
            users.when(node.field("steps").field("actedBy"), found.values().flatten().map(|s| s.acted_by));
        }
        prime_related::<entity::project::Entity>(ctx, node.field("project"), rows.iter().map(|r| r.project_id)).await?;
        let accused = rows.iter().filter_map(|r| r.accused_unit_id);
        prime_related::<entity::unit::Entity>(ctx, node.field("accusedUnit"), accused).await?;
        users.prime::<entity::user::Entity>(ctx).await
    }
}
