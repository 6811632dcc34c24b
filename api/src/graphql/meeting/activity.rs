//! The leaders' own record as clients read it.

use async_graphql::{Context, Object, SimpleObject};
use entity::meeting::MeetingKind;

use crate::graphql::account::User;
use crate::graphql::context::load;
use crate::service::meeting::Activity;

/// Held meetings of one kind.
#[derive(SimpleObject)]
pub struct MeetingKindCount {
    /// The kind.
    pub kind: MeetingKind,
    /// How many.
    pub count: i32,
}

fn int(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One leader's record over a year or quarter (领导履职); every figure counts stored rows.
pub struct LeaderActivity(pub Activity);

/// One leader's record over a year or quarter (领导履职); every figure counts stored rows.
#[Object]
impl LeaderActivity {
    /// The leader.
    async fn leader(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.leader, "user").await?))
    }

    /// Meetings the leader chaired that were held (HELD or MINUTES_PUBLISHED) in the period.
    async fn meetings_chaired(&self) -> i32 {
        int(self.0.meetings.iter().map(|k| k.count).sum())
    }

    /// The same, by kind (kinds with none left out).
    async fn meetings_by_kind(&self) -> Vec<MeetingKindCount> {
        self.0.meetings.iter().map(|k| MeetingKindCount { kind: k.kind, count: int(k.count) }).collect()
    }

    /// Distinct projects on the agendas of those meetings (调度项目).
    async fn projects_dispatched(&self) -> i32 {
        int(self.0.projects_dispatched)
    }

    /// Distinct projects the leader inspected on site in the period (their inspections).
    async fn projects_visited(&self) -> i32 {
        int(self.0.projects_visited)
    }

    /// Instructions (批示) the leader wrote on issues in the period.
    async fn instructions(&self) -> i32 {
        int(self.0.instructions)
    }

    /// Issues escalated to the leader in the period.
    async fn issues_escalated(&self) -> i32 {
        int(self.0.issues_escalated)
    }

    /// How many of those are closed off.
    async fn escalated_closed(&self) -> i32 {
        int(self.0.escalated_closed)
    }

    /// Median days from escalation to close-off of those closed, to a tenth of a day.
    async fn median_days_to_close(&self) -> Option<f64> {
        self.0.median_days_to_close
    }

    /// Action items handed out at the leader's meetings of the period.
    async fn action_items(&self) -> i32 {
        int(self.0.items)
    }

    /// Of those, reported done on or before the deadline (DONE or VERIFIED).
    async fn action_items_done_on_time(&self) -> i32 {
        int(self.0.items_done_on_time)
    }

    /// Reported done after the deadline.
    async fn action_items_done_late(&self) -> i32 {
        int(self.0.items_done_late)
    }

    /// Still OPEN past the deadline today.
    async fn action_items_overdue(&self) -> i32 {
        int(self.0.items_overdue)
    }

    /// Still OPEN within the deadline.
    async fn action_items_open(&self) -> i32 {
        int(self.0.items_open)
    }
}
