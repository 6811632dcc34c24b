//! Schemes, runs, standings, scorecards, vetoes and awards as clients read them.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::assessment_run::RunStatus;
use entity::assessment_veto::{VetoCondition, VetoSource};
use entity::{assessment_result, assessment_run, assessment_scheme, assessment_veto};
use uuid::Uuid;

use crate::graphql::account::{Unit, User};
use crate::graphql::context::on_heap;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::pagination::{ListSpec, connection, deferred, list};
use crate::graphql::scalars::{Date, Decimal};
use crate::service::assessment::{self, AssessmentMetric, Reach, StandingFilter};
use crate::service::money::fen_to_wan;
use crate::service::page::PageRequest;

pub(super) fn wan(fen: i64) -> Decimal {
    Decimal(fen_to_wan(fen))
}

/// A metric of a scheme and its weight.
#[derive(SimpleObject)]
pub struct WeightedMetric {
    /// What it measures.
    pub metric: AssessmentMetric,
    /// Its weight, 1 to 100.
    pub weight: i32,
}

/// A veto condition of a scheme.
#[derive(SimpleObject)]
pub struct SchemeVetoCondition {
    /// The condition.
    pub condition: VetoCondition,
    /// True when each run finds it in the data; false when the office records it (`vetoUnit`).
    pub automatic: bool,
}

/// A version of an assessment scheme (考核办法).
pub struct AssessmentScheme(pub assessment_scheme::Model);

/// A version of an assessment scheme (考核办法): a year's metrics with weights and its one-vote veto
/// conditions. A published version never changes; the next one replaces it as current.
#[Object]
impl AssessmentScheme {
    /// Stable identifier of this version.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The year it assesses.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// 1 for the first version of the name and year, then 2, …
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Whether this is the newest version.
    async fn current(&self) -> bool {
        self.0.is_current
    }

    /// The metrics and their weights.
    async fn metrics(&self) -> async_graphql::Result<Vec<WeightedMetric>> {
        let metrics = assessment::metrics_of(&self.0)?;
        Ok(metrics.into_iter().map(|m| WeightedMetric { metric: m.metric, weight: m.weight as i32 }).collect())
    }

    /// The one-vote veto conditions.
    async fn veto_conditions(&self) -> async_graphql::Result<Vec<SchemeVetoCondition>> {
        let vetoes = assessment::vetoes_of(&self.0)?;
        Ok(vetoes.into_iter().map(|v| SchemeVetoCondition { condition: v.condition, automatic: v.automatic }).collect())
    }

    /// Public funds (公用经费) deducted for each automatic veto, 万元.
    async fn deduction_per_veto(&self) -> Decimal {
        wan(self.0.deduction_fen)
    }

    /// When it was published.
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }

    /// Who published it.
    async fn published_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.published_by, "user").await?))
    }
}

/// A frozen run of a scheme over a period.
pub struct AssessmentRun(pub assessment_run::Model);

/// A frozen run of a scheme over a period: every department's and township's figures, score and
/// rank as they stood when it was made. Later changes of the scheme or the data never change it.
#[Object]
impl AssessmentRun {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The scheme version used.
    async fn scheme(&self, ctx: &Context<'_>) -> async_graphql::Result<AssessmentScheme> {
        Ok(AssessmentScheme(load::<assessment_scheme::Entity>(ctx, self.0.scheme_id, "assessment scheme").await?))
    }

    /// The period, `2026` or `2026-Q3`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// The day the figures were taken: only what fell due before it counts.
    async fn as_of(&self) -> Date {
        Date(self.0.as_of)
    }

    /// DRAFT until the office publishes it.
    async fn status(&self) -> RunStatus {
        self.0.status
    }

    /// SHA-256 of the frozen figures; a run that would freeze the same figures is this one.
    async fn fingerprint(&self) -> &str {
        &self.0.fingerprint
    }

    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it was published; null for a draft.
    async fn published_at(&self) -> Option<DateTime<Utc>> {
        self.0.published_at
    }

    /// The ranking, best first (vetoed units last whatever their score).
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn standings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only vetoed (true) or only other (false) units.")] vetoed: Option<bool>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<AssessmentStandingConnection> {
        let db = &ctx.state()?.db;
        let filter = StandingFilter { vetoed };
        let run = self.0.id;
        let count = deferred(db.clone(), move |db| async move { assessment::count_standings(&db, run, filter).await });
        let fetch = |page: PageRequest| async move { assessment::standings(db, &self.0, filter, &page).await };
        let spec = ListSpec { fetch, count, key: assessment::standing_cursor, node: AssessmentStanding };
        Ok(list(ctx, first, after, spec).await?)
    }
}

/// A unit's place in a run.
pub struct AssessmentStanding(pub assessment_result::Model);

/// A unit's place in a run: its score and rank (its figures are on its scorecard).
#[Object]
impl AssessmentStanding {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The weighted score, 0 to 100; null when no metric applied to the unit.
    async fn score(&self) -> Option<f64> {
        self.0.score
    }

    /// 1 for the best; equal standing shares a rank; vetoed units come last.
    async fn rank(&self) -> i32 {
        self.0.rank
    }

    /// Whether a veto (一票否决) held for the unit.
    async fn vetoed(&self) -> bool {
        self.0.vetoed
    }
}

connection!(
    AssessmentStandingConnection,
    AssessmentStandingEdge,
    AssessmentStanding,
    "A page of a run's standings.",
    "A standing and its cursor."
);

/// One metric of a scorecard with its inputs.
#[derive(SimpleObject)]
pub struct MetricResult {
    /// What it measures.
    pub metric: AssessmentMetric,
    /// Its weight in the scheme.
    pub weight: i32,
    /// What was met: a count; 万元 for investment and funding; the sum of scaled means for the
    /// evaluation score.
    pub numerator: f64,
    /// What was due: a count; 万元 (pro-rated) for investment and funding; the evaluations counted
    /// for the evaluation score.
    pub denominator: f64,
    /// The share, 0 to 1; null when nothing was due, and the weight then left out of the score.
    pub value: Option<f64>,
}

impl From<assessment::FrozenMetric> for MetricResult {
    fn from(m: assessment::FrozenMetric) -> Self {
        let money =
            matches!(m.metric, AssessmentMetric::InvestmentAgainstPlan | AssessmentMetric::FundingAgainstTarget);
        let scale = if money { 1_000_000.0 } else { 1.0 };
        Self {
            metric: m.metric,
            weight: m.weight as i32,
            numerator: m.numerator / scale,
            denominator: m.denominator / scale,
            value: m.value,
        }
    }
}

/// A unit's scorecard for a period.
pub struct UnitScorecard {
    pub run: assessment_run::Model,
    pub standing: assessment_result::Model,
    pub reach: Reach,
}

/// A unit's scorecard for a period, from the newest run: every metric's inputs, its score, its
/// vetoes and what they cost it. A unit sees its own at once; its rank once the run is published.
#[Object]
impl UnitScorecard {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.standing.unit_id, "unit").await?))
    }

    /// The run it comes from.
    async fn run(&self) -> AssessmentRun {
        AssessmentRun(self.run.clone())
    }

    /// The weighted score, 0 to 100; null when no metric applied.
    async fn score(&self) -> Option<f64> {
        self.standing.score
    }

    /// The rank; null to the unit itself until the run is published.
    async fn rank(&self) -> Option<i32> {
        (self.reach.sees_drafts() || self.run.status == RunStatus::Published).then_some(self.standing.rank)
    }

    /// Whether a veto held at the run.
    async fn vetoed(&self) -> bool {
        self.standing.vetoed
    }

    /// Public funds (公用经费) deducted for the vetoes that held at the run, 万元.
    async fn deduction(&self) -> Decimal {
        wan(self.standing.deduction_fen)
    }

    /// Every metric with its inputs.
    async fn metrics(&self) -> async_graphql::Result<Vec<MetricResult>> {
        Ok(assessment::frozen_metrics(&self.standing)?.into_iter().map(MetricResult::from).collect())
    }

    /// The vetoes of the unit for the period on the record now, in force or lifted.
    async fn vetoes(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AssessmentVeto>> {
        on_heap(async move {
            let period = assessment::AssessPeriod::parse("period", &self.run.period)?;
            let rows = assessment::vetoes_for(&ctx.state()?.db, self.standing.unit_id, period).await?;
            Ok(rows.into_iter().map(AssessmentVeto).collect())
        })
        .await
    }

    /// Whether the unit's head (一把手) may be put forward for honours (评先) this year: not while a
    /// veto of the unit for the year or any of its quarters is in force.
    async fn head_eligible_for_honours(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        on_heap(async move {
            let year = assessment::AssessPeriod::parse("period", &self.run.period)?.year;
            Ok(assessment::head_eligible(&ctx.state()?.db, self.standing.unit_id, year).await?)
        })
        .await
    }
}

/// A one-vote veto (一票否决) of a unit for a period.
pub struct AssessmentVeto(pub assessment_veto::Model);

/// A one-vote veto (一票否决) of a unit for a period: the unit ranks last, its head is not eligible
/// for honours that year, and the public funds deducted are on record.
#[Object]
impl AssessmentVeto {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The unit vetoed.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The period, `2026` or `2026-Q3`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// The condition.
    async fn condition(&self) -> VetoCondition {
        self.0.condition
    }

    /// Found by a run, or recorded by the office.
    async fn source(&self) -> VetoSource {
        self.0.source
    }

    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }

    /// Public funds (公用经费) deducted, 万元.
    async fn deduction(&self) -> Decimal {
        wan(self.0.deduction_fen)
    }

    /// When it was recorded.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }

    /// When ADMIN lifted it; null while in force.
    async fn lifted_at(&self) -> Option<DateTime<Utc>> {
        self.0.lifted_at
    }

    /// Why it was lifted.
    async fn lift_reason(&self) -> Option<&str> {
        self.0.lift_reason.as_deref()
    }
}
