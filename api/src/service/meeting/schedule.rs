//! Scheduling a meeting, recording that it was held with its agenda, and calling it off.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use entity::meeting::{self, MeetingKind, MeetingStatus};
use entity::project::Industry;
use entity::user::{self, Role};
use entity::{meeting_agenda, meeting_attendee, meeting_unit, project};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;
use crate::service::text;

/// What [`schedule`] needs.
#[derive(Debug, Clone)]
pub struct NewMeeting {
    /// Chosen by the client, so a retry is not scheduled twice.
    pub id: Option<Uuid>,
    pub kind: MeetingKind,
    pub title: String,
    pub chair_id: Uuid,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub industry: Option<Industry>,
    pub unit_ids: Vec<Uuid>,
    pub attendee_ids: Vec<Uuid>,
}

/// A project on the agenda and the dispatch opinion recorded for it.
#[derive(Debug, Clone)]
pub struct AgendaEntry {
    pub project_id: Uuid,
    pub opinion: String,
}

/// Schedules a meeting. LEADER (chairing it) or ADMIN (for any chair). The chair is an active
/// LEADER, or an ADMIN for a PROJECT_OFFICE meeting. Replaying the same create answers the stored
/// meeting; other content under its id is `CONFLICT`.
pub async fn schedule(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewMeeting,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin, Role::Leader], "schedule meetings")?;
    if caller.role() == Role::Leader && caller.id() != input.chair_id {
        return Err(AppError::Forbidden("a leader schedules the meetings they chair".into()));
    }
    if !(2000..=2100).contains(&chrono::Datelike::year(&input.starts_at)) {
        return Err(AppError::bad_input("startsAt", "a time from the year 2000 to 2100"));
    }
    let title = text::required("title", &input.title, 2, 200)?;
    let place = text::required("place", &input.place, 1, 200)?;
    match (input.kind, input.industry) {
        (MeetingKind::Industry, None) => {
            return Err(AppError::bad_input("industry", "an INDUSTRY meeting names the industry it schedules"));
        }
        (kind, Some(_)) if kind != MeetingKind::Industry => {
            return Err(AppError::bad_input("industry", "only an INDUSTRY meeting names an industry"));
        }
        _ => {}
    }
    let units: BTreeSet<Uuid> = input.unit_ids.iter().copied().collect();
    if units.len() > MAX_UNITS {
        return Err(AppError::bad_input("unitIds", format!("at most {MAX_UNITS} units")));
    }
    let attendees: BTreeSet<Uuid> = input.attendee_ids.iter().copied().collect();
    if attendees.len() > MAX_ATTENDEES {
        return Err(AppError::bad_input("attendeeIds", format!("at most {MAX_ATTENDEES} attendees")));
    }
    check_chair(db, input.kind, input.chair_id).await?;
    kit::require_units(db, "unitIds", &units).await?;
    require_users(db, &attendees).await?;
    let payload = json!({
        "kind": input.kind, "title": title, "chair_id": input.chair_id, "starts_at": input.starts_at,
        "place": place, "industry": input.industry, "unit_ids": units, "attendee_ids": attendees,
        "created_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<meeting::Entity>(db, id, &payload, "a meeting").await? {
        return Ok(stored);
    }
    let model = meeting::Model {
        id,
        kind: input.kind,
        title,
        chair_id: input.chair_id,
        starts_at: input.starts_at,
        place,
        industry: input.industry,
        status: MeetingStatus::Scheduled,
        cancel_reason: None,
        minutes_draft: None,
        created_by: caller.id(),
        created_at: now,
        updated_at: now,
        held_at: None,
    };
    let txn = crate::db::begin_write(db).await?;
    let txn = match kit::insert_or_replay::<meeting::Entity>(db, txn, id, model.clone(), &payload, "a meeting").await? {
        kit::Insert::Inserted(txn) => txn,
        kit::Insert::Replayed(stored) => return Ok(stored),
    };
    if !units.is_empty() {
        meeting_unit::Entity::insert_many(
            units.iter().map(|u| meeting_unit::ActiveModel { meeting_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    if !attendees.is_empty() {
        meeting_attendee::Entity::insert_many(
            attendees.iter().map(|u| meeting_attendee::ActiveModel { meeting_id: Set(id), user_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let mut changes = audit::diff(None, Some(&model))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("unit_ids".into(), json!({ "before": null, "after": units }));
        o.insert("attendee_ids".into(), json!({ "before": null, "after": attendees }));
    }
    audit::record(
        &txn,
        actor,
        Change { action: "meeting.schedule", entity_type: "meeting", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The chair is an active LEADER, or an ADMIN for a PROJECT_OFFICE meeting.
async fn check_chair(db: &impl ConnectionTrait, kind: MeetingKind, chair: Uuid) -> AppResult<()> {
    let found = user::Entity::find_by_id(chair).one(db).await?;
    let Some(found) = found.filter(|u| u.active) else {
        return Err(AppError::bad_input("chairId", "no active account has this id"));
    };
    match found.role {
        Role::Leader => Ok(()),
        Role::Admin if kind == MeetingKind::ProjectOffice => Ok(()),
        Role::Admin => Err(AppError::bad_input("chairId", "the project office chairs PROJECT_OFFICE meetings only")),
        _ => Err(AppError::bad_input("chairId", "a meeting is chaired by a leader (or the office, for its own)")),
    }
}

async fn require_users(db: &impl ConnectionTrait, ids: &BTreeSet<Uuid>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = user::Entity::find().filter(user::Column::Id.is_in(ids.iter().copied())).count(db).await?;
    if found as usize != ids.len() {
        return Err(AppError::bad_input("attendeeIds", "some attendee ids match no account"));
    }
    Ok(())
}

/// Records that a SCHEDULED meeting was held and what it dispatched: at least one project, each
/// with its dispatch opinion (调度意见). The office or the chair.
pub async fn hold(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    agenda: Vec<AgendaEntry>,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    actor.caller()?;
    if agenda.is_empty() {
        return Err(AppError::bad_input("agenda", "a held meeting dispatches at least one project (调度必议项目)"));
    }
    if agenda.len() > MAX_AGENDA {
        return Err(AppError::bad_input("agenda", format!("at most {MAX_AGENDA} projects on one agenda")));
    }
    let mut projects = BTreeSet::new();
    let mut rows = Vec::with_capacity(agenda.len());
    for (position, entry) in (0..).zip(agenda) {
        if !projects.insert(entry.project_id) {
            return Err(AppError::bad_input("agenda.projectId", "a project is on the agenda once"));
        }
        rows.push(meeting_agenda::Model {
            meeting_id: id,
            project_id: entry.project_id,
            position,
            opinion: text::required("agenda.opinion", &entry.opinion, 1, 5000)?,
        });
    }
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<MeetingWorkflow>(actor, &before, MeetingAction::Hold)?;
    let found = project::Entity::find().filter(project::Column::Id.is_in(projects.iter().copied())).count(&txn).await?;
    if found as usize != projects.len() {
        return Err(AppError::bad_input("agenda.projectId", "some project ids match no project"));
    }
    meeting_agenda::Entity::insert_many(rows.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&txn)
        .await?;
    let mut after = before.clone();
    after.status = next;
    after.held_at = Some(now);
    after.updated_at = now;
    let agenda = json!({ "agenda": { "before": null, "after": rows } });
    let change = Change { action: "meeting.hold", entity_type: "meeting", entity_id: id.to_string(), changes: agenda };
    kit::save_audited_with(&txn, actor, change, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Calls off a SCHEDULED meeting. The office or the chair.
pub async fn cancel(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<meeting::Model> {
    actor.caller()?;
    let reason = text::required("reason", reason, 2, 1000)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<MeetingWorkflow>(actor, &before, MeetingAction::Cancel)?;
    let mut after = before.clone();
    after.status = next;
    after.cancel_reason = Some(reason);
    after.updated_at = now;
    kit::save_audited(&txn, actor, "meeting.cancel", "meeting", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}
