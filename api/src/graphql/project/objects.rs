//! The project as clients read it, and its light.

use async_graphql::{Context, Object};

pub use super::carried::Project;
pub use super::light::Health;
use super::light::load_health;
pub use super::point::GeoPoint;
use chrono::{DateTime, Datelike, Utc};
use entity::geo::Datum;
use entity::milestone;
use entity::project::{Industry, ProjectCategory, ProjectStatus};
use uuid::Uuid;

use super::loaders::{PairedUnits, ProjectLight, YearFigures, only_light};
use crate::error::AppError;
use crate::graphql::account::{Unit, User};
use crate::graphql::case::loaders::CasesOfProject;
use crate::graphql::case::{Case, CaseConnection, CaseFilter};
use crate::graphql::children::children;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::inspection::loaders::InspectionsOfProject;
use crate::graphql::inspection::{Inspection, InspectionConnection, InspectionFilter};
use crate::graphql::issue::loaders::IssuesOfProject;
use crate::graphql::issue::{Issue, IssueConnection, IssueFilter};
use crate::graphql::lean::Lean;
use crate::graphql::pagination::connection;
use crate::graphql::photo::loaders::PhotosOfProject;
use crate::graphql::photo::{Photo, PhotoConnection, PhotoFilter};
use crate::graphql::report::loaders::RecentReports;
use crate::graphql::report::objects::{DEFAULT_REPORTS, MAX_REPORTS, MonthlyReport};
use crate::graphql::scalars::{Date, Decimal};
use crate::graphql::schedule::loaders::{CurrentMilestones, ScheduleHistory};
use crate::graphql::schedule::objects::{Milestone, SchedulePlan};
use crate::service::money::{bp_to_percent, fen_to_wan};
use crate::service::schedule;

/// A key project (重点项目) of the programme.
#[Object]
impl Project {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// National investment project code (全国投资项目代码), when the project has one.
    async fn code(&self) -> Option<&str> {
        self.0.code.as_deref()
    }

    /// Project name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Which list the project is on.
    async fn category(&self) -> ProjectCategory {
        self.0.category
    }

    /// The industry the project belongs to.
    async fn industry(&self) -> Industry {
        self.0.industry
    }

    /// Where the project stands.
    async fn status(&self) -> ProjectStatus {
        self.0.status
    }

    /// The unit that "packages" the project (部门包项目) and reports on it.
    async fn responsible_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Lean<Unit>> {
        match &self.1.unit {
            Some(unit) => Ok(Lean(Unit(unit.clone()))),
            None => Ok(Lean(Unit(load::<entity::unit::Entity>(ctx, self.0.responsible_unit_id, "unit").await?))),
        }
    }

    /// The city leader linked to the project (领导联项目).
    async fn leader(&self, ctx: &Context<'_>) -> async_graphql::Result<Lean<User>> {
        match &self.1.leader {
            Some(leader) => Ok(Lean(User(leader.clone()))),
            None => Ok(Lean(User(load::<entity::user::Entity>(ctx, self.0.leader_id, "user").await?))),
        }
    }

    /// Units paired with the project to serve it (六包服务、结对联系), by name.
    async fn paired_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let units = ctx.cached::<PairedUnits>()?.load_one(self.0.id).await?;
        Ok(units.unwrap_or_default().into_iter().map(Unit).collect())
    }

    /// The units paired with the project (六包) and the duties each took on, by unit.
    async fn pairings(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::graphql::pairing::Pairing>> {
        let rows = ctx.cached::<crate::graphql::pairing::loaders::ProjectPairings>()?.load_one(self.0.id).await?;
        Ok(rows.unwrap_or_default().into_iter().map(crate::graphql::pairing::Pairing).collect())
    }

    /// Total investment, 万元.
    async fn total_investment(&self) -> Decimal {
        Decimal(fen_to_wan(self.0.total_investment_fen))
    }

    /// Planned investment for a year (年度计划投资), 万元; 0 when no plan is set.
    async fn planned_investment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar year; this year when omitted.")] year: Option<i32>,
    ) -> async_graphql::Result<Decimal> {
        Ok(Decimal(fen_to_wan(self.year_figures(ctx, year).await?.0)))
    }

    /// Investment completed in a year according to the monthly reports, 万元.
    async fn completed_investment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar year; this year when omitted.")] year: Option<i32>,
    ) -> async_graphql::Result<Decimal> {
        Ok(Decimal(fen_to_wan(self.year_figures(ctx, year).await?.1)))
    }

    /// Investment completed since the project began: the prior figure plus every monthly report, 万元.
    async fn completed_investment_total(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(Decimal(fen_to_wan(self.0.prior_completed_fen + self.year_figures(ctx, None).await?.2)))
    }

    /// Investment completed before the first monthly report in this system, 万元.
    async fn prior_completed_investment(&self) -> Decimal {
        Decimal(fen_to_wan(self.0.prior_completed_fen))
    }

    /// Physical progress in percent (from the newest report, or set by the unit).
    async fn progress_percent(&self) -> Decimal {
        Decimal(bp_to_percent(self.0.progress_bp))
    }

    /// Planned start of construction.
    async fn planned_start(&self) -> Option<Date> {
        self.0.planned_start.map(Date)
    }

    /// Required completion date.
    async fn planned_completion(&self) -> Option<Date> {
        self.0.planned_completion.map(Date)
    }

    /// Actual start of construction.
    async fn actual_start(&self) -> Option<Date> {
        self.0.actual_start.map(Date)
    }

    /// Actual completion.
    async fn actual_completion(&self) -> Option<Date> {
        self.0.actual_completion.map(Date)
    }

    /// The site's reference point, in `datum` (stored in WGS-84).
    async fn location(
        &self,
        #[graphql(desc = "The datum to show it in: GCJ02 for an AMap or Tencent base map, BD09 for Baidu's.", default)]
        datum: Datum,
    ) -> GeoPoint {
        GeoPoint::shown(self.0.lat, self.0.lng, datum)
    }

    /// The datum the site's location and boundary were last given in (they are shown in any).
    async fn location_datum(&self) -> Datum {
        self.0.location_datum
    }

    /// Radius around the location that counts as "on site", metres.
    async fn site_radius_m(&self) -> i32 {
        self.0.site_radius_m
    }

    /// The site boundary, when one was drawn, in `datum`.
    async fn boundary(
        &self,
        #[graphql(desc = "The datum to show it in.", default)] datum: Datum,
    ) -> Option<Vec<GeoPoint>> {
        let points: Vec<[f64; 2]> = serde_json::from_value(self.0.boundary.clone()?).ok()?;
        Some(points.into_iter().map(|[lng, lat]| GeoPoint::shown(lat, lng, datum)).collect())
    }

    /// Street address of the site.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }

    /// What the project builds.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }

    /// Milestones of the current backward schedule, in order.
    async fn milestones(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Milestone>> {
        let ms = ctx.cached::<CurrentMilestones>()?.load_one(self.0.id).await?;
        Ok(ms.unwrap_or_default().into_iter().map(Milestone).collect())
    }

    /// The worst slip among the current milestones, in days (negative when all finished early).
    async fn worst_slip_days(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<i64>> {
        let ms = ctx.cached::<CurrentMilestones>()?.load_one(self.0.id).await?;
        let today = ctx.state()?.config.clock.today();
        Ok(ms.and_then(|ms: Vec<milestone::Model>| schedule::worst_slip(&ms, today)))
    }

    /// Every version of the schedule, newest first (replanning keeps the old ones).
    async fn schedule_history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SchedulePlan>> {
        let plans = ctx.cached::<ScheduleHistory>()?.load_one(self.0.id).await?;
        Ok(plans
            .unwrap_or_default()
            .into_iter()
            .map(|(plan, milestones)| SchedulePlan::new(plan, milestones))
            .collect())
    }

    /// Current monthly reports, newest period first.
    async fn reports(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 0 to 60 (default 12).")] first: Option<i32>,
    ) -> async_graphql::Result<Vec<Lean<MonthlyReport>>> {
        let first = first.unwrap_or(DEFAULT_REPORTS);
        if !(0..=MAX_REPORTS).contains(&first) {
            return Err(AppError::bad_input("first", format!("first must be between 0 and {MAX_REPORTS}")).into());
        }
        // The key the page read its reports under, built from this selection by the same function.
        let newest = crate::graphql::report::columns::newest_by(&ctx.field());
        if let Some((read, reports)) = &self.1.reports
            && *read == newest
        {
            return Ok(reports.iter().map(|r| Lean(MonthlyReport(r.clone()))).collect());
        }
        let reports = ctx.cached::<RecentReports>()?.load_one((self.0.id, newest)).await?;
        Ok(reports.unwrap_or_default().into_iter().map(|r| Lean(MonthlyReport(r))).collect())
    }

    /// The project's light today and why.
    async fn health(&self, ctx: &Context<'_>) -> async_graphql::Result<Lean<Health>> {
        // A page carries kept lights only when every `health` it selects asks for the light alone.
        if let Some((light, day)) = self.1.light {
            return Ok(Lean(Health::Light { key: (self.0.id, day), light }));
        }
        let key = (self.0.id, ctx.state()?.config.clock.day());
        if only_light([ctx.field()]) {
            let light = ctx.cached::<ProjectLight>()?.load_one(key).await?.ok_or(AppError::NotFound("project"))?;
            return Ok(Lean(Health::Light { key, light }));
        }
        Ok(Lean(Health::Full(load_health(ctx, key).await?)))
    }

    /// The project's issues (问题) the caller may see, newest first: the root `issues` list narrowed to
    /// this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn issues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<IssueFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<IssueConnection> {
        Ok(children::<IssuesOfProject, _>(ctx, self.0.id, filter, first, after, Issue).await?)
    }

    /// The project's coordination cases (协调事项) the caller may see, newest first: the root `cases`
    /// list narrowed to this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CaseFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<CaseConnection> {
        Ok(children::<CasesOfProject, _>(ctx, self.0.id, filter, first, after, Case).await?)
    }

    /// The scheduling meetings that had the project on their agenda, as the caller may see them,
    /// latest first: the root `meetings` list narrowed to this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<crate::graphql::meeting::MeetingFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::meeting::MeetingConnection> {
        use crate::graphql::meeting::{Meeting, loaders::MeetingsOfProject};
        Ok(children::<MeetingsOfProject, _>(ctx, self.0.id, filter, first, after, Meeting).await?)
    }

    /// The supervision tasks holding the project, as the caller may see them, newest first: the root
    /// `supervisionTasks` list narrowed to this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn supervision_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<crate::graphql::supervision::SupervisionTaskFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::supervision::SupervisionTaskConnection> {
        use crate::graphql::supervision::{SupervisionTask, loaders::TasksOfProject};
        Ok(children::<TasksOfProject, _>(ctx, self.0.id, filter, first, after, SupervisionTask).await?)
    }

    /// Every source of the project's money the caller may see (grants, investment, financing,
    /// fiscal inputs…), newest first: `fundingItems` narrowed to this project.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn funding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<crate::graphql::funding::FundingItemConnection> {
        use crate::graphql::funding::{FundingItem, loaders::ItemsOfProject};
        Ok(children::<ItemsOfProject, _>(ctx, self.0.id, (), first, after, FundingItem).await?)
    }

    /// Where the project's report of a month that has ended claims more than the field saw
    /// (`evidenceGaps` narrowed to this project).
    async fn evidence_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.", validator(custom = "crate::graphql::scalars::MaxChars(7)"))]
        period: String,
    ) -> async_graphql::Result<Vec<crate::graphql::supervision::EvidenceGap>> {
        use crate::graphql::supervision::evidence::{ProjectGaps, ended_period};
        let key = (ended_period(ctx, &period)?, ctx.state()?.config.clock.zone());
        let gaps = ctx.cached::<ProjectGaps>()?.load_one((self.0.id, key)).await?.unwrap_or_default();
        Ok(gaps.into_iter().map(crate::graphql::supervision::EvidenceGap).collect())
    }

    /// The project's site inspections the caller may see, newest received first: the root
    /// `inspections` list narrowed to this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<InspectionFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<InspectionConnection> {
        Ok(children::<InspectionsOfProject, _>(ctx, self.0.id, filter, first, after, Inspection).await?)
    }

    /// The project's photos the caller may see, newest received first: the root `photos` list
    /// narrowed to this project, with the same filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn photos(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PhotoFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<PhotoConnection> {
        Ok(children::<PhotosOfProject, _>(ctx, self.0.id, filter, first, after, Photo).await?)
    }

    /// When the project was entered (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When the project was last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

impl Project {
    async fn year_figures(&self, ctx: &Context<'_>, year: Option<i32>) -> Result<(i64, i64, i64), AppError> {
        let year = match year {
            Some(y) => y,
            None => ctx.state()?.config.clock.today().year(),
        };
        let loader = ctx.cached::<YearFigures>()?;
        Ok(loader.load_one((self.0.id, year)).await?.unwrap_or_default())
    }
}

connection!(
    ProjectConnection,
    ProjectEdge,
    Project,
    "A page of projects in the requested order.",
    "A project and its cursor."
);
