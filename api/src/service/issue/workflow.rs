//! The issue workflow (交办 → 签收 → 办结 → 核实 → 销号), described once for the shared kit.

use entity::issue::{self, IssueStatus};
use entity::user::Role;

use crate::auth::Caller;
use crate::service::kit::workflow::{self, Workflow};

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum IssueAction {
    /// Give the issue to a unit (交办); the project office.
    Assign,
    /// Sign for it (签收); the assigned unit.
    Accept,
    /// Send it back as not the unit's (退回); the assigned unit.
    Return,
    /// Start work; the assigned unit.
    Start,
    /// Report it done (办结); the assigned unit.
    Resolve,
    /// Check the resolution (核实); the office or an inspector.
    Verify,
    /// Send it back to the unit as not done; the office or an inspector.
    Reopen,
    /// Close it off (销号); the office.
    Close,
}

const ALL_ACTIONS: [IssueAction; 8] = [
    IssueAction::Assign,
    IssueAction::Accept,
    IssueAction::Return,
    IssueAction::Start,
    IssueAction::Resolve,
    IssueAction::Verify,
    IssueAction::Reopen,
    IssueAction::Close,
];

/// The workflow: where `action` takes an issue in `status`, if it may be taken there at all.
/// `Verify` here is a passed check; a failed one is `Reopen`.
pub fn next_status(status: IssueStatus, action: IssueAction) -> Option<IssueStatus> {
    use IssueAction as A;
    use IssueStatus as S;
    match (status, action) {
        (S::Open | S::Assigned, A::Assign) => Some(S::Assigned),
        (S::Assigned, A::Accept) => Some(S::Accepted),
        (S::Assigned | S::Accepted, A::Return) => Some(S::Open),
        (S::Accepted, A::Start) => Some(S::InProgress),
        (S::Accepted | S::InProgress, A::Resolve) => Some(S::Resolved),
        (S::Resolved, A::Verify) => Some(S::Verified),
        (S::Resolved | S::Verified | S::Closed, A::Reopen) => Some(S::InProgress),
        (S::Verified, A::Close) => Some(S::Closed),
        _ => None,
    }
}

/// The issue workflow as the shared kit reads it.
pub struct IssueWorkflow;

impl Workflow for IssueWorkflow {
    type Record = issue::Model;
    type Action = IssueAction;
    type Status = IssueStatus;

    const NOUN: &'static str = "issue";
    const ACTIONS: &'static [IssueAction] = &ALL_ACTIONS;

    fn next(issue: &issue::Model, action: IssueAction) -> Option<IssueStatus> {
        next_status(issue.status, action)
    }

    /// The office does anything; the assigned unit signs, returns, works and resolves; an inspector
    /// checks. Leaders and integrations read.
    fn permits(caller: &Caller, issue: &issue::Model, action: IssueAction) -> bool {
        use IssueAction as A;
        let own_unit = issue.assigned_unit_id.is_some_and(|u| caller.acts_for(u));
        match caller.role() {
            Role::Admin => true,
            Role::Department => matches!(action, A::Accept | A::Return | A::Start | A::Resolve) && own_unit,
            Role::Inspector => matches!(action, A::Verify | A::Reopen),
            Role::Leader | Role::Integration => false,
        }
    }

    fn state(issue: &issue::Model) -> String {
        workflow::graphql_name(issue.status)
    }
}

/// Actions the workflow allows from `status`, whoever the caller is.
pub fn allowed_from(status: IssueStatus) -> Vec<IssueAction> {
    ALL_ACTIONS.into_iter().filter(|a| next_status(status, *a).is_some()).collect()
}

/// Actions `caller` may take on `issue` now.
pub fn actions_for(caller: &Caller, issue: &issue::Model) -> Vec<IssueAction> {
    workflow::available::<IssueWorkflow>(caller, issue)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_runs_from_open_to_closed_and_back() {
        use IssueAction as A;
        use IssueStatus as S;
        let path = [
            (A::Assign, S::Assigned),
            (A::Accept, S::Accepted),
            (A::Start, S::InProgress),
            (A::Resolve, S::Resolved),
            (A::Verify, S::Verified),
            (A::Close, S::Closed),
        ];
        let mut status = S::Open;
        for (action, expected) in path {
            status = next_status(status, action).unwrap_or(S::Open);
            assert_eq!(status, expected, "{action:?}");
        }
        assert_eq!(next_status(S::Closed, A::Reopen), Some(S::InProgress));
        assert_eq!(next_status(S::Open, A::Close), None);
        assert_eq!(allowed_from(S::Open), vec![A::Assign]);
        assert_eq!(next_status(S::Accepted, A::Return), Some(S::Open));
    }
}
