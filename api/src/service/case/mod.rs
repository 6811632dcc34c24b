//! Coordination cases (协调事项): 一项一策 (one tailored policy per project, with measures) and 一事一议
//! (one matter taken to a decision). Who may see a case is decided by [`visibility`]; who may act on
//! it, by [`permits`]. Both live here and nowhere else.

mod links;
mod measures;
mod open;
mod progress;
mod query;
mod workflow;

pub use links::{Targets, link, unlink};
pub use measures::{add_measures, complete_measure};
pub use open::{Decision, NewCase, NewMeasure, check_decision, open};
pub use progress::{decide, decide_in, transition};
pub use query::{
    CaseFilter, count, counts_of_projects, cursor, linked_issues, links_of, list, measures_of, pages_of_projects,
    units_of,
};
pub use workflow::{CaseAction, CaseWorkflow, actions_for, next_status};

use entity::case;
use entity::case_unit;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;

/// Participating units a case may have.
pub const MAX_UNITS: usize = 30;
/// Measures a case may have.
pub const MAX_MEASURES: usize = 50;
/// Links of one kind a case may have, so that every list under a case stays bounded.
pub const MAX_LINKS_PER_KIND: usize = 200;

/// The visibility rule as a query condition: DEPARTMENT users see the cases their unit leads or
/// takes part in and the cases of projects their unit is responsible for; every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(kit::department_scope(caller))
}

/// [`visibility`] for a scope (see [`kit::department_scope`]), for loaders keyed by it.
pub fn scoped_visibility(scope: Option<crate::service::kit::Units>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    Condition::any()
        .add(case::Column::LeadUnitId.is_in(unit.as_slice().iter().copied()))
        .add(case::Column::Id.in_subquery(kit::joined_by_unit(
            case_unit::Column::CaseId,
            case_unit::Column::UnitId,
            unit,
        )))
        .add(case::Column::ProjectId.in_subquery(kit::projects_of_unit(unit)))
        .add(case::Column::ProjectId.in_subquery(kit::projects_paired_with(unit)))
}

/// One case as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<case::Model> {
    crate::service::find_visible::<case::Entity>(db, actor, id, visibility, "case").await
}

/// [`find_for`] inside a write transaction, locking the row until it ends (see
/// [`crate::service::lock_visible`]).
pub async fn lock_for(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> AppResult<case::Model> {
    crate::service::lock_visible::<case::Entity>(txn, actor, id, visibility, "case").await
}
