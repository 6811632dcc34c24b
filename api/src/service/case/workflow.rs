//! A case's life, described once for the shared kit.

use entity::case::{self, CaseKind, CaseStatus};
use entity::user::Role;

use crate::auth::Caller;
use crate::service::kit::workflow::{self, Workflow};

/// A step of a case's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum CaseAction {
    /// Start work (the lead unit or the office).
    Start,
    /// Report the case solved (the lead unit or the office): every measure done, the matter decided.
    Resolve,
    /// Send a resolved case back to work (the office).
    Reopen,
    /// Close it off (the office): a resolved case, once every linked issue is closed.
    Close,
    /// Link or unlink records (the office, an inspector, or the lead unit).
    Link,
    /// Add a measure (the office or the lead unit).
    AddMeasure,
    /// Record the decision of a 一事一议 matter (the office or a leader).
    Decide,
}

const ALL_ACTIONS: [CaseAction; 7] = [
    CaseAction::Start,
    CaseAction::Resolve,
    CaseAction::Reopen,
    CaseAction::Close,
    CaseAction::Link,
    CaseAction::AddMeasure,
    CaseAction::Decide,
];

/// Where `action` takes a case in `status`: `Some(same status)` for actions that do not move it,
/// `None` when the action is not possible from here.
pub fn next_status(kind: CaseKind, status: CaseStatus, action: CaseAction) -> Option<CaseStatus> {
    use CaseAction as A;
    use CaseStatus as S;
    match (status, action) {
        (S::Closed, _) => None,
        (S::Open, A::Start) => Some(S::InProgress),
        (S::Open | S::InProgress, A::Resolve) => Some(S::Resolved),
        (S::Resolved, A::Reopen) => Some(S::InProgress),
        (S::Resolved, A::Close) => Some(S::Closed),
        (s, A::Link | A::AddMeasure) => Some(s),
        (S::Open, A::Decide) if kind == CaseKind::OneMatterOneDiscussion => Some(S::InProgress),
        (s @ (S::InProgress | S::Resolved), A::Decide) if kind == CaseKind::OneMatterOneDiscussion => Some(s),
        _ => None,
    }
}

/// The case workflow as the shared kit reads it.
pub struct CaseWorkflow;

impl Workflow for CaseWorkflow {
    type Record = case::Model;
    type Action = CaseAction;
    type Status = CaseStatus;

    const NOUN: &'static str = "case";
    const ACTIONS: &'static [CaseAction] = &ALL_ACTIONS;

    fn next(case: &case::Model, action: CaseAction) -> Option<CaseStatus> {
        next_status(case.kind, case.status, action)
    }

    /// The office does anything; the lead unit works the case; an inspector links evidence; a leader
    /// decides matters.
    fn permits(caller: &Caller, case: &case::Model, action: CaseAction) -> bool {
        use CaseAction as A;
        let lead = caller.role() == Role::Department && caller.acts_for(case.lead_unit_id);
        match caller.role() {
            Role::Admin => true,
            Role::Department => lead && matches!(action, A::Start | A::Resolve | A::Link | A::AddMeasure),
            Role::Inspector => action == A::Link,
            Role::Leader => action == A::Decide,
            Role::Integration => false,
        }
    }

    fn state(case: &case::Model) -> String {
        format!("{} ({})", workflow::graphql_name(case.status), workflow::graphql_name(case.kind))
    }
}

/// Actions `caller` may take on `case` now.
pub fn actions_for(caller: &Caller, case: &case::Model) -> Vec<CaseAction> {
    workflow::available::<CaseWorkflow>(caller, case)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_cases_take_no_action_and_only_matters_are_decided() {
        use CaseAction as A;
        use CaseKind as K;
        use CaseStatus as S;
        for a in ALL_ACTIONS {
            assert_eq!(next_status(K::OneProjectOnePolicy, S::Closed, a), None, "{a:?}");
        }
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Open, A::Decide), None);
        assert_eq!(next_status(K::OneMatterOneDiscussion, S::Open, A::Decide), Some(S::InProgress));
        assert_eq!(next_status(K::OneMatterOneDiscussion, S::Resolved, A::Decide), Some(S::Resolved));
        // Closing rests on resolving: every measure done, the matter decided.
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Open, A::Close), None);
        assert_eq!(next_status(K::OneMatterOneDiscussion, S::InProgress, A::Close), None);
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Resolved, A::Close), Some(S::Closed));
        assert_eq!(next_status(K::OneProjectOnePolicy, S::InProgress, A::Start), None);
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Resolved, A::Reopen), Some(S::InProgress));
    }
}
