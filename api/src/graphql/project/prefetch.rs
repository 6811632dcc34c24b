//! A page of projects loads each selected relation once for the whole page, before its items
//! resolve, and hands the results to the request's DataLoaders. Left to the loaders' own timing a
//! big page can split into two batches when resolving it takes longer than the batch window; primed
//! this way the statements per request are fixed, whatever the page size or the machine's load.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use chrono::Datelike;
use entity::project;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{
    ById, CurrentMilestones, KeyedById, PairedUnits, ProjectHealth, RecentReports, ScheduleHistory, Slot, YearFigures,
};

/// Loads `keys` with `fetch` and puts the results in the request's loader of the same type; with
/// `fill`, keys without a row get the empty value, so asking for them costs nothing either.
pub async fn prime<K, L>(ctx: &Context<'_>, keys: Vec<K>, fetch: L, fill: bool) -> AppResult<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = AppError> + Slot,
    L::Value: Default,
{
    if keys.is_empty() {
        return Ok(());
    }
    let mut found: HashMap<K, L::Value> = fetch.load(&keys).await?;
    let values: Vec<(K, L::Value)> = if fill {
        keys.into_iter()
            .map(|k| {
                let v = found.remove(&k).unwrap_or_default();
                (k, v)
            })
            .collect()
    } else {
        found.into_iter().collect()
    };
    ctx.cached::<L>()?.feed_many(values).await;
    Ok(())
}

/// Like [`prime`] for loaders whose values have no empty form.
pub async fn prime_found<K, L>(ctx: &Context<'_>, keys: Vec<K>, fetch: L) -> AppResult<()>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = AppError> + Slot,
{
    if keys.is_empty() {
        return Ok(());
    }
    let found = fetch.load(&keys).await?;
    ctx.cached::<L>()?.feed_many(found).await;
    Ok(())
}

pub async fn prime_by_id<E: KeyedById>(ctx: &Context<'_>, ids: impl Iterator<Item = Uuid>) -> AppResult<()>
where
    ById<E>: Slot,
{
    let keys: Vec<Uuid> = ids.collect::<BTreeSet<_>>().into_iter().collect();
    prime_found(ctx, keys, ById::<E>::new(ctx.state()?.db.clone())).await
}

/// Primes the loaders for the fields `node` selects on `projects`.
pub async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, projects: &[project::Model]) -> AppResult<()> {
    if projects.is_empty() || !node.exists() {
        return Ok(());
    }
    let db = ctx.state()?.db.clone();
    let ids: Vec<Uuid> = projects.iter().map(|p| p.id).collect();
    let wants = |field: &str| node.field(field).exists();
    if wants("responsibleUnit") {
        prime_by_id::<entity::unit::Entity>(ctx, projects.iter().map(|p| p.responsible_unit_id)).await?;
    }
    if wants("leader") {
        prime_by_id::<entity::user::Entity>(ctx, projects.iter().map(|p| p.leader_id)).await?;
    }
    if wants("pairedUnits") {
        prime(ctx, ids.clone(), PairedUnits(db.clone()), true).await?;
    }
    if wants("milestones") || wants("worstSlipDays") {
        prime(ctx, ids.clone(), CurrentMilestones(db.clone()), true).await?;
    }
    if wants("scheduleHistory") {
        prime(ctx, ids.clone(), ScheduleHistory(db.clone()), true).await?;
    }
    if wants("health") {
        let today = ctx.state()?.config.clock.today();
        prime_found(ctx, ids.iter().map(|id| (*id, today)).collect(), ProjectHealth(db.clone())).await?;
    }
    if wants("plannedInvestment") || wants("completedInvestment") || wants("completedInvestmentTotal") {
        let year = ctx.state()?.config.clock.today().year();
        prime(ctx, ids.iter().map(|id| (*id, year)).collect(), YearFigures(db.clone()), true).await?;
    }
    // `reports(first: n)`: prime the key the field will ask for (aliases with other sizes fall back
    // to the loader's own batching).
    let reports = node.field("reports");
    for field in reports.selection_fields() {
        let first = field
            .arguments()
            .ok()
            .and_then(|args| args.into_iter().find(|(name, _)| name.as_str() == "first"))
            .and_then(|(_, value)| match value {
                async_graphql::Value::Number(n) => n.as_u64(),
                _ => None,
            })
            .map_or(super::objects::DEFAULT_REPORTS as u32, |n| n.min(super::objects::MAX_REPORTS as u64) as u32);
        let mut found = RecentReports(db.clone()).load(&ids.iter().map(|id| (*id, first)).collect::<Vec<_>>()).await?;
        if reports.field("unit").exists() {
            prime_by_id::<entity::unit::Entity>(ctx, found.values().flatten().map(|r| r.unit_id)).await?;
        }
        if reports.field("submittedBy").exists() {
            prime_by_id::<entity::user::Entity>(ctx, found.values().flatten().map(|r| r.submitted_by)).await?;
        }
        let values: Vec<_> =
            ids.iter().map(|id| ((*id, first), found.remove(&(*id, first)).unwrap_or_default())).collect();
        ctx.cached::<RecentReports>()?.feed_many(values).await;
    }
    Ok(())
}
