//! Backward schedules (工期倒排) as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::{milestone, schedule_plan};
use uuid::Uuid;

use crate::graphql::context::ContextExt;
use crate::graphql::scalars::Date;
use crate::service::schedule;

/// One step of a backward schedule (工期倒排).
pub struct Milestone(pub milestone::Model);

/// One step of a backward schedule (工期倒排).
#[Object]
impl Milestone {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Step name, e.g. `主体施工`.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Order within the schedule, from 0.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// Planned length in days.
    async fn duration_days(&self) -> i32 {
        self.0.duration_days
    }

    /// Planned start.
    async fn planned_start(&self) -> Date {
        Date(self.0.planned_start)
    }

    /// Planned finish.
    async fn planned_finish(&self) -> Date {
        Date(self.0.planned_finish)
    }

    /// Actual finish, once done.
    async fn actual_finish(&self) -> Option<Date> {
        self.0.actual_finish.map(Date)
    }

    /// Days late: for a done milestone, actual minus planned finish (negative when early); for an
    /// open one, days past its planned finish as of today (0 while not yet due).
    async fn days_late(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(schedule::days_late(&self.0, ctx.state()?.config.clock.today()))
    }
}

/// One version of a project's backward schedule.
pub struct SchedulePlan {
    plan: schedule_plan::Model,
    milestones: Vec<milestone::Model>,
}

/// One version of a project's backward schedule.
#[Object]
impl SchedulePlan {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.plan.id
    }

    /// 1 for the first plan, +1 for each replanning.
    async fn version(&self) -> i32 {
        self.plan.version
    }

    /// The deadline the steps were laid back from.
    async fn deadline(&self) -> Date {
        Date(self.plan.deadline)
    }

    /// Whether this is the plan in force.
    async fn is_current(&self) -> bool {
        self.plan.is_current
    }

    /// When the plan was made (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.plan.created_at
    }

    /// The plan's steps, in order.
    async fn milestones(&self) -> Vec<Milestone> {
        self.milestones.iter().cloned().map(Milestone).collect()
    }
}

impl SchedulePlan {
    pub fn new(plan: schedule_plan::Model, milestones: Vec<milestone::Model>) -> Self {
        Self { plan, milestones }
    }
}
