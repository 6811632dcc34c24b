//! Tracking coverage and bulletins as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::bulletin;
use uuid::Uuid;

use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::Decimal;
use crate::service::money::ratio_percent;
use crate::service::supervision::{self as supervision, BulletinFigures, Coverage, UnitCoverage};

fn share(covered: u64, required: u64) -> Option<Decimal> {
    ratio_percent(i64::try_from(covered).ok()?, i64::try_from(required).ok()?).map(Decimal)
}

fn int(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Tracking coverage (跟踪督导覆盖) of a month: the key projects the office wants tracked and those a
/// TRACKING inspection visited, counted from inspections, not plans.
pub struct SupervisionCoverage(pub Coverage);

/// Tracking coverage (跟踪督导覆盖) of a month: the key projects the office wants tracked and those a
/// TRACKING inspection visited, counted from inspections, not plans.
#[Object]
impl SupervisionCoverage {
    /// The month, `YYYY-MM`.
    async fn period(&self) -> String {
        self.0.period.key()
    }

    /// Projects owing a tracking visit: active projects of the categories with an interval in the
    /// office's settings (KEY_CONSTRUCTION monthly by default), created before the month ended.
    async fn required(&self) -> i64 {
        int(self.0.required)
    }

    /// Of them, those with a current TRACKING inspection completed within their interval.
    async fn covered(&self) -> i64 {
        int(self.0.covered)
    }

    /// `covered` as a percentage of `required`; none when nothing is required.
    async fn share_percent(&self) -> Option<Decimal> {
        share(self.0.covered, self.0.required)
    }

    /// Per responsible unit, the worst share first.
    async fn units(&self) -> Vec<UnitCoverageRow> {
        self.0.units.iter().cloned().map(UnitCoverageRow).collect()
    }
}

/// Coverage of one responsible unit's projects.
pub struct UnitCoverageRow(UnitCoverage);

/// Coverage of one responsible unit's projects.
#[Object(name = "UnitCoverage")]
impl UnitCoverageRow {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// Its projects owing a tracking visit.
    async fn required(&self) -> i64 {
        int(self.0.required)
    }

    /// Of them, those visited.
    async fn covered(&self) -> i64 {
        int(self.0.covered)
    }

    /// `covered` as a percentage of `required`.
    async fn share_percent(&self) -> Option<Decimal> {
        share(self.0.covered, self.0.required)
    }

    /// Projects not visited, by name (as many as `notVisitedPerUnit` asked for).
    async fn not_visited(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Project>> {
        let found = ctx.loader::<entity::project::Entity>()?.load_many(self.0.not_visited.iter().copied()).await?;
        Ok(self.0.not_visited.iter().filter_map(|id| found.get(id).cloned()).map(Project::from).collect())
    }
}

/// A supervision bulletin (督导通报): a month's figures, compiled and published; never changed.
pub struct Bulletin(pub bulletin::Model);

/// A supervision bulletin (督导通报): a month's figures, compiled and published; never changed.
#[Object]
impl Bulletin {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The year it was published in.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// Its number within the year: 1, 2, …
    async fn number(&self) -> i32 {
        self.0.number
    }

    /// The month it reports on, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The office's own words.
    async fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// The figures as compiled when it was published.
    async fn figures(&self) -> async_graphql::Result<BulletinFigures> {
        Ok(supervision::figures_of(&self.0)?)
    }

    /// Who published it.
    async fn published_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.published_by, "user").await?))
    }

    /// When (UTC).
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
}

connection!(
    BulletinConnection,
    BulletinEdge,
    Bulletin,
    "A page of bulletins, latest first.",
    "A bulletin and its cursor."
);
