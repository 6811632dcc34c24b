//! Scheduling meetings (调度会): their agendas, minutes, decisions and action items, and the leaders'
//! own record.

pub(crate) mod activity;
pub(crate) mod inputs;
pub(crate) mod item_prefetch;
pub(crate) mod items;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use activity::{LeaderActivity, MeetingKindCount};
pub use inputs::{
    ActionItemFilter, ActionItemInput, AgendaItemInput, DecisionInput, MeetingFilter, ScheduleMeetingInput,
};
pub use items::{ActionItem, ActionItemConnection, ActionItemEvent};
pub use objects::{AgendaItem, Meeting, MeetingConnection, MeetingDecision, MinutesVersion};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::meeting::{self as meetings, NewDecision, Quarter};
use crate::service::page::PageRequest;

#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    /// One meeting. A meeting the caller may not see is `NOT_FOUND`, exactly as if it did not exist.
    async fn meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's id.")] id: Uuid,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        Ok(Meeting(meetings::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Meetings the caller can see, latest start first. The office and leaders see every meeting;
    /// a unit sees the meetings it or its person was invited to, that discussed its projects or that
    /// handed it action items; an inspector sees meetings about projects.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<MeetingFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<MeetingConnection> {
        let state = ctx.state()?;
        let reach = meetings::reach(ctx.caller()?);
        let filter = filter.unwrap_or_default().into_service(state.config.clock.zone());
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            meetings::count(&db, reach, &filter).await
        });
        let fetch = |page: PageRequest| async move { meetings::list(&state.db, reach, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: meetings::cursor, node: Meeting }).await?)
    }

    /// One action item, as the caller may see it (else `NOT_FOUND`).
    async fn action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's id.")] id: Uuid,
    ) -> async_graphql::Result<ActionItem> {
        let actor = ctx.actor()?;
        Ok(ActionItem(meetings::find_item_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Action items the caller can see, nearest deadline first. A unit sees the items it owns or
    /// co-owns; `ownerUnitId` and `overdue` make its queue, `escalatedTo` a chair's.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ActionItemFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ActionItemConnection> {
        let state = ctx.state()?;
        let reach = meetings::reach(ctx.caller()?);
        let filter = filter.unwrap_or_default().into_service(state.config.clock.today());
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            meetings::count_items(&db, reach, &filter).await
        });
        let fetch = |page: PageRequest| async move { meetings::list_items(&state.db, reach, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: meetings::item_cursor, node: ActionItem }).await?)
    }

    /// Every leader's own record (领导履职) for a year or one quarter of it, by name: meetings
    /// chaired by kind, projects dispatched and visited, instructions on issues, issues escalated
    /// to them and how fast those closed, and how their meetings' action items fared. ADMIN and
    /// LEADER.
    async fn leader_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.")] year: i32,
        #[graphql(desc = "The quarter, 1 to 4; the whole year when omitted.")] quarter: Option<i32>,
    ) -> async_graphql::Result<Vec<LeaderActivity>> {
        let period = Quarter::new(year, quarter)?;
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let rows = meetings::leader_activity(&state.db, &actor, period, state.config.clock.day()).await?;
        Ok(rows.into_iter().map(LeaderActivity).collect())
    }
}

#[derive(Default)]
pub struct MeetingMutation;

#[Object]
impl MeetingMutation {
    /// Schedules a meeting. A LEADER schedules the meetings they chair; ADMIN schedules any. The
    /// chair is an active LEADER (or an ADMIN for PROJECT_OFFICE). Replaying the same create (same
    /// id, same content) returns the stored meeting; other content under that id is `CONFLICT`.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] input: ScheduleMeetingInput,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Meeting(meetings::schedule(&state.db, &actor, input.into(), state.config.clock.now()).await?))
    }

    /// Records that a SCHEDULED meeting was held, with the projects it dispatched (at least one, at
    /// most 100) and the opinion on each. The office or the chair.
    async fn hold_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] id: Uuid,
        #[graphql(desc = "The projects dispatched, in order.", validator(max_items = 100))] agenda: Vec<
            AgendaItemInput,
        >,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let agenda = agenda.into_iter().map(Into::into).collect();
        Ok(Meeting(meetings::hold(&state.db, &actor, id, agenda, state.config.clock.now()).await?))
    }

    /// Saves the draft of a HELD meeting's minutes. The office or the chair.
    async fn save_minutes_draft(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] id: Uuid,
        #[graphql(
            desc = "The draft, 1 to 50000 characters.",
            validator(custom = "crate::graphql::scalars::MaxChars(50000)")
        )]
        text: String,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Meeting(meetings::save_draft(&state.db, &actor, id, &text, state.config.clock.now()).await?))
    }

    /// Publishes the minutes (纪要) of a HELD meeting, which closes its record of decisions and
    /// items; on a meeting whose minutes are published, publishes a correction: a new version
    /// naming the one it replaces. Published versions never change. The office or the chair.
    async fn publish_minutes(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] id: Uuid,
        #[graphql(
            desc = "The minutes, 1 to 50000 characters.",
            validator(custom = "crate::graphql::scalars::MaxChars(50000)")
        )]
        text: String,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Meeting(meetings::publish_minutes(&state.db, &actor, id, &text, state.config.clock.now()).await?))
    }

    /// Calls off a SCHEDULED meeting. The office or the chair.
    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] id: Uuid,
        #[graphql(desc = "Why, 2 to 1000 characters.", validator(custom = "crate::graphql::scalars::MaxChars(1000)"))]
        reason: String,
    ) -> async_graphql::Result<Meeting> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Meeting(meetings::cancel(&state.db, &actor, id, &reason, state.config.clock.now()).await?))
    }

    /// Records a decision of a HELD meeting; it may decide a 一事一议 case and raise issues (source
    /// MEETING) that point back to the meeting. All or nothing. The office or the chair.
    async fn add_decision(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] meeting_id: Uuid,
        #[graphql(desc = "The decision.")] input: DecisionInput,
    ) -> async_graphql::Result<MeetingDecision> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let issues = input
            .issues
            .unwrap_or_default()
            .into_iter()
            .map(|i| i.into_new(entity::issue::IssueSource::Meeting))
            .collect();
        let new = NewDecision { text: input.text, case_id: input.case_id, issues };
        let clock = state.config.clock;
        Ok(MeetingDecision(meetings::add_decision(&state.db, &actor, meeting_id, new, clock.day(), clock.now()).await?))
    }

    /// Hands action items (交办事项) to units at a HELD meeting (1 to 50 a call). Items given with an
    /// id already stored with the same content are returned as stored. The office or the chair.
    async fn assign_action_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting.")] meeting_id: Uuid,
        #[graphql(desc = "The items, in order.", validator(max_items = 50))] items: Vec<ActionItemInput>,
    ) -> async_graphql::Result<Vec<ActionItem>> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let items = items.into_iter().map(Into::into).collect();
        let stored = meetings::assign(&state.db, &actor, meeting_id, items, clock.today(), clock.now()).await?;
        Ok(stored.into_iter().map(ActionItem).collect())
    }

    /// Reports an OPEN action item done, saying what was done. Its owner unit only.
    async fn report_action_item_done(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] id: Uuid,
        #[graphql(
            desc = "What was done, 2 to 5000 characters.",
            validator(custom = "crate::graphql::scalars::MaxChars(5000)")
        )]
        report: String,
    ) -> async_graphql::Result<ActionItem> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(ActionItem(meetings::report_done(&state.db, &actor, id, &report, clock.today(), clock.now()).await?))
    }

    /// Checks a DONE action item: `passed` makes it VERIFIED; otherwise it goes back to OPEN and
    /// `note` (required then) says why. The office.
    async fn verify_action_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] id: Uuid,
        #[graphql(desc = "Whether the work is accepted.")] passed: bool,
        #[graphql(
            desc = "Remarks; why, when not passed (2 to 2000 characters).",
            validator(custom = "crate::graphql::scalars::MaxChars(2000)")
        )]
        note: Option<String>,
    ) -> async_graphql::Result<ActionItem> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(ActionItem(
            meetings::verify(&state.db, &actor, id, passed, note.as_deref(), state.config.clock.now()).await?,
        ))
    }

    /// Sends the supervision notices and escalations of overdue action items that are due now (the
    /// server also does this by itself every few minutes). ADMIN. Returns how many steps it took.
    async fn escalate_overdue_action_items(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        ctx.actor()?.require_role(&[entity::user::Role::Admin], "run escalation")?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let chased = meetings::escalate_overdue(&state.db, clock.today(), clock.now()).await?;
        Ok(i32::try_from(chased.noticed + chased.escalated).unwrap_or(i32::MAX))
    }
}
