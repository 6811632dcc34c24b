//! Backward schedules (工期倒排): laying one out from a deadline, replanning, finishing milestones.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::ScheduleStepInput;
pub use objects::{Milestone, SchedulePlan};

use super::context::ContextExt;
use super::scalars::Date;
use crate::service::schedule;

#[derive(Default)]
pub struct ScheduleMutation;

#[Object]
impl ScheduleMutation {
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
}
