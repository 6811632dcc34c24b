//! Moving a case on: 受理 (the office accepts it and names investigators) → 调查 → 处理 (the outcome,
//! upheld or not) → 反馈 (what the reporter is told).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::obstruction_case::{self, ObstructionStatus};
use entity::obstruction_investigator;
use entity::user::{self, Role};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::report::step;
use super::{MAX_INVESTIGATORS, lock_for, require_person};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::{kit, text};

/// A step of a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum ObstructionAction {
    /// 受理: the office accepts the report and names its investigators (REPORTED → ACCEPTED).
    Accept,
    /// 调查: the investigation starts, with a note (ACCEPTED → INVESTIGATING).
    Investigate,
    /// 处理: the outcome, and whether the accusation is upheld (INVESTIGATING → HANDLED).
    Handle,
    /// 反馈: what the reporter is told (HANDLED → ANSWERED).
    Answer,
}

impl ObstructionAction {
    fn steps(self) -> (ObstructionStatus, ObstructionStatus) {
        use ObstructionStatus as S;
        match self {
            Self::Accept => (S::Reported, S::Accepted),
            Self::Investigate => (S::Accepted, S::Investigating),
            Self::Handle => (S::Investigating, S::Handled),
            Self::Answer => (S::Handled, S::Answered),
        }
    }
}

/// What a step carries.
#[derive(Debug, Clone, Default)]
pub struct Advance {
    pub note: Option<String>,
    pub investigator_ids: Vec<Uuid>,
    pub outcome: Option<String>,
    pub upheld: Option<bool>,
    pub feedback: Option<String>,
}

/// Whether `caller` may take `action` on `case` whose investigators are `investigators`: ACCEPT is
/// the office's; the later steps the office's or an investigator's.
fn may(caller: &Caller, action: ObstructionAction, investigators: &[Uuid]) -> bool {
    caller.key.is_none()
        && match action {
            ObstructionAction::Accept => caller.role() == Role::Admin,
            _ => caller.role() == Role::Admin || investigators.contains(&caller.id()),
        }
}

/// The steps `caller` may take on `case` now.
pub fn actions_for(caller: &Caller, case: &obstruction_case::Model, investigators: &[Uuid]) -> Vec<ObstructionAction> {
    use ObstructionAction as A;
    [A::Accept, A::Investigate, A::Handle, A::Answer]
        .into_iter()
        .filter(|a| a.steps().0 == case.status && may(caller, *a, investigators))
        .collect()
}

/// Takes `action` on case `id`. A step out of order is `BAD_USER_INPUT`; a caller who may see the
/// case but not take the step, `FORBIDDEN`.
pub async fn advance(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: ObstructionAction,
    input: Advance,
    now: DateTime<Utc>,
) -> AppResult<obstruction_case::Model> {
    let caller = require_person(actor)?.clone();
    let note = text::optional("note", input.note.as_deref(), 5000)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    let investigators = super::investigators_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
    let (from, to) = action.steps();
    if before.status != from {
        return Err(AppError::bad_input(
            "action",
            format!(
                "{} takes a case that is {}; this one is {}",
                kit::workflow::graphql_name(action),
                kit::workflow::graphql_name(from),
                kit::workflow::graphql_name(before.status)
            ),
        ));
    }
    if !may(&caller, action, &investigators) {
        return Err(AppError::Forbidden("only the office or the case's investigators move it on".into()));
    }
    let mut after = before.clone().into_active_model();
    after.status = sea_orm::ActiveValue::Set(to);
    after.updated_at = sea_orm::ActiveValue::Set(now);
    match action {
        ObstructionAction::Accept => {
            let named: BTreeSet<Uuid> = input.investigator_ids.iter().copied().collect();
            if named.is_empty() || named.len() > MAX_INVESTIGATORS {
                return Err(AppError::bad_input(
                    "investigatorIds",
                    format!("name 1 to {MAX_INVESTIGATORS} investigators"),
                ));
            }
            let mut fit = user::Entity::find()
                .filter(user::Column::Id.is_in(named.iter().copied()))
                .filter(user::Column::Active.eq(true))
                .filter(user::Column::Role.ne(Role::Integration));
            if let Some(accused) = before.accused_unit_id {
                fit = fit.filter(user::Column::UnitId.ne(accused));
            }
            if fit.count(&txn).await? != named.len() as u64 {
                return Err(AppError::bad_input(
                    "investigatorIds",
                    "every investigator is an active person, and none of the accused unit",
                ));
            }
            let rows = named.iter().map(|&user_id| obstruction_investigator::ActiveModel {
                case_id: sea_orm::ActiveValue::Set(id),
                user_id: sea_orm::ActiveValue::Set(user_id),
            });
            obstruction_investigator::Entity::insert_many(rows).exec_without_returning(&txn).await?;
        }
        ObstructionAction::Investigate => {
            if note.is_none() {
                return Err(AppError::bad_input("note", "say what the investigation looks into"));
            }
        }
        ObstructionAction::Handle => {
            let outcome = text::required("outcome", input.outcome.as_deref().unwrap_or_default(), 2, 5000)?;
            let Some(upheld) = input.upheld else {
                return Err(AppError::bad_input("upheld", "say whether the accusation is upheld"));
            };
            after.outcome = sea_orm::ActiveValue::Set(Some(outcome));
            after.upheld = sea_orm::ActiveValue::Set(Some(upheld));
        }
        ObstructionAction::Answer => {
            let feedback = text::required("feedback", input.feedback.as_deref().unwrap_or_default(), 2, 5000)?;
            after.feedback = sea_orm::ActiveValue::Set(Some(feedback));
        }
    }
    let after = after.update(&txn).await?;
    step(&txn, id, to, note, caller.id(), now).await?;
    txn.commit().await?;
    Ok(after)
}
