//! Meetings, their agendas, minutes and decisions as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::meeting::{self, MeetingKind, MeetingStatus};
use entity::project::Industry;
use entity::user::Role;
use entity::{meeting_agenda, meeting_decision, meeting_minutes};
use uuid::Uuid;

use super::items::ActionItem;
use super::loaders::{
    DecisionIssues, MeetingAgenda, MeetingAttendees, MeetingDecisions, MeetingItems, MeetingMinutes, MeetingUnits,
    PreviousItems, VisibleCases,
};
use crate::graphql::account::{Unit, User};
use crate::graphql::case::Case;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::issue::Issue;
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::service::meeting::{self as meetings, MeetingAction};

/// A scheduling meeting (调度会): where projects are dispatched, decisions taken and action items
/// handed to units.
pub struct Meeting(pub meeting::Model);

/// A scheduling meeting (调度会): where projects are dispatched, decisions taken and action items
/// handed to units.
#[Object]
impl Meeting {
    /// Stable identifier (chosen by the client that scheduled it).
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Which body meets.
    async fn kind(&self) -> MeetingKind {
        self.0.kind
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Who chairs it.
    async fn chair(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.chair_id, "user").await?))
    }

    /// When it starts (UTC).
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }

    /// Where.
    async fn place(&self) -> &str {
        &self.0.place
    }

    /// The industry an INDUSTRY meeting schedules.
    async fn industry(&self) -> Option<Industry> {
        self.0.industry
    }

    /// Where it stands.
    async fn status(&self) -> MeetingStatus {
        self.0.status
    }

    /// Why it was called off.
    async fn cancel_reason(&self) -> Option<&str> {
        self.0.cancel_reason.as_deref()
    }

    /// Units invited, by name.
    async fn units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let ids = ctx.cached::<MeetingUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let mut units: Vec<Unit> =
            ctx.loader::<entity::unit::Entity>()?.load_many(ids).await?.into_values().map(Unit).collect();
        units.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(units)
    }

    /// People invited, by name.
    async fn attendees(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let ids = ctx.cached::<MeetingAttendees>()?.load_one(self.0.id).await?.unwrap_or_default();
        let mut users: Vec<User> =
            ctx.loader::<entity::user::Entity>()?.load_many(ids).await?.into_values().map(User).collect();
        users.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
        Ok(users)
    }

    /// The projects it dispatched (调度必议项目), in order, each with its dispatch opinion; empty
    /// until it is held (at most 100).
    async fn agenda(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AgendaItem>> {
        let agenda = ctx.cached::<MeetingAgenda>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(agenda.into_iter().map(AgendaItem).collect())
    }

    /// How the previous meeting's action items stand (上次会议交办事项落实情况): the OPEN items (overdue
    /// or not) of the last meeting of the same kind held before this one by the same chair, or by
    /// anyone when this chair held none, as the caller may see them.
    async fn previous_action_items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionItem>> {
        let reach = meetings::reach(ctx.caller()?);
        let items = ctx.cached::<PreviousItems>()?.load_one((self.0.id, reach)).await?.unwrap_or_default();
        Ok(items.into_iter().map(ActionItem).collect())
    }

    /// The minutes' draft while the meeting is HELD; shown to the office and the chair only.
    async fn minutes_draft(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<&str>> {
        let caller = ctx.caller()?;
        let writer = caller.role() == Role::Admin || caller.id() == self.0.chair_id;
        Ok(self.0.minutes_draft.as_deref().filter(|_| writer))
    }

    /// The published minutes (纪要) in force: the latest version.
    async fn minutes(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<MinutesVersion>> {
        let versions = ctx.cached::<MeetingMinutes>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(versions.into_iter().next().map(MinutesVersion))
    }

    /// Every published version of the minutes, newest first; each correction names the version it
    /// replaces.
    async fn minutes_versions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MinutesVersion>> {
        let versions = ctx.cached::<MeetingMinutes>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(versions.into_iter().map(MinutesVersion).collect())
    }

    /// The decisions taken, in order (at most 100).
    async fn decisions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MeetingDecision>> {
        let decisions = ctx.cached::<MeetingDecisions>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(decisions.into_iter().map(MeetingDecision).collect())
    }

    /// The action items it handed out that the caller may see, in order (at most 500).
    async fn action_items(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionItem>> {
        let reach = meetings::reach(ctx.caller()?);
        let items = ctx.cached::<MeetingItems>()?.load_one((self.0.id, reach)).await?.unwrap_or_default();
        Ok(items.into_iter().map(ActionItem).collect())
    }

    /// What the caller may do with the meeting now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<MeetingAction>> {
        Ok(meetings::meeting_actions(ctx.caller()?, &self.0))
    }

    /// Who scheduled it.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.created_by, "user").await?))
    }

    /// When it was scheduled (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was recorded as held (UTC).
    async fn held_at(&self) -> Option<DateTime<Utc>> {
        self.0.held_at
    }
}

/// A project a meeting dispatched (调度必议项目) and the opinion recorded for it.
pub struct AgendaItem(pub meeting_agenda::Model);

/// A project a meeting dispatched (调度必议项目) and the opinion recorded for it.
#[Object]
impl AgendaItem {
    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// Place on the agenda, from 1.
    async fn position(&self) -> i32 {
        self.0.position + 1
    }

    /// The dispatch opinion (调度意见).
    async fn opinion(&self) -> &str {
        &self.0.opinion
    }
}

/// A decision taken at a meeting.
pub struct MeetingDecision(pub meeting_decision::Model);

/// A decision taken at a meeting.
#[Object]
impl MeetingDecision {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Place among the meeting's decisions, from 1.
    async fn position(&self) -> i32 {
        self.0.position + 1
    }

    /// What was decided.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The 一事一议 case it decided, when the caller may see it.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Case>> {
        let Some(id) = self.0.case_id else { return Ok(None) };
        let scope = crate::service::kit::department_scope(ctx.caller()?);
        Ok(ctx.cached::<VisibleCases>()?.load_one((id, scope)).await?.flatten().map(Case))
    }

    /// The issues it raised that the caller may see, oldest first (at most 20).
    async fn issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Issue>> {
        let scope = crate::service::issue::scope(ctx.caller()?);
        let issues = ctx.cached::<DecisionIssues>()?.load_one((self.0.id, scope)).await?.unwrap_or_default();
        Ok(issues.into_iter().map(Issue).collect())
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.recorded_by, "user").await?))
    }

    /// When it was recorded (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// One published version of a meeting's minutes (纪要); never changed once published.
pub struct MinutesVersion(pub meeting_minutes::Model);

/// One published version of a meeting's minutes (纪要); never changed once published.
#[Object]
impl MinutesVersion {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// 1 for the first publication, one more for each correction.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// The minutes.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// The version this one corrects.
    async fn replaces_id(&self) -> Option<Uuid> {
        self.0.replaces_id
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
    MeetingConnection,
    MeetingEdge,
    Meeting,
    "A page of meetings, latest start first.",
    "A meeting and its cursor."
);
