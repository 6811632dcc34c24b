//! A new issue and the issue list's filter.

use async_graphql::InputObject;
use entity::issue::{IssueKind, IssueSource, IssueStatus, Severity};
use uuid::Uuid;

use crate::graphql::scalars::Date;
use crate::service::issue::Escalation;

/// A new issue.
#[derive(InputObject)]
pub struct RaiseIssueInput {
    /// The issue's id, chosen by the client so that a retried request is not raised twice.
    pub id: Option<Uuid>,
    /// The project it blocks.
    pub project_id: Uuid,
    /// What kind of problem it is.
    pub kind: IssueKind,
    /// Short title, 2 to 200 characters.
    pub title: String,
    /// Details, up to 5000 characters.
    pub description: Option<String>,
    /// How serious it is (MEDIUM when omitted).
    pub severity: Option<Severity>,
    /// Where it was found (MANUAL when omitted).
    pub source: Option<IssueSource>,
    /// Assign at once (project office only).
    pub assigned_unit_id: Option<Uuid>,
    /// Co-operating units.
    pub co_unit_ids: Option<Vec<Uuid>>,
    /// When it must be resolved.
    pub due_date: Option<Date>,
}

impl RaiseIssueInput {
    /// The service's new issue, of `source` when the input names none.
    pub fn into_new(self, source: IssueSource) -> crate::service::issue::NewIssue {
        crate::service::issue::NewIssue {
            id: self.id,
            project_id: self.project_id,
            kind: self.kind,
            title: self.title,
            description: self.description.unwrap_or_default(),
            severity: self.severity.unwrap_or(Severity::Medium),
            source: self.source.unwrap_or(source),
            assigned_unit_id: self.assigned_unit_id,
            co_unit_ids: self.co_unit_ids.unwrap_or_default(),
            due_date: self.due_date.map(|d| d.0),
            from_meeting: None,
        }
    }
}

/// Narrows `issues`; every field set must match.
#[derive(InputObject, Default)]
pub struct IssueFilter {
    /// Only issues of this project.
    pub project_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this status.
    pub status: Option<IssueStatus>,
    /// Only issues assigned to this unit.
    pub assigned_unit_id: Option<Uuid>,
    /// Only overdue (`true`) or not overdue (`false`) issues.
    pub overdue: Option<bool>,
    /// Only issues at this escalation level.
    pub escalation: Option<Escalation>,
    /// Only issues escalated to this leader: a leader's queue.
    pub escalated_to: Option<Uuid>,
    /// Only issues linked to this coordination case.
    pub case_id: Option<Uuid>,
    /// Part of the title or number (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

impl From<IssueFilter> for crate::service::issue::IssueFilter {
    fn from(f: IssueFilter) -> Self {
        Self {
            project_id: f.project_id,
            kind: f.kind,
            status: f.status,
            assigned_unit_id: f.assigned_unit_id,
            overdue: f.overdue,
            escalation: f.escalation,
            escalated_to: f.escalated_to,
            case_id: f.case_id,
            search: f.search,
        }
    }
}
