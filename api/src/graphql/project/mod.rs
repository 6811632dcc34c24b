//! The project library: projects, backward schedules, monthly reports, lights and the dashboard.

mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Enum, InputObject, Object, SimpleObject};
use chrono::{DateTime, Datelike, Utc};
use entity::office_setting;
use entity::project::{Industry, Light, ProjectCategory, ProjectStatus};
use uuid::Uuid;

pub use objects::{GeoPoint, Health, Milestone, MissingReport, MonthlyReport, Project, SchedulePlan};
use objects::{MissingReportConnection, ProjectConnection};

use super::account::Unit;
use super::context::ContextExt;
use super::pagination::{TotalCount, edges};
use super::scalars::{Date, Decimal};
use crate::service::money::{fen_to_wan, ratio_percent};
use crate::service::project::{self as projects, BoundingBox, LatLng, Order, OrderField, ProjectFields};
use crate::service::{dashboard, report, schedule};

/// A WGS-84 point given by a client.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct GeoPointInput {
    /// Latitude in degrees, -90 to 90.
    pub lat: f64,
    /// Longitude in degrees, -180 to 180.
    pub lng: f64,
}

impl From<GeoPointInput> for LatLng {
    fn from(p: GeoPointInput) -> Self {
        LatLng { lat: p.lat, lng: p.lng }
    }
}

/// A year's planned investment.
#[derive(InputObject, Debug, Clone)]
pub struct YearPlanInput {
    /// Calendar year.
    pub year: i32,
    /// Planned investment for the year, 万元 (decimal string).
    pub planned_investment: Decimal,
}

/// A new project. ADMIN only.
#[derive(InputObject)]
pub struct CreateProjectInput {
    /// National investment project code, 24 characters, e.g. `2026-430781-04-01-123456`.
    pub code: Option<String>,
    /// Project name, 2 to 200 characters.
    pub name: String,
    /// Which list the project is on.
    pub category: ProjectCategory,
    /// The project's industry.
    pub industry: Industry,
    /// Where the project stands (PLANNED when omitted).
    pub status: Option<ProjectStatus>,
    /// The responsible unit (部门包项目).
    pub responsible_unit_id: Uuid,
    /// The linked leader (领导联项目): an active LEADER account.
    pub leader_id: Uuid,
    /// Paired service units (六包/结对).
    pub paired_unit_ids: Option<Vec<Uuid>>,
    /// Total investment, 万元.
    pub total_investment: Decimal,
    /// Planned investment per year.
    pub year_plans: Option<Vec<YearPlanInput>>,
    /// Planned start of construction.
    pub planned_start: Option<Date>,
    /// Required completion date.
    pub planned_completion: Option<Date>,
    /// The site's reference point (WGS-84).
    pub location: GeoPointInput,
    /// Radius counted as "on site", metres (500 when omitted).
    pub site_radius_m: Option<i32>,
    /// Site boundary, 3 to 500 points (WGS-84).
    pub boundary: Option<Vec<GeoPointInput>>,
    /// Street address.
    pub address: Option<String>,
    /// What the project builds.
    pub description: Option<String>,
    /// Investment completed before reporting in this system, 万元.
    pub prior_completed_investment: Option<Decimal>,
}

/// Changes to a project; omitted fields stay. ADMIN may change every field; the responsible unit's
/// DEPARTMENT users only `progressPercent`, `priorCompletedInvestment`, `actualStart` and
/// `actualCompletion`.
#[derive(InputObject, Default)]
pub struct UpdateProjectInput {
    /// National investment project code; an empty string removes it.
    pub code: Option<String>,
    /// Project name.
    pub name: Option<String>,
    /// Which list the project is on.
    pub category: Option<ProjectCategory>,
    /// The project's industry.
    pub industry: Option<Industry>,
    /// Where the project stands.
    pub status: Option<ProjectStatus>,
    /// The responsible unit.
    pub responsible_unit_id: Option<Uuid>,
    /// The linked leader.
    pub leader_id: Option<Uuid>,
    /// Paired service units (replaces the list).
    pub paired_unit_ids: Option<Vec<Uuid>>,
    /// Total investment, 万元.
    pub total_investment: Option<Decimal>,
    /// Planned investment per year (replaces the list).
    pub year_plans: Option<Vec<YearPlanInput>>,
    /// Planned start.
    pub planned_start: Option<Date>,
    /// Required completion date.
    pub planned_completion: Option<Date>,
    /// The site's reference point.
    pub location: Option<GeoPointInput>,
    /// Radius counted as "on site", metres.
    pub site_radius_m: Option<i32>,
    /// Site boundary (an empty list removes it).
    pub boundary: Option<Vec<GeoPointInput>>,
    /// Street address.
    pub address: Option<String>,
    /// What the project builds.
    pub description: Option<String>,
    /// Physical progress, percent (operational).
    pub progress_percent: Option<Decimal>,
    /// Investment completed before reporting in this system, 万元 (operational).
    pub prior_completed_investment: Option<Decimal>,
    /// Actual start (operational).
    pub actual_start: Option<Date>,
    /// Actual completion (operational).
    pub actual_completion: Option<Date>,
}

fn plans(input: Option<Vec<YearPlanInput>>) -> Option<Vec<(i32, rust_decimal::Decimal)>> {
    input.map(|v| v.into_iter().map(|p| (p.year, p.planned_investment.0)).collect())
}

fn points(input: Option<Vec<GeoPointInput>>) -> Option<Vec<LatLng>> {
    input.map(|v| v.into_iter().map(LatLng::from).collect())
}

impl From<CreateProjectInput> for ProjectFields {
    fn from(i: CreateProjectInput) -> Self {
        Self {
            code: i.code,
            name: Some(i.name),
            category: Some(i.category),
            industry: Some(i.industry),
            status: i.status,
            responsible_unit_id: Some(i.responsible_unit_id),
            leader_id: Some(i.leader_id),
            paired_unit_ids: i.paired_unit_ids,
            total_investment: Some(i.total_investment.0),
            year_plans: plans(i.year_plans),
            planned_start: i.planned_start.map(|d| d.0),
            planned_completion: i.planned_completion.map(|d| d.0),
            location: Some(i.location.into()),
            site_radius_m: i.site_radius_m,
            boundary: points(i.boundary),
            address: i.address,
            description: i.description,
            progress_percent: None,
            prior_completed_investment: i.prior_completed_investment.map(|d| d.0),
            actual_start: None,
            actual_completion: None,
        }
    }
}

impl From<UpdateProjectInput> for ProjectFields {
    fn from(i: UpdateProjectInput) -> Self {
        Self {
            code: i.code,
            name: i.name,
            category: i.category,
            industry: i.industry,
            status: i.status,
            responsible_unit_id: i.responsible_unit_id,
            leader_id: i.leader_id,
            paired_unit_ids: i.paired_unit_ids,
            total_investment: i.total_investment.map(|d| d.0),
            year_plans: plans(i.year_plans),
            planned_start: i.planned_start.map(|d| d.0),
            planned_completion: i.planned_completion.map(|d| d.0),
            location: i.location.map(Into::into),
            site_radius_m: i.site_radius_m,
            boundary: points(i.boundary),
            address: i.address,
            description: i.description,
            progress_percent: i.progress_percent.map(|d| d.0),
            prior_completed_investment: i.prior_completed_investment.map(|d| d.0),
            actual_start: i.actual_start.map(|d| d.0),
            actual_completion: i.actual_completion.map(|d| d.0),
        }
    }
}

/// A map window in WGS-84 degrees.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct BoundingBoxInput {
    /// Southern latitude.
    pub south: f64,
    /// Western longitude.
    pub west: f64,
    /// Northern latitude.
    pub north: f64,
    /// Eastern longitude.
    pub east: f64,
}

/// Narrows `projects`; every field set must match.
#[derive(InputObject, Default)]
pub struct ProjectFilter {
    /// Only this list.
    pub category: Option<ProjectCategory>,
    /// Only this status.
    pub status: Option<ProjectStatus>,
    /// Only this industry.
    pub industry: Option<Industry>,
    /// Only projects this unit is responsible for.
    pub responsible_unit_id: Option<Uuid>,
    /// Only projects linked to this leader.
    pub leader_id: Option<Uuid>,
    /// Only projects showing this light today.
    pub light: Option<Light>,
    /// Part of the name or the project code (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
    /// Only projects whose location lies in this window.
    pub bbox: Option<BoundingBoxInput>,
}

/// What `projects` can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ProjectOrderField {
    /// Project name.
    #[default]
    Name,
    /// Total investment.
    TotalInvestment,
    /// When the project was entered.
    CreatedAt,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How to order `projects`.
#[derive(InputObject, Default)]
pub struct ProjectOrder {
    /// The sort key (NAME when omitted).
    pub field: Option<ProjectOrderField>,
    /// The direction (ASC when omitted).
    pub direction: Option<SortDirection>,
}

impl From<Option<ProjectOrder>> for Order {
    fn from(o: Option<ProjectOrder>) -> Self {
        let o = o.unwrap_or_default();
        Order {
            field: match o.field.unwrap_or_default() {
                ProjectOrderField::Name => OrderField::Name,
                ProjectOrderField::TotalInvestment => OrderField::TotalInvestment,
                ProjectOrderField::CreatedAt => OrderField::CreatedAt,
            },
            descending: o.direction.unwrap_or_default() == SortDirection::Desc,
        }
    }
}

/// One step to lay back from the deadline.
#[derive(InputObject, Clone)]
pub struct ScheduleStepInput {
    /// Step name, unique within the schedule, e.g. `土地报批`.
    pub name: String,
    /// Length in days, 1 to 3650.
    pub duration_days: i32,
}

/// A monthly report (每月汇报).
#[derive(InputObject)]
pub struct MonthlyReportInput {
    /// The project reported on.
    pub project_id: Uuid,
    /// The month, `YYYY-MM`.
    pub period: String,
    /// Investment completed in the month, 万元.
    pub investment_this_month: Decimal,
    /// Physical progress at the end of the month, 0 to 100.
    pub progress_percent: Decimal,
    /// What was done, 1 to 5000 characters.
    pub narrative: String,
    /// Problems needing help.
    pub problems: Option<String>,
}

/// Changes to the light rules; omitted fields stay.
#[derive(InputObject, Default)]
pub struct HealthRulesInput {
    /// Percentage points behind the time-proportional target that make a project YELLOW.
    pub yellow_gap_pp: Option<i32>,
    /// Percentage points behind the time-proportional target that make a project RED.
    pub red_gap_pp: Option<i32>,
    /// Days of milestone slip beyond which a project is RED (any slip makes it YELLOW).
    pub red_late_days: Option<i32>,
    /// Day of the next month by which a period's report is due.
    pub report_due_day: Option<i32>,
    /// Day of the next month after which a period's reports are locked.
    pub report_lock_day: Option<i32>,
    /// Days before its due date from which an unresolved issue shows YELLOW.
    pub issue_due_soon_days: Option<i32>,
    /// Days overdue after which an issue is escalated to the project's linked leader.
    pub issue_leader_after_days: Option<i32>,
}

/// The project office's light and reporting rules.
#[derive(SimpleObject)]
pub struct HealthRules {
    /// Percentage points behind the time-proportional target (序时进度) that make a project YELLOW.
    pub yellow_gap_pp: i32,
    /// Percentage points behind the time-proportional target that make a project RED.
    pub red_gap_pp: i32,
    /// Days of milestone slip beyond which a project is RED (any slip makes it YELLOW).
    pub red_late_days: i32,
    /// Day of the next month by which a period's report is due.
    pub report_due_day: i32,
    /// Day of the next month after which a period's reports are locked.
    pub report_lock_day: i32,
    /// Days before its due date from which an unresolved issue shows YELLOW.
    pub issue_due_soon_days: i32,
    /// Days overdue after which an issue is escalated to the project's linked leader.
    pub issue_leader_after_days: i32,
    /// When the rules last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<office_setting::Model> for HealthRules {
    fn from(m: office_setting::Model) -> Self {
        Self {
            yellow_gap_pp: m.yellow_gap_pp,
            red_gap_pp: m.red_gap_pp,
            red_late_days: m.red_late_days,
            report_due_day: m.report_due_day,
            report_lock_day: m.report_lock_day,
            issue_due_soon_days: m.issue_due_soon_days,
            issue_leader_after_days: m.issue_leader_after_days,
            updated_at: m.updated_at,
        }
    }
}

/// A reporting month and whether it still takes reports.
#[derive(SimpleObject)]
pub struct ReportingPeriod {
    /// The month, `YYYY-MM`.
    pub period: String,
    /// Whether reports for it are refused now.
    pub locked: bool,
    /// Reports arriving by this date are on time.
    pub due_date: Date,
    /// After this date the period locks by itself.
    pub lock_date: Date,
}

impl ReportingPeriod {
    async fn load(
        db: &sea_orm::DatabaseConnection,
        period: &str,
        today: chrono::NaiveDate,
    ) -> async_graphql::Result<Self> {
        let (p, locked, due, lock) = report::period_state(db, period, today).await?;
        Ok(Self { period: p.key(), locked, due_date: Date(due), lock_date: Date(lock) })
    }
}

/// Count and money of a group of projects.
#[derive(SimpleObject)]
pub struct InvestmentTotals {
    /// Number of projects.
    pub project_count: i64,
    /// Planned investment for the year, 万元.
    pub planned_investment: Decimal,
    /// Investment reported for the year, 万元.
    pub completed_investment: Decimal,
    /// Completed as a percentage of planned; null when nothing is planned.
    pub completion_rate: Option<Decimal>,
}

impl From<&dashboard::Totals> for InvestmentTotals {
    fn from(t: &dashboard::Totals) -> Self {
        Self {
            project_count: t.projects,
            planned_investment: Decimal(fen_to_wan(t.planned_fen)),
            completed_investment: Decimal(fen_to_wan(t.completed_fen)),
            completion_rate: ratio_percent(t.completed_fen, t.planned_fen).map(Decimal),
        }
    }
}

/// Totals of one project list.
#[derive(SimpleObject)]
pub struct CategoryTotals {
    /// The list.
    pub category: ProjectCategory,
    /// Its totals.
    pub totals: InvestmentTotals,
}

/// Totals of one industry.
#[derive(SimpleObject)]
pub struct IndustryTotals {
    /// The industry.
    pub industry: Industry,
    /// Its totals.
    pub totals: InvestmentTotals,
}

/// How many projects show each light today.
#[derive(SimpleObject)]
pub struct LightCounts {
    /// Projects on track.
    pub green: i64,
    /// Projects slipping.
    pub yellow: i64,
    /// Projects seriously behind.
    pub red: i64,
}

/// How a responsible unit is doing with its projects.
#[derive(SimpleObject)]
pub struct UnitPerformance {
    /// The unit.
    pub unit: Option<Unit>,
    /// Projects it is responsible for.
    pub project_count: i64,
    /// Reports owed for the year's closed periods.
    pub reports_due: i64,
    /// Current reports submitted for the year.
    pub reports_submitted: i64,
    /// Of those, how many arrived by the due day.
    pub reports_on_time: i64,
    /// Mean worst milestone slip of its projects, days (early counts as 0).
    pub average_slip_days: Option<Decimal>,
}

/// The leaders' view of a year.
#[derive(SimpleObject)]
pub struct Dashboard {
    /// The year.
    pub year: i32,
    /// All projects together.
    pub total: InvestmentTotals,
    /// Per list (category).
    pub by_category: Vec<CategoryTotals>,
    /// Per industry.
    pub by_industry: Vec<IndustryTotals>,
    /// Lights today.
    pub lights: LightCounts,
    /// Per responsible unit, most projects first.
    pub by_unit: Vec<UnitPerformance>,
}

impl From<dashboard::Dashboard> for Dashboard {
    fn from(d: dashboard::Dashboard) -> Self {
        let light = |l| d.lights.get(&l).copied().unwrap_or(0);
        Self {
            year: d.year,
            total: (&d.total).into(),
            by_category: d.by_category.iter().map(|(c, t)| CategoryTotals { category: *c, totals: t.into() }).collect(),
            by_industry: d.by_industry.iter().map(|(i, t)| IndustryTotals { industry: *i, totals: t.into() }).collect(),
            lights: LightCounts { green: light(Light::Green), yellow: light(Light::Yellow), red: light(Light::Red) },
            by_unit: d
                .by_unit
                .into_iter()
                .map(|u| UnitPerformance {
                    unit: u.unit.map(Unit),
                    project_count: u.projects,
                    reports_due: u.reports_due,
                    reports_submitted: u.reports_submitted,
                    reports_on_time: u.reports_on_time,
                    average_slip_days: u.average_slip_days.map(Decimal),
                })
                .collect(),
        }
    }
}

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Key projects. Any signed-in user.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ProjectFilter>,
        #[graphql(desc = "Order (NAME ascending when omitted).")] order_by: Option<ProjectOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let page = ctx.page(first, after)?;
        let f = filter.unwrap_or_default();
        let mut filter = projects::ProjectFilter {
            category: f.category,
            status: f.status,
            industry: f.industry,
            responsible_unit_id: f.responsible_unit_id,
            leader_id: f.leader_id,
            ids: None,
            search: f.search,
            bbox: f.bbox.map(|b| BoundingBox { south: b.south, west: b.west, north: b.north, east: b.east }),
        };
        if let Some(light) = f.light {
            let today = state.config.clock.today();
            filter = crate::service::health::narrow_to_light(&state.db, filter, light, today).await?;
        }
        let order = Order::from(order_by);
        let rows = projects::list(&state.db, &filter, order, &page).await?;
        prefetch::prefetch(ctx, ctx.look_ahead().field("edges").field("node"), &rows.items).await?;
        let db = state.db.clone();
        let total = TotalCount::new(move || {
            let (db, filter) = (db.clone(), filter.clone());
            async move { projects::count(&db, &filter).await }
        });
        Ok(ProjectConnection::new(edges(rows, &page, projects::cursor_of(order), Project), total))
    }

    /// One project. Any signed-in user.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's id.")] id: Uuid,
    ) -> async_graphql::Result<Project> {
        ctx.caller()?;
        Ok(Project(projects::find(&ctx.state()?.db, id).await?))
    }

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
        let rows = report::missing(&state.db, &period, &page).await?;
        let node = ctx.look_ahead().field("edges").field("node");
        prefetch::prefetch(ctx, node.field("project"), &rows.items).await?;
        if node.field("unit").exists() {
            prefetch::prime_by_id::<entity::unit::Entity>(ctx, rows.items.iter().map(|p| p.responsible_unit_id))
                .await?;
        }
        let key = report::Period::parse("period", &period)?.key();
        let db = state.db.clone();
        let counted = period.clone();
        let total = TotalCount::new(move || {
            let (db, period) = (db.clone(), counted.clone());
            async move { report::count_missing(&db, &period).await }
        });
        Ok(MissingReportConnection::new(
            edges(rows, &page, |p| p.id.to_string(), |project| MissingReport { period: key.clone(), project }),
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

    /// The light and reporting rules in force.
    async fn health_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<HealthRules> {
        ctx.caller()?;
        Ok(crate::service::settings::rules(&ctx.state()?.db).await?.into())
    }

    /// Totals by list, industry and unit, and today's lights. Any signed-in user.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar year; this year when omitted.")] year: Option<i32>,
    ) -> async_graphql::Result<Dashboard> {
        ctx.caller()?;
        let today = ctx.state()?.config.clock.today();
        let d = dashboard::build(&ctx.state()?.db, year.unwrap_or(today.year()), today).await?;
        Ok(d.into())
    }
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Adds a project to the library. ADMIN only.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new project.")] input: CreateProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Project(projects::create(&state.db, &actor, input.into(), state.config.clock.today()).await?))
    }

    /// Changes a project. ADMIN: any field; the responsible unit: operational fields only.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] id: Uuid,
        #[graphql(desc = "The changes.")] input: UpdateProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Project(projects::update(&state.db, &actor, id, input.into(), state.config.clock.today()).await?))
    }

    /// Lays a schedule backwards from `deadline` (工期倒排): the last step finishes on the deadline and
    /// each earlier one when the next starts. Replanning keeps the previous plan as history. ADMIN or
    /// the responsible unit.
    async fn plan_schedule(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] project_id: Uuid,
        #[graphql(desc = "The required completion date.")] deadline: Date,
        #[graphql(desc = "The steps in order, 1 to 50.")] steps: Vec<ScheduleStepInput>,
    ) -> async_graphql::Result<SchedulePlan> {
        let actor = ctx.actor()?;
        let steps =
            steps.into_iter().map(|s| schedule::Step { name: s.name, duration_days: s.duration_days }).collect();
        let (plan, milestones) = schedule::plan(&ctx.state()?.db, &actor, project_id, deadline.0, steps).await?;
        Ok(SchedulePlan::new(plan, milestones))
    }

    /// Records when a milestone of the current schedule was finished. ADMIN or the responsible unit.
    async fn complete_milestone(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The milestone.")] id: Uuid,
        #[graphql(desc = "When it was finished (not in the future).")] actual_finish: Date,
    ) -> async_graphql::Result<Milestone> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Milestone(schedule::complete(&state.db, &actor, id, actual_finish.0, state.config.clock.today()).await?))
    }

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

    /// Changes the light and reporting rules. ADMIN only.
    async fn update_health_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: HealthRulesInput,
    ) -> async_graphql::Result<HealthRules> {
        let actor = ctx.actor()?;
        let patch = crate::service::settings::RulesPatch {
            yellow_gap_pp: input.yellow_gap_pp,
            red_gap_pp: input.red_gap_pp,
            red_late_days: input.red_late_days,
            report_due_day: input.report_due_day,
            report_lock_day: input.report_lock_day,
            issue_due_soon_days: input.issue_due_soon_days,
            issue_leader_after_days: input.issue_leader_after_days,
        };
        Ok(crate::service::settings::update_rules(&ctx.state()?.db, &actor, patch).await?.into())
    }
}
