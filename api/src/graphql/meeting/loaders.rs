//! Loaders of what a meeting and an action item show, and `Project.meetings`.

use std::collections::HashMap;

use async_graphql::Context;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::children::{Arguments, Children};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{keyed_loader, param_loader};
use crate::service::kit::Units;
use crate::service::meeting::{self as meetings, MeetingFilter as Filter, Reach};
use crate::service::page::{Page, PageRequest};

keyed_loader!(
    /// The agenda of each meeting, in order.
    MeetingAgenda, Vec<entity::meeting_agenda::Model>, |db, keys| meetings::agenda_of(db, keys).await
);
keyed_loader!(
    /// Invited unit ids of each meeting.
    MeetingUnits, Vec<Uuid>, |db, keys| meetings::units_of(db, keys).await
);
keyed_loader!(
    /// Invited people of each meeting.
    MeetingAttendees, Vec<Uuid>, |db, keys| meetings::attendees_of(db, keys).await
);
keyed_loader!(
    /// Decisions of each meeting, in order.
    MeetingDecisions, Vec<entity::meeting_decision::Model>, |db, keys| meetings::decisions_of(db, keys).await
);
keyed_loader!(
    /// Published minutes of each meeting, newest version first.
    MeetingMinutes, Vec<entity::meeting_minutes::Model>, |db, keys| meetings::minutes_of(db, keys).await
);
keyed_loader!(
    /// Co-unit ids of each action item.
    ItemCoUnits, Vec<Uuid>, |db, keys| meetings::co_units_of(db, keys).await
);
keyed_loader!(
    /// The timeline of each action item, oldest first.
    ItemEvents, Vec<entity::action_item_event::Model>, |db, keys| meetings::events_of(db, keys).await
);
param_loader!(
    /// Action items of each meeting the caller sees, in order; keyed by (meeting, the caller's reach).
    MeetingItems, Reach, Vec<entity::action_item::Model>,
    |db, ids, reach| meetings::items_of_meetings(db, ids, reach).await
);
param_loader!(
    /// The open items of each meeting's previous one (上次会议交办事项); keyed by (meeting, reach).
    PreviousItems, Reach, Vec<entity::action_item::Model>,
    |db, ids, reach| meetings::previous_items(db, ids, reach).await
);
param_loader!(
    /// Meetings by id as the caller may see them (`None` when hidden); keyed by (meeting, reach).
    VisibleMeetings, Reach, Option<entity::meeting::Model>,
    |db, ids, reach| meetings::visible_meetings(db, ids, reach).await
);
param_loader!(
    /// Issues each decision raised that the caller may see; keyed by (decision, issue scope).
    DecisionIssues, Option<Units>, Vec<entity::issue::Model>,
    |db, ids, scope| meetings::issues_of_decisions(db, ids, scope).await
);

/// The meeting a caller may see by id, through the request's loader; `None` when hidden or missing.
pub async fn visible_meeting(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<entity::meeting::Model>> {
    let Some(id) = id else { return Ok(None) };
    let reach = meetings::reach(ctx.caller()?);
    Ok(ctx.cached::<VisibleMeetings>()?.load_one((id, reach)).await?.flatten())
}

/// The query of `Project.meetings`: the filter and the caller's reach.
#[derive(Clone)]
pub struct MeetingsQuery {
    pub filter: Filter,
    pub reach: Reach,
}

/// `Project.meetings`: the meetings that had each project on their agenda, as the caller sees
/// them, one page per project.
pub struct MeetingsOfProject;

impl Children for MeetingsOfProject {
    type Args = Option<super::MeetingFilter>;
    type Query = MeetingsQuery;
    type Row = entity::meeting::Model;

    fn args(arguments: &Arguments) -> AppResult<Self::Args> {
        arguments.get("filter")
    }

    fn query(ctx: &Context<'_>, args: Self::Args) -> AppResult<Self::Query> {
        let zone = ctx.state()?.config.clock.zone();
        Ok(MeetingsQuery { filter: args.unwrap_or_default().into_service(zone), reach: meetings::reach(ctx.caller()?) })
    }

    async fn pages(
        db: &DatabaseConnection,
        q: &Self::Query,
        parents: &[Uuid],
        page: &PageRequest,
    ) -> AppResult<HashMap<Uuid, Page<Self::Row>>> {
        meetings::pages_of_projects(db, q.reach, &q.filter, parents, page).await
    }

    async fn counts(db: &DatabaseConnection, q: &Self::Query, parents: &[Uuid]) -> AppResult<HashMap<Uuid, u64>> {
        meetings::counts_of_projects(db, q.reach, &q.filter, parents).await
    }

    fn cursor(_: &Self::Query, row: &Self::Row) -> String {
        meetings::cursor(row)
    }
}
param_loader!(
    /// Cases by id as the caller may see them (`None` when hidden); keyed by (case, case scope).
    VisibleCases, Option<Units>, Option<entity::case::Model>,
    |db, ids, scope| meetings::visible_cases(db, ids, scope).await
);
