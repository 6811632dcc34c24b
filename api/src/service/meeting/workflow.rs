//! A meeting's life and an action item's, described once for the shared kit.

use entity::action_item::{self, ActionItemStatus};
use entity::meeting::{self, MeetingStatus};
use entity::user::Role;

use crate::auth::Caller;
use crate::service::kit::workflow::{self, Workflow};

/// A step of a meeting's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum MeetingAction {
    /// Record that it was held, with its agenda (the office or the chair).
    Hold,
    /// Call it off with a reason (the office or the chair).
    Cancel,
    /// Write the minutes' draft (the office or the chair).
    WriteMinutes,
    /// Publish the minutes, or a correction of them (the office or the chair).
    PublishMinutes,
    /// Record a decision (the office or the chair).
    Decide,
    /// Hand out action items (the office or the chair).
    AssignItems,
}

const MEETING_ACTIONS: [MeetingAction; 6] = [
    MeetingAction::Hold,
    MeetingAction::Cancel,
    MeetingAction::WriteMinutes,
    MeetingAction::PublishMinutes,
    MeetingAction::Decide,
    MeetingAction::AssignItems,
];

/// Where `action` takes a meeting in `status`: decisions and action items are recorded while the
/// meeting is HELD; publishing the minutes closes that record, and later publications are
/// corrections.
pub fn next_meeting_status(status: MeetingStatus, action: MeetingAction) -> Option<MeetingStatus> {
    use MeetingAction as A;
    use MeetingStatus as S;
    match (status, action) {
        (S::Scheduled, A::Hold) => Some(S::Held),
        (S::Scheduled, A::Cancel) => Some(S::Cancelled),
        (S::Held, A::WriteMinutes | A::Decide | A::AssignItems) => Some(S::Held),
        (S::Held | S::MinutesPublished, A::PublishMinutes) => Some(S::MinutesPublished),
        _ => None,
    }
}

/// The meeting workflow as the shared kit reads it.
pub struct MeetingWorkflow;

impl Workflow for MeetingWorkflow {
    type Record = meeting::Model;
    type Action = MeetingAction;
    type Status = MeetingStatus;

    const NOUN: &'static str = "meeting";
    const ACTIONS: &'static [MeetingAction] = &MEETING_ACTIONS;

    fn next(meeting: &meeting::Model, action: MeetingAction) -> Option<MeetingStatus> {
        next_meeting_status(meeting.status, action)
    }

    /// The office runs every meeting; a leader runs the meetings they chair.
    fn permits(caller: &Caller, meeting: &meeting::Model, _action: MeetingAction) -> bool {
        match caller.role() {
            Role::Admin => true,
            Role::Leader => caller.id() == meeting.chair_id,
            Role::Department | Role::Inspector | Role::Integration => false,
        }
    }

    fn state(meeting: &meeting::Model) -> String {
        workflow::graphql_name(meeting.status)
    }
}

/// Actions `caller` may take on `meeting` now.
pub fn meeting_actions(caller: &Caller, meeting: &meeting::Model) -> Vec<MeetingAction> {
    workflow::available::<MeetingWorkflow>(caller, meeting)
}

/// A step of an action item's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum ItemAction {
    /// Report what was done (the owner unit).
    ReportDone,
    /// Accept the report (the office).
    Verify,
    /// Send it back to OPEN with a reason (the office).
    Return,
}

const ITEM_ACTIONS: [ItemAction; 3] = [ItemAction::ReportDone, ItemAction::Verify, ItemAction::Return];

/// Where `action` takes an action item in `status`.
pub fn next_item_status(status: ActionItemStatus, action: ItemAction) -> Option<ActionItemStatus> {
    use ActionItemStatus as S;
    use ItemAction as A;
    match (status, action) {
        (S::Open, A::ReportDone) => Some(S::Done),
        (S::Done, A::Verify) => Some(S::Verified),
        (S::Done, A::Return) => Some(S::Open),
        _ => None,
    }
}

/// The action item workflow as the shared kit reads it.
pub struct ItemWorkflow;

impl Workflow for ItemWorkflow {
    type Record = action_item::Model;
    type Action = ItemAction;
    type Status = ActionItemStatus;

    const NOUN: &'static str = "action item";
    const ACTIONS: &'static [ItemAction] = &ITEM_ACTIONS;

    fn next(item: &action_item::Model, action: ItemAction) -> Option<ActionItemStatus> {
        next_item_status(item.status, action)
    }

    /// Only the owner unit reports its own item done; only the office verifies or returns it.
    fn permits(caller: &Caller, item: &action_item::Model, action: ItemAction) -> bool {
        match action {
            ItemAction::ReportDone => caller.role() == Role::Department && caller.acts_for(item.owner_unit_id),
            ItemAction::Verify | ItemAction::Return => caller.role() == Role::Admin,
        }
    }

    fn state(item: &action_item::Model) -> String {
        workflow::graphql_name(item.status)
    }
}

/// Actions `caller` may take on `item` now.
pub fn item_actions(caller: &Caller, item: &action_item::Model) -> Vec<ItemAction> {
    workflow::available::<ItemWorkflow>(caller, item)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cancelled_meeting_takes_no_step_and_minutes_close_the_record() {
        use MeetingAction as A;
        use MeetingStatus as S;
        for a in MEETING_ACTIONS {
            assert_eq!(next_meeting_status(S::Cancelled, a), None, "{a:?}");
        }
        assert_eq!(next_meeting_status(S::Scheduled, A::Decide), None);
        assert_eq!(next_meeting_status(S::Scheduled, A::PublishMinutes), None);
        assert_eq!(next_meeting_status(S::Held, A::Cancel), None);
        assert_eq!(next_meeting_status(S::MinutesPublished, A::Decide), None);
        assert_eq!(next_meeting_status(S::MinutesPublished, A::AssignItems), None);
        assert_eq!(next_meeting_status(S::MinutesPublished, A::PublishMinutes), Some(S::MinutesPublished));
    }

    #[test]
    fn an_item_is_verified_only_after_it_is_reported_done() {
        use ActionItemStatus as S;
        use ItemAction as A;
        assert_eq!(next_item_status(S::Open, A::Verify), None);
        assert_eq!(next_item_status(S::Open, A::ReportDone), Some(S::Done));
        assert_eq!(next_item_status(S::Done, A::Return), Some(S::Open));
        assert_eq!(next_item_status(S::Verified, A::Return), None);
        assert_eq!(next_item_status(S::Verified, A::ReportDone), None);
    }
}
