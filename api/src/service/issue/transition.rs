//! Moving an issue through its workflow, and comments and instructions on its timeline.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::issue;
use entity::issue_event::{self, IssueEventKind};
use entity::user::Role;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

pub(super) async fn event(
    db: &impl ConnectionTrait,
    issue_id: Uuid,
    kind: IssueEventKind,
    actor_id: Option<Uuid>,
    text: Option<String>,
    unit_id: Option<Uuid>,
) -> AppResult<()> {
    issue_event::Entity::insert(issue_event::ActiveModel {
        issue_id: Set(issue_id),
        kind: Set(kind),
        actor_id: Set(actor_id),
        text: Set(text),
        unit_id: Set(unit_id),
        at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// What a transition carries besides the action.
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub unit_id: Option<Uuid>,
    pub text: Option<String>,
    /// A deadline given with an assignment.
    pub due_date: Option<NaiveDate>,
}

/// Moves an issue one step. The caller must be able to see it (else `NOT_FOUND`), the workflow must
/// allow the step from here (else `BAD_USER_INPUT` listing what is allowed), and the caller's role
/// and unit must allow it (else `FORBIDDEN`).
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: IssueAction,
    t: Transition,
    today: NaiveDate,
) -> AppResult<issue::Model> {
    let text = crate::service::text::optional("text", t.text.as_deref(), 5000)?;
    let needs_text = matches!(action, IssueAction::Return | IssueAction::Resolve | IssueAction::Reopen);
    if needs_text && text.is_none() {
        let field = if action == IssueAction::Resolve { "resolution" } else { "reason" };
        return Err(AppError::bad_input(field, "say why (1 to 5000 characters)"));
    }
    if text.as_ref().is_some_and(|s| s.chars().count() > 5000) {
        return Err(AppError::bad_input("text", "at most 5000 characters"));
    }
    let txn = crate::db::begin_write(db).await?;
    let after = transition_in(&txn, actor, id, action, Transition { text, ..t }, today).await?;
    txn.commit().await?;
    Ok(after)
}

/// [`transition`] inside a write transaction another change shares (an inspection verifying the
/// resolutions it checked); `t.text` is already checked.
pub async fn transition_in(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    action: IssueAction,
    t: Transition,
    today: NaiveDate,
) -> AppResult<issue::Model> {
    let text = t.text;
    let before = lock_for(txn, actor, id).await?;
    let next = kit::workflow::authorize::<IssueWorkflow>(actor, &before, action)?;
    let mut after = before.clone();
    after.status = next;
    after.updated_at = Utc::now();
    let kind = match action {
        IssueAction::Assign => {
            let unit_id = t.unit_id.ok_or_else(|| AppError::bad_input("unitId", "say which unit"))?;
            kit::require_units(txn, "unitId", &BTreeSet::from([unit_id])).await?;
            after.assigned_unit_id = Some(unit_id);
            if let Some(due) = t.due_date {
                if due < today {
                    return Err(AppError::bad_input("dueDate", "a deadline is today or later"));
                }
                after.due_date = Some(due);
            }
            IssueEventKind::Assigned
        }
        IssueAction::Accept => IssueEventKind::Accepted,
        IssueAction::Return => {
            after.assigned_unit_id = None;
            IssueEventKind::Returned
        }
        IssueAction::Start => IssueEventKind::Started,
        IssueAction::Resolve => {
            after.resolution = text.clone();
            IssueEventKind::Resolved
        }
        IssueAction::Verify => IssueEventKind::Verified,
        IssueAction::Reopen => {
            after.closed_at = None;
            IssueEventKind::Reopened
        }
        IssueAction::Close => {
            after.closed_at = Some(after.updated_at);
            IssueEventKind::Closed
        }
    };
    let event_unit = match action {
        IssueAction::Assign => after.assigned_unit_id,
        IssueAction::Return => before.assigned_unit_id,
        _ => None,
    };
    event(txn, id, kind, actor.user_id(), text, event_unit).await?;
    let action_name = format!("issue.{}", kit::workflow::action_name(action));
    kit::save_audited(txn, actor, &action_name, "issue", id, &before, &after).await?;
    Ok(after)
}

/// Adds a comment (or, from a LEADER, an instruction 批示) to an issue the caller can see.
/// INTEGRATION credentials only read.
pub async fn comment(db: &DatabaseConnection, actor: &Actor, id: Uuid, text: String) -> AppResult<issue::Model> {
    let caller = actor.caller()?;
    if caller.role() == Role::Integration {
        return Err(AppError::Forbidden("integrations only read".into()));
    }
    let text = crate::service::text::required("text", &text, 1, 5000)?;
    let txn = crate::db::begin_write(db).await?;
    let issue = find_for(&txn, actor, id).await?;
    let kind = if caller.role() == Role::Leader { IssueEventKind::Instruction } else { IssueEventKind::Comment };
    event(&txn, id, kind, Some(caller.id()), Some(text.clone()), None).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "issue.comment",
            entity_type: "issue",
            entity_id: id.to_string(),
            changes: json!({ "comment": { "after": text } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(issue)
}

/// Changes an issue's deadline and says why on its timeline. The office only; an issue already
/// resolved keeps the deadline it was resolved against.
pub async fn set_due_date(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    due: NaiveDate,
    reason: String,
    today: NaiveDate,
) -> AppResult<issue::Model> {
    actor.require_role(&[Role::Admin], "change issue deadlines")?;
    let reason = crate::service::text::required("reason", &reason, 1, 5000)?;
    if due < today {
        return Err(AppError::bad_input("dueDate", "a deadline is today or later"));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    if FINISHED.contains(&before.status) {
        return Err(AppError::bad_input("id", "the issue is already resolved; its deadline stays"));
    }
    let mut after = before.clone();
    after.due_date = Some(due);
    after.updated_at = Utc::now();
    let was = before.due_date.map_or_else(|| "无".to_owned(), |d| d.to_string());
    let text = format!("期限由{was}调整为{due}：{reason}");
    event(&txn, id, IssueEventKind::DueChanged, actor.user_id(), Some(text), None).await?;
    kit::save_audited(&txn, actor, "issue.set_due_date", "issue", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}
