//! Overdue action items are chased like issues: a supervision notice (督办通知) to the owner unit the
//! day after the deadline, then, after the office's number of days, the item goes to the meeting's
//! chair. Each is written once, on the item's timeline, by whichever instance gets there first.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::action_item_event::ActionItemEventKind;
use entity::meeting;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::actions::event;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::{self, Change};

/// How many items [`escalate_overdue`] noticed and escalated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chased {
    pub noticed: usize,
    pub escalated: usize,
}

/// Sends the notices and escalations that are due on `today`. Safe to run from several instances
/// at once: each conditional update lets one of them record each step.
pub async fn escalate_overdue(db: &DatabaseConnection, today: NaiveDate, now: DateTime<Utc>) -> AppResult<Chased> {
    use action_item::Column as C;
    let rules = crate::service::settings::rules(db).await?;
    let mut chased = Chased::default();
    let late: Vec<action_item::Model> = action_item::Entity::find()
        .filter(C::Status.eq(ActionItemStatus::Open))
        .filter(C::Deadline.lt(today))
        .filter(C::NoticedAt.is_null())
        .all(db)
        .await?;
    for item in late {
        let days = (today - item.deadline).num_days();
        let note = format!("逾期{days}天未办结，督办通知");
        if step(db, &item, C::NoticedAt, None, ActionItemEventKind::Notice, note, now).await? {
            chased.noticed += 1;
        }
    }
    let cutoff = today - chrono::Duration::days(i64::from(rules.action_item_chair_after_days));
    let long_late: Vec<action_item::Model> = action_item::Entity::find()
        .filter(C::Status.eq(ActionItemStatus::Open))
        .filter(C::Deadline.lt(cutoff))
        .filter(C::EscalatedAt.is_null())
        .all(db)
        .await?;
    let chairs: HashMap<Uuid, Uuid> = meeting::Entity::find()
        .select_only()
        .columns([meeting::Column::Id, meeting::Column::ChairId])
        .filter(meeting::Column::Id.is_in(long_late.iter().map(|i| i.meeting_id)))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    for item in long_late {
        let Some(chair) = chairs.get(&item.meeting_id).copied() else { continue };
        let days = (today - item.deadline).num_days();
        let note = format!("逾期{days}天，提交会议主持领导督办");
        if step(db, &item, C::EscalatedAt, Some(chair), ActionItemEventKind::Escalated, note, now).await? {
            chased.escalated += 1;
        }
    }
    Ok(chased)
}

/// Sets `column` (and, for an escalation, `escalated_to`) on `item` unless another instance did,
/// and writes the timeline entry and the audit event; whether this call did it.
async fn step(
    db: &DatabaseConnection,
    item: &action_item::Model,
    column: action_item::Column,
    chair: Option<Uuid>,
    kind: ActionItemEventKind,
    note: String,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    use action_item::Column as C;
    let txn = crate::db::begin_write(db).await?;
    let mut update = action_item::Entity::update_many().col_expr(column, Expr::value(now));
    if let Some(chair) = chair {
        update = update.col_expr(C::EscalatedTo, Expr::value(chair));
    }
    let won = update.filter(C::Id.eq(item.id)).filter(column.is_null()).exec(&txn).await?;
    if won.rows_affected != 1 {
        return Ok(false);
    }
    let addressee = match chair {
        Some(chair) => (None, Some(chair)),
        None => (Some(item.owner_unit_id), None),
    };
    event(&txn, item.id, kind, None, Some(note), addressee, now).await?;
    let changes = match chair {
        Some(chair) => json!({ "escalated_to": { "before": null, "after": chair } }),
        None => json!({ "noticed_at": { "before": null, "after": now } }),
    };
    let action = if chair.is_some() { "action_item.escalate" } else { "action_item.notice" };
    let change = Change { action, entity_type: "action_item", entity_id: item.id.to_string(), changes };
    audit::record(&txn, &Actor::System, change).await?;
    txn.commit().await?;
    Ok(true)
}
