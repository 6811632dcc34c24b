//! Action items (交办事项) and their timelines as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::action_item_event::{self, ActionItemEventKind};
use uuid::Uuid;

use super::loaders::{ItemCoUnits, ItemEvents, visible_meeting};
use super::objects::Meeting;
use crate::error::AppError;
use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::Date;
use crate::service::meeting::{self as meetings, ItemAction};

/// An action item (交办事项) a meeting handed to a unit, chased until the office verifies it.
pub struct ActionItem(pub action_item::Model);

/// An action item (交办事项) a meeting handed to a unit, chased until the office verifies it.
#[Object]
impl ActionItem {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The meeting that handed it out.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Meeting> {
        let found = visible_meeting(ctx, Some(self.0.meeting_id)).await?;
        Ok(Meeting(found.ok_or(AppError::NotFound("meeting"))?))
    }

    /// The id of the meeting's decision it carries out, if one.
    async fn decision_id(&self) -> Option<Uuid> {
        self.0.decision_id
    }

    /// Place among the meeting's items, from 1.
    async fn position(&self) -> i32 {
        self.0.position + 1
    }

    /// What is to be done.
    async fn task(&self) -> &str {
        &self.0.task
    }

    /// The unit that answers for it (责任单位).
    async fn owner_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.owner_unit_id, "unit").await?))
    }

    /// Units that help (配合单位), by name.
    async fn co_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let ids = ctx.cached::<ItemCoUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let mut units: Vec<Unit> =
            ctx.loader::<entity::unit::Entity>()?.load_many(ids).await?.into_values().map(Unit).collect();
        units.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(units)
    }

    /// The project it concerns, if one.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
        Ok(load_opt::<entity::project::Entity>(ctx, self.0.project_id, "project").await?.map(Project::from))
    }

    /// By when.
    async fn deadline(&self) -> Date {
        Date(self.0.deadline)
    }

    /// Where it stands.
    async fn status(&self) -> ActionItemStatus {
        self.0.status
    }

    /// OPEN past its deadline (the county's today).
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(meetings::overdue(&self.0, ctx.state()?.config.clock.today()))
    }

    /// What the owner reported done (the latest report).
    async fn done_report(&self) -> Option<&str> {
        self.0.done_report.as_deref()
    }

    /// The day the owner reported it done (the county's).
    async fn done_on(&self) -> Option<Date> {
        self.0.done_on.map(Date)
    }

    /// When the office verified it (UTC).
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }

    /// When the supervision notice (督办通知) went to the owner unit (UTC).
    async fn noticed_at(&self) -> Option<DateTime<Utc>> {
        self.0.noticed_at
    }

    /// When it went to the meeting's chair (UTC).
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }

    /// The chair it went to.
    async fn escalated_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.escalated_to, "user").await?.map(User))
    }

    /// What happened to it, oldest first.
    async fn timeline(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ActionItemEvent>> {
        let events = ctx.cached::<ItemEvents>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(events.into_iter().map(ActionItemEvent).collect())
    }

    /// What the caller may do with it now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ItemAction>> {
        Ok(meetings::item_actions(ctx.caller()?, &self.0))
    }

    /// When it was handed out (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// One entry of an action item's timeline.
pub struct ActionItemEvent(pub action_item_event::Model);

/// One entry of an action item's timeline.
#[Object]
impl ActionItemEvent {
    /// What happened.
    async fn kind(&self) -> ActionItemEventKind {
        self.0.kind
    }

    /// Who did it; none for the system's notices and escalations.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.actor_id, "user").await?.map(User))
    }

    /// The report, the reason, or the notice's text.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The unit addressed (the owner, for a notice).
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?.map(Unit))
    }

    /// The person addressed (the chair, for an escalation).
    async fn addressee(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.user_id, "user").await?.map(User))
    }

    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

connection!(
    ActionItemConnection,
    ActionItemEdge,
    ActionItem,
    "A page of action items, nearest deadline first.",
    "An action item and its cursor."
);
