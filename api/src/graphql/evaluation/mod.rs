//! The quarterly evaluation of the project-building environment (项目建设环境集中测评).

pub(crate) mod objects;

use async_graphql::{Context, InputObject, Object};
use uuid::Uuid;

pub use objects::{CriterionScore, EnvironmentEvaluation, EvaluationCriterion, EvaluationResult, OpenedEvaluation};

use super::context::ContextExt;
use super::scalars::Date;
use crate::error::AppError;
use crate::service::evaluation::{self, NewEvaluation, Respondent, Response, Score};

/// An evaluation to open.
#[derive(InputObject)]
pub struct OpenEnvironmentEvaluationInput {
    /// The year, 2000 to 2100.
    pub year: i32,
    /// The quarter, 1 to 4.
    pub quarter: i32,
    /// Its title, 2 to 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub title: String,
    /// A checklist template version (see `publishChecklistTemplate`) whose NUMBER items, each with a
    /// min and a max, are the criteria (效率, 态度, 廉洁, …); TEXT items are allowed, nothing else.
    pub template_id: Uuid,
    /// The first day responses are taken (today when omitted).
    pub opens_on: Option<Date>,
    /// The last day responses are taken, at most 120 days after the first.
    pub closes_on: Date,
    /// Responses a department needs for its result to be significant, 1 to 1000 (default 5).
    #[graphql(default = 5)]
    pub min_responses: i32,
    /// The functional departments scored, 1 to 200.
    #[graphql(validator(max_items = 200))]
    pub scored_unit_ids: Vec<Uuid>,
    /// The units whose people answer (project owners, enterprises), up to 500.
    #[graphql(default, validator(max_items = 500))]
    pub respondent_unit_ids: Vec<Uuid>,
    /// One-time links to make for outside respondents without an account, 0 to 500.
    #[graphql(default = 0, validator(minimum = 0, maximum = 500))]
    pub outside_links: i32,
}

/// A score given to one department on one criterion.
#[derive(InputObject)]
pub struct EvaluationScoreInput {
    /// The department scored.
    pub unit_id: Uuid,
    /// The criterion's key.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(64)"))]
    pub criterion: String,
    /// The score, within the criterion's range.
    pub score: f64,
}

/// A comment on one department.
#[derive(InputObject)]
pub struct EvaluationCommentInput {
    /// The department, one the response scores.
    pub unit_id: Uuid,
    /// The comment, 1 to 1000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(1000)"))]
    pub text: String,
}

/// A response to an evaluation.
#[derive(InputObject)]
pub struct RespondToEvaluationInput {
    /// The evaluation.
    pub evaluation_id: Uuid,
    /// A one-time link's token, for an outside respondent (no sign-in needed); omitted when a
    /// signed-in person of a respondent unit answers.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(80)"))]
    pub token: Option<String>,
    /// The scores: every department scored gets every criterion. 1 to 2000.
    #[graphql(validator(max_items = 2000))]
    pub scores: Vec<EvaluationScoreInput>,
    /// Comments on departments scored, at most 200.
    #[graphql(default, validator(max_items = 200))]
    pub comments: Vec<EvaluationCommentInput>,
}

#[derive(Default)]
pub struct EvaluationQuery;

#[Object]
impl EvaluationQuery {
    /// The environment evaluations of a year, by quarter (at most 50). Every signed-in person.
    async fn environment_evaluations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.", validator(minimum = 2000, maximum = 2100))] year: i32,
    ) -> async_graphql::Result<Vec<EnvironmentEvaluation>> {
        ctx.caller()?;
        let rows = evaluation::evaluations(&ctx.state()?.db, year).await?;
        EnvironmentEvaluation::all(ctx, rows).await
    }

    /// An evaluation's results: per department the mean on each criterion and overall, the number of
    /// responses, whether that is significant, the rank among the significant, and the comments —
    /// never who gave them. The office, leaders and inspectors see every department; a department
    /// its own result. While the evaluation is open the figures move; once closed they stand.
    async fn evaluation_results(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation.")] id: Uuid,
    ) -> async_graphql::Result<Vec<EvaluationResult>> {
        let scope = evaluation::results_scope(ctx.caller()?);
        let rows = evaluation::results(&ctx.state()?.db, id, scope).await?;
        let look = ctx.look_ahead().field("unit");
        let units = rows.iter().map(|r| r.unit_id);
        crate::graphql::prefetch::prime_related::<entity::unit::Entity>(ctx, look, units).await?;
        Ok(rows.into_iter().map(EvaluationResult).collect())
    }
}

#[derive(Default)]
pub struct EvaluationMutation;

#[Object]
impl EvaluationMutation {
    /// Opens a quarter's environment evaluation (项目建设环境集中测评) and makes its one-time links.
    /// A second open evaluation of the same quarter is `CONFLICT`. ADMIN.
    async fn open_environment_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation.")] input: OpenEnvironmentEvaluationInput,
    ) -> async_graphql::Result<OpenedEvaluation> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let new = NewEvaluation {
            year: input.year,
            quarter: input.quarter,
            title: input.title,
            template_id: input.template_id,
            opens_on: input.opens_on.map(|d| d.0),
            closes_on: input.closes_on.0,
            min_responses: input.min_responses,
            scored_unit_ids: input.scored_unit_ids,
            respondent_unit_ids: input.respondent_unit_ids,
            outside_links: u32::try_from(input.outside_links).unwrap_or(0),
        };
        let (opened, links) = evaluation::open(&state.db, &actor, new, clock.now(), clock.day()).await?;
        Ok(OpenedEvaluation { evaluation: EnvironmentEvaluation::one(ctx, opened).await?, links })
    }

    /// Answers an evaluation, once: a signed-in person of a respondent unit, or anyone holding a
    /// one-time link's token (no sign-in). The departments scored see their scores, never who gave
    /// them. Returns true.
    async fn respond_to_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The response.")] input: RespondToEvaluationInput,
    ) -> async_graphql::Result<bool> {
        let state = ctx.state()?;
        let clock = state.config.clock;
        let caller = ctx.caller();
        let who = match (&input.token, &caller) {
            (Some(token), _) => Respondent::Link(token),
            (None, Ok(caller)) => Respondent::Person(caller),
            (None, Err(_)) => {
                return Err(AppError::Unauthenticated("sign in, or answer through a one-time link").into());
            }
        };
        let response = Response {
            scores: input
                .scores
                .into_iter()
                .map(|s| Score { unit_id: s.unit_id, criterion: s.criterion, score: s.score })
                .collect(),
            comments: input.comments.into_iter().map(|c| (c.unit_id, c.text)).collect(),
        };
        let secret = state.config.jwt_secret.expose();
        evaluation::respond(&state.db, secret, input.evaluation_id, who, response, clock.now(), clock.day()).await?;
        Ok(true)
    }

    /// Closes an evaluation before its last day; its results stand from then. ADMIN.
    async fn close_environment_evaluation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The evaluation.")] id: Uuid,
    ) -> async_graphql::Result<EnvironmentEvaluation> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let closed = evaluation::close(&state.db, &actor, id, state.config.clock.now()).await?;
        EnvironmentEvaluation::one(ctx, closed).await
    }
}
