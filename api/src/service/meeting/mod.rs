//! Scheduling meetings (调度会): where projects are dispatched (调度必议项目), decisions are taken,
//! and action items (交办事项) are handed to units and chased until the office has verified them.
//! Who may see a meeting or an action item is decided by [`meeting_visibility`] and
//! [`item_visibility`]; who may act, by the two workflows. Both live here and nowhere else.

mod actions;
mod activity;
mod decisions;
mod escalation;
mod item_query;
mod minutes;
mod query;
mod schedule;
mod workflow;

pub use actions::{NewActionItem, assign, report_done, verify};
pub use activity::{Activity, KindCount, Quarter, leader_activity};
pub use decisions::{NewDecision, add_decision, decide_case};
pub use escalation::{Chased, escalate_overdue};
pub use item_query::{ItemFilter, co_units_of, count_items, events_of, item_cursor, list_items, overdue};
pub use minutes::{publish_minutes, save_draft};
pub use query::{
    MeetingFilter, agenda_of, attendees_of, count, counts_of_projects, cursor, decisions_of, issues_of_decisions,
    items_of_meetings, list, minutes_of, pages_of_projects, previous_items, units_of, visible_cases, visible_meetings,
};
pub use schedule::{AgendaEntry, NewMeeting, cancel, hold, schedule};
pub use workflow::{ItemAction, ItemWorkflow, MeetingAction, MeetingWorkflow, item_actions, meeting_actions};

use entity::user::Role;
use entity::{action_item, action_item_unit, meeting, meeting_agenda, meeting_attendee, meeting_unit};
use sea_orm::sea_query::{Query, SelectStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit::{self, Units};

/// Units a meeting may invite.
pub const MAX_UNITS: usize = 100;
/// People a meeting may invite.
pub const MAX_ATTENDEES: usize = 200;
/// Projects one agenda may hold.
pub const MAX_AGENDA: usize = 100;
/// Action items one call may hand out, and co-units one item may have.
pub const MAX_ITEMS: usize = 50;
pub const MAX_CO_UNITS: usize = 20;
/// Decisions one meeting may record, and issues one decision may raise.
pub const MAX_DECISIONS: usize = 100;
pub const MAX_DECISION_ISSUES: usize = 20;
/// Action items of one meeting a list under it shows (a meeting hands out at most this many).
pub const MAX_ITEMS_PER_MEETING: usize = 500;

/// What a caller sees of meetings and action items, as a plain value loaders are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The office, leaders and unscoped integration keys: everything.
    All,
    /// An inspector: meetings about projects (with an agenda) and their action items.
    Inspector,
    /// A department (or a key narrowed to units): the meetings its units or the person attended,
    /// those that discussed its projects or handed it items, and the items it owns or co-owns.
    Units(Units, Uuid),
}

/// The reach of `caller`.
pub fn reach(caller: &Caller) -> Reach {
    if caller.role() == Role::Inspector {
        return Reach::Inspector;
    }
    match kit::department_scope(caller) {
        Some(units) => Reach::Units(units, caller.id()),
        None => Reach::All,
    }
}

/// `SELECT meeting_id FROM meeting_agenda [WHERE project_id IN (projects of units)]`.
fn discussed(units: Option<Units>) -> SelectStatement {
    let mut q = Query::select();
    q.column(meeting_agenda::Column::MeetingId).from(meeting_agenda::Entity);
    if let Some(units) = units {
        q.and_where(meeting_agenda::Column::ProjectId.in_subquery(kit::projects_of_unit(units)));
    }
    q.to_owned()
}

/// `SELECT id FROM action_items WHERE owner IN units OR id IN (co-owned by units)`.
fn items_of_units(units: Units) -> SelectStatement {
    Query::select()
        .column(action_item::Column::Id)
        .from(action_item::Entity)
        .cond_where(owned_or_co_owned(units))
        .to_owned()
}

fn owned_or_co_owned(units: Units) -> Condition {
    Condition::any().add(action_item::Column::OwnerUnitId.is_in(units.as_slice().iter().copied())).add(
        action_item::Column::Id.in_subquery(kit::joined_by_unit(
            action_item_unit::Column::ItemId,
            action_item_unit::Column::UnitId,
            units,
        )),
    )
}

/// The meetings a caller of `reach` sees, as a query condition.
pub fn meeting_visibility(reach: Reach) -> Condition {
    use meeting::Column as C;
    match reach {
        Reach::All => Condition::all(),
        Reach::Inspector => Condition::all().add(C::Id.in_subquery(discussed(None))),
        Reach::Units(units, user) => {
            let attended_by_person = Query::select()
                .column(meeting_attendee::Column::MeetingId)
                .from(meeting_attendee::Entity)
                .and_where(meeting_attendee::Column::UserId.eq(user))
                .to_owned();
            let handed_items = Query::select()
                .column(action_item::Column::MeetingId)
                .from(action_item::Entity)
                .and_where(action_item::Column::Id.in_subquery(items_of_units(units)))
                .to_owned();
            Condition::any()
                .add(C::Id.in_subquery(kit::joined_by_unit(
                    meeting_unit::Column::MeetingId,
                    meeting_unit::Column::UnitId,
                    units,
                )))
                .add(C::Id.in_subquery(attended_by_person))
                .add(C::Id.in_subquery(discussed(Some(units))))
                .add(C::Id.in_subquery(handed_items))
        }
    }
}

/// The action items a caller of `reach` sees, as a query condition.
pub fn item_visibility(reach: Reach) -> Condition {
    match reach {
        Reach::All => Condition::all(),
        Reach::Inspector => Condition::all().add(action_item::Column::MeetingId.in_subquery(discussed(None))),
        Reach::Units(units, _) => owned_or_co_owned(units),
    }
}

fn caller_meetings(caller: &Caller) -> Condition {
    meeting_visibility(reach(caller))
}

fn caller_items(caller: &Caller) -> Condition {
    item_visibility(reach(caller))
}

/// One meeting as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<meeting::Model> {
    crate::service::find_visible::<meeting::Entity>(db, actor, id, caller_meetings, "meeting").await
}

/// [`find_for`] inside a write transaction, locking the row until it ends.
pub async fn lock_for(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> AppResult<meeting::Model> {
    crate::service::lock_visible::<meeting::Entity>(txn, actor, id, caller_meetings, "meeting").await
}

/// One action item as `actor` may see it.
pub async fn find_item_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<action_item::Model> {
    crate::service::find_visible::<action_item::Entity>(db, actor, id, caller_items, "action item").await
}

/// [`find_item_for`] inside a write transaction, locking the row until it ends.
pub async fn lock_item_for(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> AppResult<action_item::Model> {
    crate::service::lock_visible::<action_item::Entity>(txn, actor, id, caller_items, "action item").await
}

impl kit::ClientKeyed for meeting::Model {
    const KIND: &'static str = "meeting";
}

impl kit::ClientKeyed for action_item::Model {
    const KIND: &'static str = "action_item";
}
