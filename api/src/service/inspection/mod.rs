//! Checklist templates and site inspections (督导检查). Who may see an inspection is decided by
//! [`visibility`]; who may submit, correct and review, here too. Every create is idempotent by the
//! phone's id: the same content returns what is stored, other content is `CONFLICT`.

mod evaluate;
mod query;
mod review;
mod submit;
mod template;

pub use evaluate::{AnswerInput, Evaluation, Failure, evaluate};
pub use query::{InspectionFilter, count, counts_of_projects, cursor, list, origins, pages_of_projects, raised_issues};
pub use review::review;
pub use submit::{Location, NewInspection, submit, sync};
pub use template::{
    NewTemplate, body_of, publish, template, template_count, template_cursor, templates, templates_by_id,
};

use entity::inspection::{self, Answer};
use entity::project;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit;

/// Items a template may have.
pub const MAX_ITEMS: usize = 200;
/// Inspections one sync may carry.
pub const MAX_SYNC: usize = 100;
/// Photos one answer may reference.
pub const MAX_PHOTOS_PER_ANSWER: usize = 20;
/// How far ahead of the server a device clock may run.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

/// Whether [`submit`] stored the inspection or found it already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum SyncOutcome {
    /// Stored now.
    Stored,
    /// The same submission was stored before; nothing changed.
    AlreadyStored,
    /// Refused; see the error.
    Failed,
}

/// The visibility rule as a query condition: DEPARTMENT users see the inspections of projects their
/// unit is responsible for or paired with (六包); every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(kit::department_scope(caller))
}

/// [`visibility`] for a scope (see [`kit::department_scope`]), for loaders keyed by it.
pub fn scoped_visibility(scope: Option<crate::service::kit::Units>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    Condition::any()
        .add(inspection::Column::ProjectId.in_subquery(kit::projects_of_unit(unit)))
        .add(inspection::Column::ProjectId.in_subquery(kit::projects_paired_with(unit)))
}

/// [`visibility`] for one inspection whose project is at hand (for loaded rows).
pub async fn may_see(db: &impl ConnectionTrait, caller: &Caller, project: &project::Model) -> AppResult<bool> {
    crate::service::pairing::serves(db, caller, project).await
}

/// One inspection revision as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<inspection::Model> {
    crate::service::find_visible::<inspection::Entity>(db, actor, id, visibility, "inspection").await
}

/// The stored answers of an inspection.
pub fn answers_of(i: &inspection::Model) -> AppResult<Vec<Answer>> {
    serde_json::from_value(i.answers.clone()).map_err(|e| AppError::internal(format!("inspection answers: {e}")))
}

/// [`find_for`] inside a write transaction, locking the row until it ends (see
/// [`crate::service::lock_visible`]).
pub async fn lock_for(txn: &sea_orm::DatabaseTransaction, actor: &Actor, id: Uuid) -> AppResult<inspection::Model> {
    crate::service::lock_visible::<inspection::Entity>(txn, actor, id, visibility, "inspection").await
}

/// Raised under an id the client chose: a replay is told apart by the payload kept with the row.
impl kit::ClientKeyed for inspection::Model {
    const KIND: &'static str = "inspection";
}
