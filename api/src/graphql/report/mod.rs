//! Monthly reports (每月汇报): submitting, replacing until the period locks, and who still owes one.

pub(crate) mod columns;
pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;

use async_graphql::{Context, Object};

pub use inputs::MonthlyReportInput;
pub use objects::{MissingReport, MissingReportConnection, MonthlyReport, ReportingPeriod};

use super::context::ContextExt;
use super::pagination::{Connection, TotalCount, edges};
use super::project::prefetch;
use crate::service::report;

#[derive(Default)]
pub struct ReportQuery;

#[Object]
impl ReportQuery {
    /// Projects that owe a report for `period` and have not submitted it, with their units.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn missing_reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] period: String,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<MissingReportConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let page = ctx.page(first, after)?;
        let rows = report::missing(&state.db, &period, state.config.clock.zone(), &page).await?;
        let node = ctx.look_ahead().field("edges").field("node");
        prefetch::prefetch(ctx, node.field("project"), &rows.items).await?;
        if node.field("unit").exists() {
            crate::graphql::prefetch::prime_by_id::<entity::unit::Entity>(
                ctx,
                rows.items.iter().map(|p| p.responsible_unit_id),
            )
            .await?;
        }
        let key = report::Period::parse("period", &period)?.key();
        let db = state.db.clone();
        let (counted, today) = (report::Period::parse("period", &period)?, state.config.clock.day());
        let total = TotalCount::new(move || {
            let db = db.clone();
            async move { crate::service::dashboard::count_missing(&db, counted, today).await }
        });
        Ok(MissingReportConnection::from_edges(
            edges(ctx, rows, &page, |p| p.id.to_string(), |project| MissingReport { period: key.clone(), project }),
            total,
        ))
    }

    /// Whether a reporting month still takes reports, and its dates.
    async fn reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] period: String,
    ) -> async_graphql::Result<ReportingPeriod> {
        ctx.caller()?;
        ReportingPeriod::load(&ctx.state()?.db, &period, ctx.state()?.config.clock.today()).await
    }
}

#[derive(Default)]
pub struct ReportMutation;

#[Object]
impl ReportMutation {
    /// Submits a monthly report, or replaces it (keeping the old version) until the period locks;
    /// after that, `CONFLICT`. The responsible unit or ADMIN.
    async fn submit_monthly_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] input: MonthlyReportInput,
    ) -> async_graphql::Result<MonthlyReport> {
        let actor = ctx.actor()?;
        let new = report::NewReport {
            project_id: input.project_id,
            period: input.period,
            investment_this_month: input.investment_this_month.0,
            progress_percent: input.progress_percent.0,
            narrative: input.narrative,
            problems: input.problems,
        };
        let state = ctx.state()?;
        Ok(MonthlyReport(report::submit(&state.db, &actor, new, &state.config.clock).await?))
    }

    /// Locks a reporting month before its automatic deadline. ADMIN only.
    async fn lock_reporting_period(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.")] period: String,
    ) -> async_graphql::Result<ReportingPeriod> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        report::lock(&state.db, &actor, &period).await?;
        ReportingPeriod::load(&state.db, &period, state.config.clock.today()).await
    }
}
