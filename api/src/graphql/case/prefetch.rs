//! A page of cases loads each selected relation once for the whole page, before its items resolve
//! (see [`crate::graphql::prefetch`]).

use async_graphql::{Context, Lookahead};
use entity::case;
use uuid::Uuid;

use super::loaders::{CaseIssues, CaseLinks, CaseMeasures, CaseUnits};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};

impl Prefetch for case::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, cases: &[Self]) -> AppResult<()> {
        if cases.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
        prime_related::<entity::project::Entity>(ctx, node.field("project"), cases.iter().filter_map(|c| c.project_id))
            .await?;
        let (mut units, mut users) = (Wanted::default(), Wanted::default());
        units.when(node.field("leadUnit"), cases.iter().map(|c| c.lead_unit_id));
        users.when(node.field("openedBy"), cases.iter().map(|c| c.opened_by));
        if node.field("units").exists() {
            let found = prime(ctx, ids.clone(), CaseUnits(db.clone()), true).await?;
            units.extend(found.into_values().flatten());
        }
        let measures = node.field("measures");
        if measures.exists() {
            let found = prime(ctx, ids.clone(), CaseMeasures(db.clone()), true).await?;
            units.when(measures.field("ownerUnit"), found.values().flatten().map(|m| m.owner_unit_id));
        }
        // Linked records are keyed by the caller's scope: one visibility rule decides.
        let scope = crate::service::issue::scope(ctx.caller()?);
        let keys: Vec<(Uuid, Option<crate::service::kit::Units>)> = ids.iter().map(|id| (*id, scope)).collect();
        let issues = node.field("issues");
        if issues.exists() {
            let found = prime(ctx, keys.clone(), CaseIssues(db.clone()), true).await?;
            let rows: Vec<entity::issue::Model> = found.into_values().flatten().collect();
            entity::issue::Model::prefetch(ctx, issues, &rows).await?;
        }
        let links = node.field("links");
        if links.exists() {
            let found = prime(ctx, keys, CaseLinks(db.clone()), true).await?;
            users.when(links.field("linkedBy"), found.values().flatten().filter_map(|l| l.linked_by));
        }
        units.prime::<entity::unit::Entity>(ctx).await?;
        users.prime::<entity::user::Entity>(ctx).await
    }
}
