//! A page of projects loads each selected relation once for the whole page, before its items
//! resolve (see [`crate::graphql::prefetch`]).

use std::borrow::Borrow;
use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead, SelectionField};
use chrono::Datelike;
use entity::{monthly_report, project};
use futures_util::future::{BoxFuture, TryFutureExt, try_join_all};
use uuid::Uuid;

use super::loaders::{PairedUnits, ProjectHealth, ProjectLight, YearFigures, only_light};
use crate::error::AppResult;
use crate::graphql::case::loaders::CasesOfProject;
use crate::graphql::children::prime_children;
use crate::graphql::context::ContextExt;
use crate::graphql::inspection::loaders::InspectionsOfProject;
use crate::graphql::issue::loaders::IssuesOfProject;
use crate::graphql::meeting::loaders::MeetingsOfProject;
use crate::graphql::pagination::Prefetch;
use crate::graphql::photo::loaders::PhotosOfProject;
use crate::graphql::prefetch::{prime, prime_by_id, prime_found};
use crate::graphql::report::loaders::RecentReports;
use crate::graphql::schedule::loaders::{CurrentMilestones, ScheduleHistory};
use crate::service::project::ProjectRead;
use crate::service::report::Newest;

/// A project as a page read it: its row, and which of its relations the page's statement read
/// with it (those need no loading).
pub trait Read: Borrow<project::Model> + Sync {
    /// Whether its current kept light was read with it.
    fn carries_light(&self) -> bool {
        false
    }
    /// Whether its responsible unit was read with it.
    fn carries_unit(&self) -> bool {
        false
    }
    /// Whether its leader was read with it.
    fn carries_leader(&self) -> bool {
        false
    }
    /// Its newest reports, when read with it as `newest` asks.
    fn carries_reports(&self, _newest: Newest) -> Option<&[monthly_report::Model]> {
        None
    }
}

impl Read for project::Model {}

impl Read for ProjectRead {
    fn carries_light(&self) -> bool {
        self.light.is_some()
    }
    fn carries_unit(&self) -> bool {
        self.unit.is_some()
    }
    fn carries_leader(&self) -> bool {
        self.leader.is_some()
    }
    fn carries_reports(&self, newest: Newest) -> Option<&[monthly_report::Model]> {
        self.reports.as_ref().filter(|(read, _)| *read == newest).map(|(_, reports)| reports.as_slice())
    }
}

/// Primes the loaders for the fields `node` selects on `projects`, but for what they carry. The
/// relations are independent of each other, so their statements run concurrently (each on its own
/// pooled connection).
pub async fn prefetch<P: Read>(ctx: &Context<'_>, node: Lookahead<'_>, projects: &[P]) -> AppResult<()> {
    if projects.is_empty() || !node.exists() {
        return Ok(());
    }
    let db = ctx.state()?.db.clone();
    let ids: Vec<Uuid> = projects.iter().map(|p| p.borrow().id).collect();
    let ids = &ids;
    let wants = |field: &str| node.field(field).exists();
    let mut steps: Vec<BoxFuture<'_, AppResult<()>>> = Vec::new();
    if wants("responsibleUnit") {
        let units = projects.iter().filter(|p| !p.carries_unit()).map(|p| p.borrow().responsible_unit_id);
        steps.push(Box::pin(prime_by_id::<entity::unit::Entity>(ctx, units)));
    }
    if wants("leader") {
        let leaders = projects.iter().filter(|p| !p.carries_leader()).map(|p| p.borrow().leader_id);
        steps.push(Box::pin(prime_by_id::<entity::user::Entity>(ctx, leaders)));
    }
    if wants("pairedUnits") {
        steps.push(Box::pin(prime(ctx, ids.clone(), PairedUnits(db.clone()), true).map_ok(drop)));
    }
    if wants("pairings") {
        steps.push(Box::pin(crate::graphql::pairing::prefetch::prime_pairings(ctx, node.field("pairings"), ids)));
    }
    if wants("milestones") || wants("worstSlipDays") {
        steps.push(Box::pin(prime(ctx, ids.clone(), CurrentMilestones(db.clone()), true).map_ok(drop)));
    }
    if wants("scheduleHistory") {
        steps.push(Box::pin(prime(ctx, ids.clone(), ScheduleHistory(db.clone()), true).map_ok(drop)));
    }
    if wants("health") {
        let day = ctx.state()?.config.clock.day();
        let keys: Vec<(Uuid, crate::clock::Day)> = ids.iter().map(|id| (*id, day)).collect();
        if only_light(node.field("health").selection_fields()) {
            // The page's own statement read the current kept lights already; only the others load.
            let keys: Vec<_> =
                keys.into_iter().zip(projects).filter(|(_, p)| !p.carries_light()).map(|(k, _)| k).collect();
            steps.push(Box::pin(prime_found(ctx, keys, ProjectLight(db.clone())).map_ok(drop)));
        } else {
            steps.push(Box::pin(prime_found(ctx, keys, ProjectHealth(db.clone())).map_ok(drop)));
        }
    }
    if wants("plannedInvestment") || wants("completedInvestment") || wants("completedInvestmentTotal") {
        let year = ctx.state()?.config.clock.today().year();
        let keys = ids.iter().map(|id| (*id, year)).collect();
        steps.push(Box::pin(prime(ctx, keys, YearFigures(db.clone()), true).map_ok(drop)));
    }
    steps.push(Box::pin(prime_children::<IssuesOfProject>(ctx, node.field("issues"), ids)));
    steps.push(Box::pin(prime_children::<CasesOfProject>(ctx, node.field("cases"), ids)));
    steps.push(Box::pin(prime_children::<InspectionsOfProject>(ctx, node.field("inspections"), ids)));
    steps.push(Box::pin(prime_children::<PhotosOfProject>(ctx, node.field("photos"), ids)));
    steps.push(Box::pin(prime_children::<MeetingsOfProject>(ctx, node.field("meetings"), ids)));
    steps.push(Box::pin(prime_children::<crate::graphql::funding::loaders::ItemsOfProject>(
        ctx,
        node.field("funding"),
        ids,
    )));
    steps.push(Box::pin(prime_children::<crate::graphql::supervision::loaders::TasksOfProject>(
        ctx,
        node.field("supervisionTasks"),
        ids,
    )));
    // `reports(first: n)`: prime the key each list of reports will ask for, the columns it shows
    // included, for the projects that do not carry theirs.
    for field in node.field("reports").selection_fields() {
        let newest = crate::graphql::report::columns::newest_by(&field);
        steps.push(Box::pin(prime_reports(ctx, field, projects, newest)));
    }
    try_join_all(steps).await.map(drop)
}

/// The newest reports of each project a list of reports (`field`) shows, but for the projects that
/// carry them, and the units and users they point to when it selects them.
async fn prime_reports<P: Read>(
    ctx: &Context<'_>,
    field: SelectionField<'_>,
    projects: &[P],
    newest: Newest,
) -> AppResult<()> {
    let db = ctx.state()?.db.clone();
    // (Loops, not closures: a closure over `P` in this future trips the compiler's lifetimes.)
    let (mut keys, mut carried) = (Vec::new(), Vec::new());
    for project in projects {
        match project.carries_reports(newest) {
            Some(reports) => carried.extend(reports),
            None => keys.push((project.borrow().id, newest)),
        }
    }
    let mut found = if keys.is_empty() { HashMap::new() } else { RecentReports(db).load(&keys).await? };
    let reports = || found.values().flatten().chain(carried.iter().copied());
    let selects = |name: &str| field.selection_set().any(|f| f.name() == name);
    let units = async {
        if selects("unit") {
            prime_by_id::<entity::unit::Entity>(ctx, reports().map(|r| r.unit_id)).await?;
        }
        Ok::<_, crate::error::AppError>(())
    };
    let users = async {
        if selects("submittedBy") {
            prime_by_id::<entity::user::Entity>(ctx, reports().map(|r| r.submitted_by)).await?;
        }
        Ok(())
    };
    futures_util::future::try_join(units, users).await?;
    if !keys.is_empty() {
        let values: Vec<_> = keys.into_iter().map(|key| (key, found.remove(&key).unwrap_or_default())).collect();
        ctx.cached::<RecentReports>()?.feed_many(values).await;
    }
    Ok(())
}

impl Prefetch for project::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prefetch(ctx, node, rows).await
    }
}

impl Borrow<project::Model> for ProjectRead {
    fn borrow(&self) -> &project::Model {
        &self.project
    }
}

impl Prefetch for ProjectRead {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prefetch(ctx, node, rows).await
    }
}
