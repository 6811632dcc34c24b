//! The office's review of an inspection's current revision.

use chrono::Utc;
use entity::inspection::{self, ReviewStatus};
use entity::user::Role;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit;

/// Records the office's review of the current revision. ADMIN; a note is needed unless APPROVED.
pub async fn review(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: ReviewStatus,
    note: Option<String>,
) -> AppResult<inspection::Model> {
    actor.require_role(&[Role::Admin], "review inspections")?;
    let note = crate::service::text::optional("note", note.as_deref(), 5000)?;
    if status == ReviewStatus::Pending {
        return Err(AppError::bad_input("status", "a review approves, flags issues, or rejects"));
    }
    if status != ReviewStatus::Approved && note.is_none() {
        return Err(AppError::bad_input("note", "say what is wrong"));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::bad_input("note", "at most 2000 characters"));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    if !before.is_current {
        return Err(AppError::Conflict("this revision has been replaced; review the current one".into()));
    }
    let after = inspection::Model {
        review_status: status,
        reviewed_by: actor.user_id(),
        reviewed_at: Some(Utc::now()),
        review_note: note,
        ..before.clone()
    };
    kit::save_audited(&txn, actor, "inspection.review", "inspection", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}
