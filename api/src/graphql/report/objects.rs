//! Monthly reports, missing reports and reporting periods as clients read them.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::monthly_report;
use entity::project::{self};
use uuid::Uuid;

use crate::graphql::account::{Unit, User};
use crate::graphql::context::load;
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::{Date, Decimal};
use crate::service::money::{bp_to_percent, fen_to_wan};
use crate::service::report;

/// Most reports one project lists at a time.
pub const MAX_REPORTS: i32 = 60;
/// Reports a project lists when the client does not say.
pub const DEFAULT_REPORTS: i32 = 12;

/// A unit's monthly report on a project (每月汇报).
pub struct MonthlyReport(pub monthly_report::Model);

/// A unit's monthly report on a project (每月汇报).
#[Object]
impl MonthlyReport {
    /// Stable identifier of this version.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The project reported on.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The month reported, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// 1 for the first submission, +1 for each replacement before the period locked.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Investment completed in the month, 万元.
    async fn investment_this_month(&self) -> Decimal {
        Decimal(fen_to_wan(self.0.investment_fen))
    }

    /// Physical progress at the end of the month, percent.
    async fn progress_percent(&self) -> Decimal {
        Decimal(bp_to_percent(self.0.progress_bp))
    }

    /// What was done.
    async fn narrative(&self) -> &str {
        &self.0.narrative
    }

    /// Problems needing help, if any.
    async fn problems(&self) -> Option<&str> {
        self.0.problems.as_deref()
    }

    /// The reporting unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// Who submitted this version.
    async fn submitted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.submitted_by, "user").await?))
    }

    /// When this version was submitted (UTC).
    async fn submitted_at(&self) -> DateTime<Utc> {
        self.0.submitted_at
    }

    /// Whether the first version arrived by the due day.
    async fn on_time(&self) -> bool {
        self.0.on_time
    }
}

/// A project owing a monthly report it has not submitted.
pub struct MissingReport {
    pub period: String,
    pub project: project::Model,
}

/// A project owing a monthly report it has not submitted.
#[Object]
impl MissingReport {
    /// The period, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.period
    }

    /// The project.
    async fn project(&self) -> Project {
        Project::from(self.project.clone())
    }

    /// The unit that owes the report.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.project.responsible_unit_id, "unit").await?))
    }
}

connection!(
    MissingReportConnection,
    MissingReportEdge,
    MissingReport,
    "A page of missing monthly reports, by project id.",
    "A missing report and its cursor."
);

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
    pub(crate) async fn load(
        db: &sea_orm::DatabaseConnection,
        period: &str,
        today: chrono::NaiveDate,
    ) -> async_graphql::Result<Self> {
        let (p, locked, due, lock) = report::period_state(db, period, today).await?;
        Ok(Self { period: p.key(), locked, due_date: Date(due), lock_date: Date(lock) })
    }
}
