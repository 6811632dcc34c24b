//! Closing a task with its summary, once it is done or its window has passed.

use chrono::{DateTime, Utc};
use entity::supervision_task::Model as Task;
use entity::user::Role;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::service::text;

/// Writes the summary at the end of a task that is DONE or EXPIRED; a task is closed once. ADMIN.
pub async fn close(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    summary: &str,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Task> {
    actor.require_role(&[Role::Admin], "close supervision tasks")?;
    let summary = text::required("summary", summary, 2, 10_000)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id, day.date).await?;
    if before.closed_at.is_some() {
        return Err(AppError::bad_input("id", "this task is closed already; its summary stands"));
    }
    let status = status_of(&before, day.date);
    if !matches!(status, TaskStatus::Done | TaskStatus::Expired) {
        return Err(AppError::bad_input(
            "id",
            format!("a task closes when it is DONE or EXPIRED; this one is {}", kit::workflow::graphql_name(status)),
        ));
    }
    let mut after = before.clone();
    after.summary = Some(summary);
    after.closed_at = Some(now);
    after.closed_by = actor.user_id();
    after.updated_at = now;
    kit::save_audited(&txn, actor, "supervision_task.close", "supervision_task", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}
