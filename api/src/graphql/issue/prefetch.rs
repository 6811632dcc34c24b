//! A page of issues loads each selected relation once for the whole page, before its items resolve,
//! so that the statements a page costs do not depend on its size or on the loaders' timing.

use std::collections::{BTreeSet, HashMap};

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use entity::issue;
use uuid::Uuid;

use super::loaders::{IssueCoUnits, IssueTimelines};
use super::timeline_limit;
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{int_argument, prime_by_id, prime_related};
use crate::graphql::settings::loaders::HealthRulesLoader;

/// Primes the loaders for the fields `node` selects on `issues`.
pub async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, issues: &[issue::Model]) -> AppResult<()> {
    if issues.is_empty() || !node.exists() {
        return Ok(());
    }
    let db = ctx.state()?.db.clone();
    let ids: Vec<Uuid> = issues.iter().map(|i| i.id).collect();
    let mut units: BTreeSet<Uuid> = BTreeSet::new();
    let mut users: BTreeSet<Uuid> = BTreeSet::new();
    prime_related::<entity::project::Entity>(ctx, node.field("project"), issues.iter().map(|i| i.project_id)).await?;
    if node.field("assignedUnit").exists() {
        units.extend(issues.iter().filter_map(|i| i.assigned_unit_id));
    }
    if node.field("reporter").exists() {
        users.extend(issues.iter().map(|i| i.reporter_id));
    }
    if node.field("escalatedTo").exists() {
        users.extend(issues.iter().filter_map(|i| i.escalated_to));
    }
    if node.field("coUnits").exists() {
        let mut found = IssueCoUnits(db.clone()).load(&ids).await?;
        units.extend(found.values().flatten().copied());
        let values: Vec<(Uuid, Vec<Uuid>)> = ids.iter().map(|id| (*id, found.remove(id).unwrap_or_default())).collect();
        ctx.cached::<IssueCoUnits>()?.feed_many(values).await;
    }
    // `timeline(last: n)`: prime the key each selection will ask for.
    let timeline = node.field("timeline");
    let limits: BTreeSet<u32> = timeline
        .selection_fields()
        .iter()
        .map(|f| timeline_limit(int_argument(f, "last").map(|n| n.clamp(0, i64::from(i32::MAX)) as i32)))
        .collect();
    for limit in limits {
        let keys: Vec<(Uuid, u32)> = ids.iter().map(|id| (*id, limit)).collect();
        let mut found: HashMap<(Uuid, u32), Vec<entity::issue_event::Model>> =
            IssueTimelines(db.clone()).load(&keys).await?;
        if timeline.field("actor").exists() {
            users.extend(found.values().flatten().filter_map(|e| e.actor_id));
        }
        if timeline.field("unit").exists() {
            units.extend(found.values().flatten().filter_map(|e| e.unit_id));
        }
        let values: Vec<_> = keys.into_iter().map(|k| (k, found.remove(&k).unwrap_or_default())).collect();
        ctx.cached::<IssueTimelines>()?.feed_many(values).await;
    }
    prime_by_id::<entity::unit::Entity>(ctx, units.into_iter()).await?;
    prime_by_id::<entity::user::Entity>(ctx, users.into_iter()).await?;
    // Every issue's escalation reads the same rules: read them once, now.
    if node.field("escalation").exists() {
        ctx.cached::<HealthRulesLoader>()?.load_one(()).await?;
    }
    Ok(())
}

impl Prefetch for issue::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prefetch(ctx, node, rows).await
    }
}
