//! Issues (问题) and their workflow. Who may see an issue is decided by [`visibility`]; who may move
//! it, by [`IssueWorkflow`]. Both live here and nowhere else.

mod escalation;
mod query;
mod raise;
mod stats;
mod transition;
mod workflow;

pub use escalation::{Escalation, escalate_overdue, escalation};
pub use query::{
    IssueFilter, co_units, count, counts_of_projects, cursor, is_overdue, list, pages_of_projects, recent_events,
};
pub use raise::{NewIssue, raise};
pub use stats::{UnitIssueStats, unit_stats};
pub use transition::{Transition, comment, set_due_date, transition, transition_in};
pub use workflow::{IssueAction, IssueWorkflow, actions_for, allowed_from, next_status};

use entity::issue::{self, IssueStatus};
use entity::issue_unit;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;

/// Issues no longer waiting on their unit.
pub(crate) const FINISHED: [IssueStatus; 3] = [IssueStatus::Resolved, IssueStatus::Verified, IssueStatus::Closed];

/// Whose issues a caller sees: `Some(unit)` for a DEPARTMENT user, `None` (all) for every other role.
pub fn scope(caller: &Caller) -> Option<kit::Units> {
    kit::department_scope(caller)
}

/// The visibility rule as a query condition: DEPARTMENT users see issues assigned or co-assigned to
/// their unit and issues of projects their unit is responsible for or paired with (六包); every other
/// role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(scope(caller))
}

/// [`visibility`] for a [`scope`], for loaders that are keyed by it.
pub fn scoped_visibility(scope: Option<crate::service::kit::Units>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    Condition::any()
        .add(issue::Column::AssignedUnitId.is_in(unit.as_slice().iter().copied()))
        .add(issue::Column::Id.in_subquery(kit::joined_by_unit(
            issue_unit::Column::IssueId,
            issue_unit::Column::UnitId,
            unit,
        )))
        .add(issue::Column::ProjectId.in_subquery(kit::projects_of_unit(unit)))
        .add(issue::Column::ProjectId.in_subquery(kit::projects_paired_with(unit)))
}

/// One issue as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<issue::Model> {
    crate::service::find_visible::<issue::Entity>(db, actor, id, visibility, "issue").await
}

/// [`find_for`] inside a write transaction, locking the row until it ends (see
/// [`crate::service::lock_visible`]).
pub async fn lock_for(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> AppResult<issue::Model> {
    crate::service::lock_visible::<issue::Entity>(txn, actor, id, visibility, "issue").await
}

/// Raised under an id the client chose: a replay is told apart by the payload kept with the row.
impl kit::ClientKeyed for issue::Model {
    const KIND: &'static str = "issue";
}
