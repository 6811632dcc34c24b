//! Unit assessment (考核) with rewards and the one-vote veto (一票否决).

mod awards;
pub(crate) mod objects;
mod prefetch;

use async_graphql::{Context, InputObject, Object};
use entity::assessment_veto::VetoCondition;
use uuid::Uuid;

pub use awards::{Award, AwardYear};
pub use objects::{AssessmentRun, AssessmentScheme, AssessmentStanding, AssessmentVeto, MetricResult, UnitScorecard};

use super::context::ContextExt;
use super::scalars::{Decimal, MaxChars};
use crate::service::assessment::{
    self, AssessPeriod, AssessmentMetric, NewAward, NewScheme, NewVeto, Reach, SchemeMetric, SchemeVeto,
};
use crate::service::money::wan_to_fen;

fn period(raw: &str) -> async_graphql::Result<AssessPeriod> {
    Ok(AssessPeriod::parse("period", raw)?)
}

/// A metric of a scheme and its weight.
#[derive(InputObject)]
pub struct WeightedMetricInput {
    /// What it measures.
    pub metric: AssessmentMetric,
    /// Its weight, 1 to 100.
    pub weight: i32,
}

/// A veto condition of a scheme.
#[derive(InputObject)]
pub struct VetoConditionInput {
    /// The condition.
    pub condition: VetoCondition,
    /// True for each run to find it in the data (not for OTHER); false for the office to record it.
    pub automatic: bool,
}

/// A scheme to publish.
#[derive(InputObject)]
pub struct AssessmentSchemeInput {
    /// Its name, 2 to 200 characters; publishing the same name and year again makes the next version.
    #[graphql(validator(custom = "MaxChars(200)"))]
    pub name: String,
    /// The year it assesses, 2000 to 2100.
    pub year: i32,
    /// The metrics, 1 to 8, each once.
    #[graphql(validator(max_items = 8))]
    pub metrics: Vec<WeightedMetricInput>,
    /// The veto conditions, each once, at most 4.
    #[graphql(default, validator(max_items = 4))]
    pub veto_conditions: Vec<VetoConditionInput>,
    /// Public funds (公用经费) deducted for each automatic veto, 万元 (0 or more, at most six decimals).
    pub deduction_per_veto: Decimal,
}

/// A veto the office records.
#[derive(InputObject)]
pub struct VetoUnitInput {
    /// The unit.
    pub unit_id: Uuid,
    /// The period, `2026` or `2026-Q3`.
    #[graphql(validator(custom = "MaxChars(8)"))]
    pub period: String,
    /// The condition.
    pub condition: VetoCondition,
    /// Why, 2 to 2000 characters.
    #[graphql(validator(custom = "MaxChars(2000)"))]
    pub reason: String,
    /// Public funds (公用经费) deducted, 万元 (0 or more, at most six decimals).
    pub deduction: Decimal,
}

/// An award to grant: to a unit or to a person.
#[derive(InputObject)]
pub struct GrantAwardInput {
    /// The unit rewarded (or `userId`).
    pub unit_id: Option<Uuid>,
    /// The person rewarded (or `unitId`).
    pub user_id: Option<Uuid>,
    /// The period it rewards, `2026` or `2026-Q3`.
    #[graphql(validator(custom = "MaxChars(8)"))]
    pub period: String,
    /// The amount, 万元 (above 0, at most six decimals).
    pub amount: Decimal,
    /// What it rewards, 2 to 2000 characters.
    #[graphql(validator(custom = "MaxChars(2000)"))]
    pub basis: String,
}

#[derive(Default)]
pub struct AssessmentQuery;

#[Object]
impl AssessmentQuery {
    /// The assessment schemes of a year, newest first (at most 50). Every signed-in person.
    async fn assessment_schemes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.", validator(minimum = 2000, maximum = 2100))] year: i32,
        #[graphql(desc = "Also versions replaced by a newer one (default false).", default = false)] all_versions: bool,
    ) -> async_graphql::Result<Vec<AssessmentScheme>> {
        ctx.caller()?;
        let rows = assessment::schemes(&ctx.state()?.db, year, all_versions).await?;
        Ok(rows.into_iter().map(AssessmentScheme).collect())
    }

    /// One run: the office and leaders see drafts too; anyone else a published run only.
    async fn assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run.")] run_id: Uuid,
    ) -> async_graphql::Result<AssessmentRun> {
        let reach = Reach::of(ctx.caller()?);
        Ok(AssessmentRun(assessment::find_run(&ctx.state()?.db, reach, run_id).await?))
    }

    /// The runs of a period, newest first (at most 50): drafts only to the office and leaders.
    async fn assessments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The period, `2026` or `2026-Q3`.", validator(custom = "MaxChars(8)"))] period: String,
    ) -> async_graphql::Result<Vec<AssessmentRun>> {
        let period = self::period(&period)?;
        let reach = Reach::of(ctx.caller()?);
        Ok(assessment::runs(&ctx.state()?.db, reach, period).await?.into_iter().map(AssessmentRun).collect())
    }

    /// A unit's scorecard for a period from the newest run, with every metric's inputs: a unit its
    /// own at once (its rank once published); the office and leaders every unit's.
    async fn unit_scorecard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] unit_id: Uuid,
        #[graphql(desc = "The period, `2026` or `2026-Q3`.", validator(custom = "MaxChars(8)"))] period: String,
    ) -> async_graphql::Result<UnitScorecard> {
        let period = self::period(&period)?;
        let reach = Reach::of(ctx.caller()?);
        let (run, standing) = assessment::scorecard(&ctx.state()?.db, reach, unit_id, period).await?;
        Ok(UnitScorecard { run, standing, reach })
    }

    /// The awards of a year with their totals. Every signed-in person: honours are public.
    async fn awards(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.", validator(minimum = 2000, maximum = 2100))] year: i32,
    ) -> async_graphql::Result<AwardYear> {
        ctx.caller()?;
        Ok(AwardYear(year))
    }
}

#[derive(Default)]
pub struct AssessmentMutation;

#[Object]
impl AssessmentMutation {
    /// Publishes an assessment scheme, or the next version of one with the same name and year.
    /// Runs made with earlier versions keep them. ADMIN.
    async fn publish_assessment_scheme(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheme.")] input: AssessmentSchemeInput,
    ) -> async_graphql::Result<AssessmentScheme> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let metrics = input
            .metrics
            .into_iter()
            .map(|m| SchemeMetric { metric: m.metric, weight: u32::try_from(m.weight).unwrap_or(0) })
            .collect();
        let vetoes = input
            .veto_conditions
            .into_iter()
            .map(|v| SchemeVeto { condition: v.condition, automatic: v.automatic })
            .collect();
        let new = NewScheme {
            name: input.name,
            year: input.year,
            metrics,
            vetoes,
            deduction_fen: wan_to_fen("deductionPerVeto", input.deduction_per_veto.0)?,
        };
        Ok(AssessmentScheme(assessment::publish_scheme(&state.db, &actor, new, state.config.clock.now()).await?))
    }

    /// Runs a scheme version over a period as of today and freezes every unit's figures, score and
    /// rank. When nothing changed since the newest run of the same scheme and period, returns that
    /// run; otherwise makes a new DRAFT run. ADMIN.
    async fn run_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The scheme version.")] scheme_id: Uuid,
        #[graphql(desc = "The period, `2026` or `2026-Q3`, of the scheme's year.", validator(custom = "MaxChars(8)"))]
        period: String,
    ) -> async_graphql::Result<AssessmentRun> {
        let period = self::period(&period)?;
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(AssessmentRun(assessment::run(&state.db, &actor, scheme_id, period, clock.now(), clock.day()).await?))
    }

    /// Publishes a run: every unit then sees the ranking. ADMIN.
    async fn publish_assessment(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The run.")] run_id: Uuid,
    ) -> async_graphql::Result<AssessmentRun> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(AssessmentRun(assessment::publish(&state.db, &actor, run_id, state.config.clock.now()).await?))
    }

    /// Records a one-vote veto (一票否决) of a unit for a period with the reason and the public funds
    /// deducted. The next run ranks the unit last; its head is not eligible for honours that year.
    /// The same condition in force already is `CONFLICT`. ADMIN.
    async fn veto_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The veto.")] input: VetoUnitInput,
    ) -> async_graphql::Result<AssessmentVeto> {
        let period = self::period(&input.period)?;
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let new = NewVeto {
            unit_id: input.unit_id,
            period,
            condition: input.condition,
            reason: input.reason,
            deduction_fen: wan_to_fen("deduction", input.deduction.0)?,
        };
        Ok(AssessmentVeto(assessment::veto_unit(&state.db, &actor, new, state.config.clock.now()).await?))
    }

    /// Lifts every veto in force on a unit for a period, on the record. Frozen runs keep them; the
    /// next run does not. None in force is `NOT_FOUND`. ADMIN.
    async fn lift_veto(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] unit_id: Uuid,
        #[graphql(desc = "The period, `2026` or `2026-Q3`.", validator(custom = "MaxChars(8)"))] period: String,
        #[graphql(desc = "Why, 2 to 2000 characters.", validator(custom = "MaxChars(2000)"))] reason: String,
    ) -> async_graphql::Result<Vec<AssessmentVeto>> {
        let period = self::period(&period)?;
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let lifted =
            assessment::lift_veto(&state.db, &actor, unit_id, period, &reason, state.config.clock.now()).await?;
        Ok(lifted.into_iter().map(AssessmentVeto).collect())
    }

    /// Grants an award to a unit or a person. To a unit vetoed that year, or to its head, it is
    /// `CONFLICT`. ADMIN.
    async fn grant_award(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The award.")] input: GrantAwardInput,
    ) -> async_graphql::Result<Award> {
        let period = self::period(&input.period)?;
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let new = NewAward {
            unit_id: input.unit_id,
            user_id: input.user_id,
            period,
            amount_fen: wan_to_fen("amount", input.amount.0)?,
            basis: input.basis,
        };
        Ok(Award(assessment::grant_award(&state.db, &actor, new, state.config.clock.now()).await?))
    }
}
