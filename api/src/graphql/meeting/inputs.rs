//! A meeting to schedule, its agenda, decisions and action items, and the lists' filters.

use async_graphql::InputObject;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::action_item::ActionItemStatus;
use entity::meeting::{MeetingKind, MeetingStatus};
use entity::project::Industry;
use uuid::Uuid;

use crate::graphql::issue::RaiseIssueInput;
use crate::graphql::scalars::Date;
use crate::service::meeting::{AgendaEntry, ItemFilter, MeetingFilter as Filter, NewActionItem, NewMeeting};

/// A meeting to schedule.
#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    /// The meeting's id, chosen by the client so that a retried request is not scheduled twice.
    pub id: Option<Uuid>,
    /// Which body meets.
    pub kind: MeetingKind,
    /// Title, 2 to 200 characters, e.g. 三季度重点项目调度会.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub title: String,
    /// Who chairs it: an active LEADER, or an ADMIN for a PROJECT_OFFICE meeting. A leader who
    /// schedules a meeting chairs it.
    pub chair_id: Uuid,
    /// When it starts (UTC).
    pub starts_at: DateTime<Utc>,
    /// Where, 1 to 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub place: String,
    /// The industry an INDUSTRY meeting schedules (required for it, refused for others).
    pub industry: Option<Industry>,
    /// Units invited (at most 100).
    #[graphql(validator(max_items = 100))]
    pub unit_ids: Option<Vec<Uuid>>,
    /// People invited (at most 200).
    #[graphql(validator(max_items = 200))]
    pub attendee_ids: Option<Vec<Uuid>>,
}

impl From<ScheduleMeetingInput> for NewMeeting {
    fn from(i: ScheduleMeetingInput) -> Self {
        Self {
            id: i.id,
            kind: i.kind,
            title: i.title,
            chair_id: i.chair_id,
            starts_at: i.starts_at,
            place: i.place,
            industry: i.industry,
            unit_ids: i.unit_ids.unwrap_or_default(),
            attendee_ids: i.attendee_ids.unwrap_or_default(),
        }
    }
}

/// A project the meeting dispatched (调度必议项目) and the opinion recorded for it.
#[derive(InputObject)]
pub struct AgendaItemInput {
    /// The project.
    pub project_id: Uuid,
    /// The dispatch opinion (调度意见), 1 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub opinion: String,
}

impl From<AgendaItemInput> for AgendaEntry {
    fn from(i: AgendaItemInput) -> Self {
        Self { project_id: i.project_id, opinion: i.opinion }
    }
}

/// A decision taken at the meeting.
#[derive(InputObject)]
pub struct DecisionInput {
    /// What was decided, 1 to 5000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(5000)"))]
    pub text: String,
    /// The 一事一议 case it decides: the case records the decision and shows this meeting as where
    /// it was decided.
    pub case_id: Option<Uuid>,
    /// Issues it raises (at most 20); their source is MEETING (another source is `BAD_USER_INPUT`)
    /// and they point back to this meeting.
    #[graphql(validator(max_items = 20))]
    pub issues: Option<Vec<RaiseIssueInput>>,
}

/// An action item (交办事项) to hand to a unit.
#[derive(InputObject)]
pub struct ActionItemInput {
    /// The item's id, chosen by the client so that a retried request hands nothing out twice.
    pub id: Option<Uuid>,
    /// What is to be done, 2 to 2000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(2000)"))]
    pub task: String,
    /// The unit that answers for it (责任单位).
    pub owner_unit_id: Uuid,
    /// Units that help (配合单位), at most 20.
    #[graphql(validator(max_items = 20))]
    pub co_unit_ids: Option<Vec<Uuid>>,
    /// The project it concerns, if one.
    pub project_id: Option<Uuid>,
    /// By when, today or later.
    pub deadline: Date,
    /// The decision of this meeting it carries out, if one.
    pub decision_id: Option<Uuid>,
}

impl From<ActionItemInput> for NewActionItem {
    fn from(i: ActionItemInput) -> Self {
        Self {
            id: i.id,
            task: i.task,
            owner_unit_id: i.owner_unit_id,
            co_unit_ids: i.co_unit_ids.unwrap_or_default(),
            project_id: i.project_id,
            deadline: i.deadline.0,
            decision_id: i.decision_id,
        }
    }
}

/// Narrows `meetings`; every field set must match.
#[derive(InputObject, Default, Clone)]
pub struct MeetingFilter {
    /// Only meetings of this kind.
    pub kind: Option<MeetingKind>,
    /// Only meetings in this state.
    pub status: Option<MeetingStatus>,
    /// Only meetings this person chairs.
    pub chair_id: Option<Uuid>,
    /// Only meetings starting on this day (the county's) or later.
    pub from: Option<Date>,
    /// Only meetings starting on this day (the county's) or earlier.
    pub to: Option<Date>,
    /// Only meetings that had this project on their agenda.
    pub project_id: Option<Uuid>,
    /// Only meetings that invited this unit, discussed its projects or handed it action items.
    pub unit_id: Option<Uuid>,
}

impl MeetingFilter {
    /// The service's filter, with the county's days as instants.
    pub fn into_service(self, zone: FixedOffset) -> Filter {
        Filter {
            kind: self.kind,
            status: self.status,
            chair_id: self.chair_id,
            starts_from: self.from.map(|d| crate::clock::midnight(d.0, zone)),
            starts_before: self.to.and_then(|d| d.0.succ_opt()).map(|d| crate::clock::midnight(d, zone)),
            project_id: self.project_id,
            unit_id: self.unit_id,
        }
    }
}

/// Narrows `actionItems`; every field set must match.
#[derive(InputObject, Default, Clone)]
pub struct ActionItemFilter {
    /// Only items this unit owns: a unit's queue.
    pub owner_unit_id: Option<Uuid>,
    /// Only items in this state.
    pub status: Option<ActionItemStatus>,
    /// Only overdue (`true`: OPEN past the deadline) or not overdue (`false`) items.
    pub overdue: Option<bool>,
    /// Only items of this meeting.
    pub meeting_id: Option<Uuid>,
    /// Only items concerning this project.
    pub project_id: Option<Uuid>,
    /// Only items escalated to this person: a chair's queue.
    pub escalated_to: Option<Uuid>,
}

impl ActionItemFilter {
    /// The service's filter on the county's `today`.
    pub fn into_service(self, today: NaiveDate) -> ItemFilter {
        ItemFilter {
            owner_unit_id: self.owner_unit_id,
            status: self.status,
            overdue: self.overdue,
            meeting_id: self.meeting_id,
            project_id: self.project_id,
            escalated_to: self.escalated_to,
            today,
        }
    }
}
