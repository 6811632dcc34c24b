//! Obstruction cases (惩治查处): people or units reported as hindering a project's landing, start or
//! production, accepted by the office, investigated, handled and answered. Who sees a case is
//! decided by [`visibility`], here and nowhere else: the office and leaders, the recorded
//! investigators and the reporter — and never anyone acting for the accused unit, to whom a case
//! is `NOT_FOUND` and absent from every list and count.
//!
//! A case keeps its own trail ([`entity::obstruction_step`]) instead of the shared audit trail:
//! the change feed shows every event's kind and id, which would tell the accused a case exists.

mod advance;
mod query;
mod report;

pub use advance::{Advance, ObstructionAction, actions_for, advance};
pub use query::{CaseFilter, count, cursor, investigators_of, list, steps_of};
pub use report::{NewObstruction, report};

use entity::user::Role;
use entity::{obstruction_case, obstruction_investigator};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit::Units;

/// Investigators one case may name.
pub const MAX_INVESTIGATORS: usize = 10;

/// What a caller sees of obstruction cases, as a plain value loaders are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The office and leaders: every case.
    All,
    /// Anyone else: the cases they investigate or reported, unless their unit is accused.
    Person { user: Uuid, units: Units },
    /// Integration keys: none (obstruction cases are for people only).
    Nothing,
}

/// The reach of `caller`.
pub fn reach(caller: &Caller) -> Reach {
    if caller.key.is_some() {
        return Reach::Nothing;
    }
    match caller.role() {
        Role::Admin | Role::Leader => Reach::All,
        Role::Integration => Reach::Nothing,
        _ => Reach::Person { user: caller.id(), units: caller.units() },
    }
}

/// The visibility rule as a query condition.
pub fn visibility(reach: Reach) -> Condition {
    use obstruction_case::Column as C;
    match reach {
        Reach::All => Condition::all(),
        Reach::Nothing => Condition::all().add(C::Id.is_null()),
        Reach::Person { user, units } => {
            let investigating = Query::select()
                .column(obstruction_investigator::Column::CaseId)
                .from(obstruction_investigator::Entity)
                .and_where(obstruction_investigator::Column::UserId.eq(user))
                .to_owned();
            Condition::all()
                .add(Condition::any().add(C::Id.in_subquery(investigating)).add(C::ReportedBy.eq(user)))
                .add(
                    Condition::any()
                        .add(C::AccusedUnitId.is_null())
                        .add(C::AccusedUnitId.is_not_in(units.as_slice().iter().copied())),
                )
        }
    }
}

fn caller_visibility(caller: &Caller) -> Condition {
    visibility(reach(caller))
}

/// One case as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<obstruction_case::Model> {
    crate::service::find_visible::<obstruction_case::Entity>(db, actor, id, caller_visibility, "obstruction case").await
}

/// [`find_for`] inside a write transaction, locking the row until it ends.
pub async fn lock_for(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> AppResult<obstruction_case::Model> {
    crate::service::lock_visible::<obstruction_case::Entity>(txn, actor, id, caller_visibility, "obstruction case")
        .await
}

/// `FORBIDDEN` for integration keys: obstruction cases are for people only.
fn require_person(actor: &Actor) -> AppResult<&Caller> {
    let caller = actor.caller()?;
    if caller.key.is_some() || caller.role() == Role::Integration {
        return Err(AppError::Forbidden("obstruction cases are reported and handled by people, not keys".into()));
    }
    Ok(caller)
}

/// Reported under an id the client chose: a replay is told apart by the payload kept with the row.
impl crate::service::kit::ClientKeyed for obstruction_case::Model {
    const KIND: &'static str = "obstruction_case";
}
