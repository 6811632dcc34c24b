//! Coordination cases (协调事项): 一项一策 and 一事一议, their measures, decisions and linked records.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::{CaseFilter, CaseMeasureInput, OpenCaseInput};
use inputs::{decision, targets};
pub use objects::{Case, CaseConnection, CaseLink, CaseMeasure};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use super::scalars::Date;
use crate::service::case::{self as cases, CaseAction, CaseFilter as Filter, Decision, NewCase, NewMeasure};
use crate::service::page::PageRequest;

#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// One case. A case the caller may not see is `NOT_FOUND`, exactly as if it did not exist.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's id.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        Ok(Case(cases::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Cases the caller can see, newest first. DEPARTMENT users see the cases their unit leads or
    /// takes part in and those of projects their unit is responsible for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CaseFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<CaseConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let filter = Filter::from(filter.unwrap_or_default());
        let count = deferred((state.db.clone(), actor.clone(), filter.clone()), |(db, actor, filter)| async move {
            cases::count(&db, &actor, &filter).await
        });
        let fetch = |page: PageRequest| async move { cases::list(&state.db, &actor, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: cases::cursor, node: Case }).await?)
    }
}

#[derive(Default)]
pub struct CaseMutation;

async fn step(ctx: &Context<'_>, id: Uuid, action: CaseAction) -> async_graphql::Result<Case> {
    let actor = ctx.actor()?;
    Ok(Case(cases::transition(&ctx.state()?.db, &actor, id, action).await?))
}

#[Object]
impl CaseMutation {
    /// Opens a coordination case. The project office (ADMIN). A project has at most one open
    /// ONE_PROJECT_ONE_POLICY case; a second is `CONFLICT`.
    async fn open_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] input: OpenCaseInput,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let new = NewCase {
            kind: input.kind,
            project_id: input.project_id,
            title: input.title,
            policy: input.policy,
            lead_unit_id: input.lead_unit_id,
            unit_ids: input.unit_ids.unwrap_or_default(),
            measures: input.measures.unwrap_or_default().into_iter().map(NewMeasure::from).collect(),
            decision: decision(input.decision, input.decided_on, input.decided_by)?,
        };
        let state = ctx.state()?;
        Ok(Case(cases::open(&state.db, &actor, new, state.config.clock.today()).await?))
    }

    /// Links issues, inspections and photos to a case; linking what is already linked changes
    /// nothing. The office, an inspector, or the lead unit; never on a closed case.
    async fn link_to_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "Issues to link.")] issue_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Inspections to link.")] inspection_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Photos to link.")] photo_ids: Option<Vec<Uuid>>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let t = targets(issue_ids, inspection_ids, photo_ids);
        Ok(Case(cases::link(&ctx.state()?.db, &actor, case_id, t).await?))
    }

    /// Removes links from a case; who may link may unlink.
    async fn unlink_from_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "Issues to unlink.")] issue_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Inspections to unlink.")] inspection_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Photos to unlink.")] photo_ids: Option<Vec<Uuid>>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let t = targets(issue_ids, inspection_ids, photo_ids);
        Ok(Case(cases::unlink(&ctx.state()?.db, &actor, case_id, t).await?))
    }

    /// Adds measures to a case. The office or the lead unit.
    async fn add_case_measures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "The measures, appended in order.")] measures: Vec<CaseMeasureInput>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let measures = measures.into_iter().map(NewMeasure::from).collect();
        Ok(Case(cases::add_measures(&ctx.state()?.db, &actor, case_id, measures).await?))
    }

    /// Records a measure as done, or (with `doneOn: null`) as not done after all. The office, the
    /// lead unit, or the measure's owner.
    async fn complete_case_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The measure.")] measure_id: Uuid,
        #[graphql(desc = "When it was done; null to undo.")] done_on: Option<Date>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let today = state.config.clock.today();
        Ok(Case(cases::complete_measure(&state.db, &actor, measure_id, done_on.map(|d| d.0), today).await?))
    }

    /// Records the decision on a 一事一议 matter (replacing an earlier one), optionally at a meeting.
    /// The office or a leader.
    async fn decide_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
        #[graphql(desc = "What was decided, 1 to 5000 characters.")] decision: String,
        #[graphql(desc = "When.")] decided_on: Date,
        #[graphql(desc = "Who decided, e.g. 县政府常务会议.")] decided_by: String,
        #[graphql(desc = "The scheduling meeting where it was decided: one the caller may see that was held; \
                          the case then shows it as `decidedAt`.")]
        meeting_id: Option<Uuid>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let d = Decision { text: decision, decided_on: decided_on.0, decided_by };
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(Case(match meeting_id {
            Some(meeting) => {
                crate::service::meeting::decide_case(&state.db, &actor, id, d, meeting, clock.today(), clock.now())
                    .await?
            }
            None => cases::decide(&state.db, &actor, id, d, clock.today()).await?,
        }))
    }

    /// Starts work on an open case. The office or the lead unit.
    async fn start_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Start).await
    }

    /// Reports the case solved: every measure done and, for a matter, the decision recorded (else
    /// `CONFLICT` naming what is missing). The office or the lead unit.
    async fn resolve_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Resolve).await
    }

    /// Sends a resolved case back to work. The office.
    async fn reopen_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Reopen).await
    }

    /// Closes the case off. While any linked issue is not CLOSED this is `CONFLICT` naming those
    /// issues. The office.
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Close).await
    }
}
