//! Action items (交办事项): handed out at a meeting, reported done by their owner unit, verified or
//! sent back by the office; each step is on the item's timeline.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::action_item_event::{self, ActionItemEventKind};
use entity::{action_item_unit, client_payload, meeting_decision, project};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;
use crate::service::text;

/// An action item to hand out.
#[derive(Debug, Clone)]
pub struct NewActionItem {
    /// Chosen by the client, so a retried call hands nothing out twice.
    pub id: Option<Uuid>,
    pub task: String,
    pub owner_unit_id: Uuid,
    pub co_unit_ids: Vec<Uuid>,
    pub project_id: Option<Uuid>,
    pub deadline: NaiveDate,
    pub decision_id: Option<Uuid>,
}

/// Writes one entry of an item's timeline.
pub(super) async fn event(
    db: &impl ConnectionTrait,
    item: Uuid,
    kind: ActionItemEventKind,
    actor: Option<Uuid>,
    note: Option<String>,
    addressee: (Option<Uuid>, Option<Uuid>),
    at: DateTime<Utc>,
) -> AppResult<()> {
    action_item_event::Entity::insert(action_item_event::ActiveModel {
        id: NotSet,
        item_id: Set(item),
        kind: Set(kind),
        actor_id: Set(actor),
        text: Set(note),
        unit_id: Set(addressee.0),
        user_id: Set(addressee.1),
        at: Set(at),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Hands action items to units at a HELD meeting. The office or the chair. Items given with an id
/// already stored with the same content are answered as stored; with other content, `CONFLICT`.
/// All or nothing.
pub async fn assign(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    items: Vec<NewActionItem>,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<Vec<action_item::Model>> {
    let caller = actor.caller()?.clone();
    if items.is_empty() || items.len() > MAX_ITEMS {
        return Err(AppError::bad_input("items", format!("1 to {MAX_ITEMS} action items a call")));
    }
    let mut units = BTreeSet::new();
    let mut projects = BTreeSet::new();
    let mut decisions = BTreeSet::new();
    let mut checked = Vec::with_capacity(items.len());
    for item in items {
        let task = text::required("items.task", &item.task, 2, 2000)?;
        if item.deadline < today {
            return Err(AppError::bad_input("items.deadline", "a deadline is today or later"));
        }
        let co: BTreeSet<Uuid> = item.co_unit_ids.iter().copied().filter(|u| *u != item.owner_unit_id).collect();
        if co.len() > MAX_CO_UNITS {
            return Err(AppError::bad_input("items.coUnitIds", format!("at most {MAX_CO_UNITS} co-units an item")));
        }
        units.insert(item.owner_unit_id);
        units.extend(co.iter().copied());
        projects.extend(item.project_id);
        decisions.extend(item.decision_id);
        checked.push((item, task, co));
    }
    kit::require_units(db, "items.ownerUnitId", &units).await?;
    let found = project::Entity::find().filter(project::Column::Id.is_in(projects.iter().copied())).count(db).await?;
    if found as usize != projects.len() {
        return Err(AppError::bad_input("items.projectId", "some project ids match no project"));
    }
    let txn = crate::db::begin_write(db).await?;
    let meeting = lock_for(&txn, actor, meeting_id).await?;
    kit::workflow::authorize::<MeetingWorkflow>(actor, &meeting, MeetingAction::AssignItems)?;
    let own = meeting_decision::Entity::find()
        .filter(meeting_decision::Column::MeetingId.eq(meeting_id))
        .filter(meeting_decision::Column::Id.is_in(decisions.iter().copied()))
        .count(&txn)
        .await?;
    if own as usize != decisions.len() {
        return Err(AppError::bad_input("items.decisionId", "a decision of this meeting"));
    }
    let mut position =
        action_item::Entity::find().filter(action_item::Column::MeetingId.eq(meeting_id)).count(&txn).await?;
    if position as usize + checked.len() > MAX_ITEMS_PER_MEETING {
        return Err(AppError::bad_input("items", format!("a meeting hands out at most {MAX_ITEMS_PER_MEETING} items")));
    }
    let mut out = Vec::with_capacity(checked.len());
    for (item, task, co) in checked {
        let payload = json!({
            "meeting_id": meeting_id, "task": task, "owner_unit_id": item.owner_unit_id, "co_unit_ids": co,
            "project_id": item.project_id, "deadline": item.deadline, "decision_id": item.decision_id,
        });
        let id = item.id.unwrap_or_else(Uuid::now_v7);
        if let Some(stored) = kit::find_replay::<action_item::Entity>(&txn, id, &payload, "an action item").await? {
            out.push(stored);
            continue;
        }
        let model = action_item::Model {
            id,
            meeting_id,
            decision_id: item.decision_id,
            position: i32::try_from(position).unwrap_or(i32::MAX),
            task,
            owner_unit_id: item.owner_unit_id,
            project_id: item.project_id,
            deadline: item.deadline,
            status: ActionItemStatus::Open,
            done_report: None,
            done_on: None,
            done_at: None,
            verified_at: None,
            noticed_at: None,
            escalated_at: None,
            escalated_to: None,
            created_at: now,
            updated_at: now,
        };
        position += 1;
        action_item::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
        let kept = client_payload::Model {
            kind: <action_item::Model as kit::ClientKeyed>::KIND.to_owned(),
            id,
            payload: payload.clone(),
        };
        client_payload::Entity::insert(kept.into_active_model()).exec_without_returning(&txn).await?;
        if !co.is_empty() {
            action_item_unit::Entity::insert_many(
                co.iter().map(|u| action_item_unit::ActiveModel { item_id: Set(id), unit_id: Set(*u) }),
            )
            .exec_without_returning(&txn)
            .await?;
        }
        let owner = (Some(item.owner_unit_id), None);
        event(&txn, id, ActionItemEventKind::Assigned, Some(caller.id()), None, owner, now).await?;
        let mut changes = audit::diff(None, Some(&model))?;
        if let Some(o) = changes.as_object_mut() {
            o.insert("co_unit_ids".into(), json!({ "before": null, "after": co }));
        }
        let change =
            Change { action: "action_item.assign", entity_type: "action_item", entity_id: id.to_string(), changes };
        audit::record(&txn, actor, change).await?;
        out.push(model);
    }
    txn.commit().await?;
    Ok(out)
}

/// The owner unit reports an OPEN item done, saying what was done.
pub async fn report_done(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    report: &str,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<action_item::Model> {
    let caller = actor.caller()?.clone();
    let report = text::required("report", report, 2, 5000)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_item_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<ItemWorkflow>(actor, &before, ItemAction::ReportDone)?;
    let mut after = before.clone();
    after.status = next;
    after.done_report = Some(report.clone());
    after.done_on = Some(today);
    after.done_at = Some(now);
    after.updated_at = now;
    event(&txn, id, ActionItemEventKind::Done, Some(caller.id()), Some(report), (None, None), now).await?;
    kit::save_audited(&txn, actor, "action_item.report_done", "action_item", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// The office checks a DONE item: accepted (VERIFIED), or sent back to OPEN with `note` saying why.
pub async fn verify(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    passed: bool,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<action_item::Model> {
    let caller = actor.caller()?.clone();
    let note = match passed {
        true => text::optional("note", note, 2000)?,
        false => Some(text::required("note", note.unwrap_or_default(), 2, 2000)?),
    };
    let action = if passed { ItemAction::Verify } else { ItemAction::Return };
    let txn = crate::db::begin_write(db).await?;
    let before = lock_item_for(&txn, actor, id).await?;
    let next = kit::workflow::authorize::<ItemWorkflow>(actor, &before, action)?;
    let mut after = before.clone();
    after.status = next;
    after.updated_at = now;
    let kind = if passed {
        after.verified_at = Some(now);
        ActionItemEventKind::Verified
    } else {
        after.done_on = None;
        after.done_at = None;
        ActionItemEventKind::Returned
    };
    let addressee = (Some(before.owner_unit_id), None);
    event(&txn, id, kind, Some(caller.id()), note, addressee, now).await?;
    let name = format!("action_item.{}", kit::workflow::action_name(action));
    kit::save_audited(&txn, actor, &name, "action_item", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Co-unit ids of many items.
pub(super) async fn co_units(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    kit::joined_units(db, action_item_unit::Column::ItemId, action_item_unit::Column::UnitId, ids).await
}
