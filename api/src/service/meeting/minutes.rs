//! Minutes (纪要): a draft written while the meeting is HELD, then published versions that are never
//! changed; a correction is a new version naming the one it replaces.

use chrono::{DateTime, Utc};
use entity::{meeting, meeting_minutes};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::Change;
use crate::service::kit;
use crate::service::text;

/// Longest minutes, in characters.
pub const MAX_MINUTES: usize = 50_000;

/// Saves the draft of a HELD meeting's minutes. The office or the chair.
pub async fn save_draft(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    draft: &str,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    actor.caller()?;
    let draft = text::required("text", draft, 1, MAX_MINUTES)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    kit::workflow::authorize::<MeetingWorkflow>(actor, &before, MeetingAction::WriteMinutes)?;
    let mut after = before.clone();
    after.minutes_draft = Some(draft);
    after.updated_at = now;
    kit::save_audited(&txn, actor, "meeting.write_minutes", "meeting", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Publishes the minutes of a HELD meeting (version 1) or a correction of a published one (the next
/// version, replacing the last). The office or the chair. Publishing the text of the last version
/// again changes nothing, so a retry does not make a version.
pub async fn publish_minutes(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    minutes: &str,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    let caller = actor.caller()?.clone();
    let minutes = text::required("text", minutes, 1, MAX_MINUTES)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<MeetingWorkflow>(actor, &before, MeetingAction::PublishMinutes)?;
    let last = meeting_minutes::Entity::find()
        .filter(meeting_minutes::Column::MeetingId.eq(id))
        .order_by_desc(meeting_minutes::Column::Version)
        .one(&txn)
        .await?;
    if last.as_ref().is_some_and(|l| l.text == minutes) {
        return Ok(before);
    }
    let version = meeting_minutes::Model {
        id: Uuid::now_v7(),
        meeting_id: id,
        version: last.as_ref().map_or(1, |l| l.version + 1),
        text: minutes,
        replaces_id: last.as_ref().map(|l| l.id),
        published_by: caller.id(),
        published_at: now,
    };
    meeting_minutes::Entity::insert(version.clone().into_active_model()).exec_without_returning(&txn).await?;
    let mut after = before.clone();
    after.status = next;
    after.minutes_draft = None;
    after.updated_at = now;
    let changes = json!({ "minutes": { "before": last.map(|l| l.id), "after": version } });
    let change =
        Change { action: "meeting.publish_minutes", entity_type: "meeting", entity_id: id.to_string(), changes };
    kit::save_audited_with(&txn, actor, change, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}
