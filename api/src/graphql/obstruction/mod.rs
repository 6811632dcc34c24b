//! Obstruction cases (惩治查处): reported, accepted, investigated, handled and answered.

pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, InputObject, Object};
use entity::obstruction_case::{ObstructionStage, ObstructionStatus};
use uuid::Uuid;

pub use objects::{ObstructionCase, ObstructionCaseConnection, ObstructionStep};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::obstruction::{self, Advance, CaseFilter, NewObstruction, ObstructionAction};
use crate::service::page::PageRequest;

/// An obstruction to report.
#[derive(InputObject)]
pub struct ReportObstructionInput {
    /// Chosen by the client (a UUID), so that a retry is not reported twice.
    pub id: Option<Uuid>,
    /// The project hindered.
    pub project_id: Uuid,
    /// The stage hindered.
    pub stage: ObstructionStage,
    /// The unit accused, if one is.
    pub accused_unit_id: Option<Uuid>,
    /// The accused person or unit in words, up to 200 characters. A unit, words or both.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub accused: Option<String>,
    /// What happened, 10 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub description: String,
    /// The evidence offered, 2 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub evidence: String,
}

/// A step of an obstruction case and what it carries.
#[derive(InputObject)]
pub struct AdvanceObstructionInput {
    /// The step.
    pub action: ObstructionAction,
    /// A note, up to 5000 characters; required to INVESTIGATE.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub note: Option<String>,
    /// ACCEPT: the investigators, 1 to 10 active people, none of the accused unit.
    #[graphql(default, validator(max_items = 10))]
    pub investigator_ids: Vec<Uuid>,
    /// HANDLE: what was decided, 2 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub outcome: Option<String>,
    /// HANDLE: whether the accusation is upheld.
    pub upheld: Option<bool>,
    /// ANSWER: what the reporter is told, 2 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub feedback: Option<String>,
}

/// Narrows a list of obstruction cases.
#[derive(InputObject, Default)]
pub struct ObstructionCaseFilter {
    /// Cases in this status.
    pub status: Option<ObstructionStatus>,
    /// Cases about this stage.
    pub stage: Option<ObstructionStage>,
    /// Cases about this project.
    pub project_id: Option<Uuid>,
}

#[derive(Default)]
pub struct ObstructionQuery;

#[Object]
impl ObstructionQuery {
    /// One obstruction case. One the caller may not see — above all one accusing the caller's unit —
    /// is `NOT_FOUND`.
    async fn obstruction_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's id.")] id: Uuid,
    ) -> async_graphql::Result<ObstructionCase> {
        let actor = ctx.actor()?;
        Ok(ObstructionCase(obstruction::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Obstruction cases the caller sees, newest first: the office and leaders all; others those they
    /// investigate or reported, never one accusing their unit.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn obstruction_cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ObstructionCaseFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ObstructionCaseConnection> {
        let state = ctx.state()?;
        let reach = obstruction::reach(ctx.caller()?);
        let f = filter.unwrap_or_default();
        let filter = CaseFilter { status: f.status, stage: f.stage, project_id: f.project_id };
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            obstruction::count(&db, reach, &filter).await
        });
        let fetch = |page: PageRequest| async move { obstruction::list(&state.db, reach, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: obstruction::cursor, node: ObstructionCase }).await?)
    }
}

#[derive(Default)]
pub struct ObstructionMutation;

#[Object]
impl ObstructionMutation {
    /// Reports a person or unit hindering a project's landing, start or production (惩治查处). Any
    /// signed-in person; integration keys may not. Replaying the same report returns the stored case;
    /// other content under its id is `CONFLICT`.
    async fn report_obstruction(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The report.")] input: ReportObstructionInput,
    ) -> async_graphql::Result<ObstructionCase> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let new = NewObstruction {
            id: input.id,
            project_id: input.project_id,
            stage: input.stage,
            accused_unit_id: input.accused_unit_id,
            accused: input.accused,
            description: input.description,
            evidence: input.evidence,
        };
        Ok(ObstructionCase(obstruction::report(&state.db, &actor, new, state.config.clock.now()).await?))
    }

    /// Moves a case on: ACCEPT (受理, the office, naming investigators) → INVESTIGATE (调查) → HANDLE
    /// (处理, the outcome and whether it is upheld) → ANSWER (反馈, what the reporter is told); the
    /// later steps by the office or an investigator. A step out of order is `BAD_USER_INPUT`.
    async fn advance_obstruction(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
        #[graphql(desc = "The step.")] input: AdvanceObstructionInput,
    ) -> async_graphql::Result<ObstructionCase> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let step = Advance {
            note: input.note,
            investigator_ids: input.investigator_ids,
            outcome: input.outcome,
            upheld: input.upheld,
            feedback: input.feedback,
        };
        let now = state.config.clock.now();
        Ok(ObstructionCase(obstruction::advance(&state.db, &actor, id, input.action, step, now).await?))
    }
}
