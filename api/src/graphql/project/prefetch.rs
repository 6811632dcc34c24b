//! A page of projects loads each selected relation once for the whole page, before its items
//! resolve (see [`crate::graphql::prefetch`]).

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use chrono::Datelike;
use entity::project;
use uuid::Uuid;

use super::loaders::{PairedUnits, ProjectHealth, YearFigures};
use crate::error::AppResult;
use crate::graphql::case::loaders::CasesOfProject;
use crate::graphql::children::prime_children;
use crate::graphql::context::ContextExt;
use crate::graphql::inspection::loaders::InspectionsOfProject;
use crate::graphql::issue::loaders::IssuesOfProject;
use crate::graphql::pagination::Prefetch;
use crate::graphql::photo::loaders::PhotosOfProject;
use crate::graphql::prefetch::{int_argument, prime, prime_by_id, prime_found};
use crate::graphql::report::loaders::RecentReports;
use crate::graphql::report::objects::{DEFAULT_REPORTS, MAX_REPORTS};
use crate::graphql::schedule::loaders::{CurrentMilestones, ScheduleHistory};

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
    prime_children::<IssuesOfProject>(ctx, node.field("issues"), &ids).await?;
    prime_children::<CasesOfProject>(ctx, node.field("cases"), &ids).await?;
    prime_children::<InspectionsOfProject>(ctx, node.field("inspections"), &ids).await?;
    prime_children::<PhotosOfProject>(ctx, node.field("photos"), &ids).await?;
    // `reports(first: n)`: prime the key the field will ask for (aliases with other sizes fall back
    // to the loader's own batching).
    let reports = node.field("reports");
    for field in reports.selection_fields() {
        let first =
            int_argument(&field, "first").map_or(DEFAULT_REPORTS as u32, |n| n.clamp(0, i64::from(MAX_REPORTS)) as u32);
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

impl Prefetch for project::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prefetch(ctx, node, rows).await
    }
}
