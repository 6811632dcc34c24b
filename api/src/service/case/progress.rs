//! Moving a case on: starting, resolving, reopening, closing, and deciding a matter.

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::LinkTarget;
use entity::case_measure;
use entity::issue::{self, IssueStatus};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::links::linked;
use super::open::check_decision;
use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit;

/// Moves a case: start, resolve, reopen or close. Resolving needs every measure done and, for a
/// matter, its decision; closing needs every linked issue closed. Each unmet condition is `CONFLICT`
/// naming what is still open.
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: CaseAction,
) -> AppResult<case::Model> {
    if !matches!(action, CaseAction::Start | CaseAction::Resolve | CaseAction::Reopen | CaseAction::Close) {
        return Err(AppError::internal("not a case transition"));
    }
    let _caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<CaseWorkflow>(actor, &before, action)?;
    match action {
        CaseAction::Resolve => {
            let undone: Vec<String> = case_measure::Entity::find()
                .filter(case_measure::Column::CaseId.eq(id))
                .filter(case_measure::Column::DoneOn.is_null())
                .order_by_asc(case_measure::Column::Position)
                .all(&txn)
                .await?
                .into_iter()
                .map(|m| format!("#{} {}", m.position + 1, m.description))
                .collect();
            if !undone.is_empty() {
                return Err(AppError::Conflict(format!("measures not yet done: {}", undone.join("; "))));
            }
            if before.kind == CaseKind::OneMatterOneDiscussion && before.decision.is_none() {
                return Err(AppError::Conflict("the matter has no recorded decision yet".into()));
            }
        }
        CaseAction::Close => {
            let open: Vec<(String, IssueStatus)> = issue::Entity::find()
                .select_only()
                .column(issue::Column::Number)
                .column(issue::Column::Status)
                .filter(issue::Column::Id.in_subquery(linked(id, LinkTarget::Issue)))
                .filter(issue::Column::Status.ne(IssueStatus::Closed))
                .order_by_asc(issue::Column::Number)
                .into_tuple()
                .all(&txn)
                .await?;
            if !open.is_empty() {
                let names: Vec<String> =
                    open.iter().map(|(n, s)| format!("{n} ({})", kit::workflow::graphql_name(s))).collect();
                return Err(AppError::Conflict(format!(
                    "the case cannot close while linked issues are not closed: {}",
                    names.join(", ")
                )));
            }
        }
        _ => {}
    }
    let mut after = before.clone();
    after.status = next;
    after.updated_at = Utc::now();
    after.closed_at = (next == CaseStatus::Closed).then_some(after.updated_at);
    let name = format!("case.{}", kit::workflow::action_name(action));
    kit::save_audited(&txn, actor, &name, "case", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Records the decision on a 一事一议 matter; an open matter moves to IN_PROGRESS.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    today: NaiveDate,
) -> AppResult<case::Model> {
    let _caller = actor.caller()?;
    let decision = check_decision(decision, today)?;
    let txn = crate::db::begin_write(db).await?;
    let after = decide_in(&txn, actor, id, decision, None, Utc::now()).await?;
    txn.commit().await?;
    Ok(after)
}

/// [`decide`] inside the caller's transaction, with a checked decision and, when a meeting took it,
/// the meeting (which the case then shows as where it was decided).
pub async fn decide_in(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    meeting: Option<Uuid>,
    now: chrono::DateTime<Utc>,
) -> AppResult<case::Model> {
    let before = lock_for(txn, actor, id).await?;
    let next = kit::workflow::authorize::<CaseWorkflow>(actor, &before, CaseAction::Decide)?;
    let mut after = before.clone();
    after.status = next;
    after.decision = Some(decision.text);
    after.decided_on = Some(decision.decided_on);
    after.decided_by = Some(decision.decided_by);
    after.decided_at_meeting_id = meeting;
    after.updated_at = now;
    kit::save_audited(txn, actor, "case.decide", "case", id, &before, &after).await?;
    Ok(after)
}
