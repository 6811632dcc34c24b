//! A webhook's deliveries: the log, and the messages a manager queues by hand (a redelivery, a ping).

use chrono::{DateTime, Utc};
use entity::webhook_attempt;
use entity::webhook_delivery::{self, DeliveryStatus};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, NotSet,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{PING, events, find, manager};
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

/// A delivery with its attempts, oldest attempt first.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    pub delivery: webhook_delivery::Model,
    pub attempts: Vec<webhook_attempt::Model>,
}

/// A webhook's deliveries, newest first, each with its attempts (at most the schedule's number).
pub async fn deliveries(
    db: &DatabaseConnection,
    actor: &Actor,
    webhook_id: Uuid,
    page: &PageRequest,
) -> AppResult<Page<DeliveryLog>> {
    manager(actor)?;
    find(db, actor, webhook_id).await?;
    let mut q = webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(webhook_id));
    if let Some(after) = &page.after {
        let id: i64 = after.parse().map_err(|_| AppError::bad_input("after", "not a cursor of this list"))?;
        q = q.filter(webhook_delivery::Column::Id.lt(id));
    }
    let rows = q.order_by_desc(webhook_delivery::Column::Id).limit(page.fetch()).all(db).await?;
    let page = Page::from_fetched(rows, page);
    let ids: Vec<i64> = page.items.iter().map(|d| d.id).collect();
    let attempts = if ids.is_empty() {
        Vec::new()
    } else {
        webhook_attempt::Entity::find()
            .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
            .order_by_asc(webhook_attempt::Column::Id)
            .all(db)
            .await?
    };
    let mut by_delivery = crate::service::grouped(attempts.into_iter().map(|a| (a.delivery_id, a)));
    Ok(Page {
        has_next: page.has_next,
        items: page
            .items
            .into_iter()
            .map(|delivery| DeliveryLog { attempts: by_delivery.remove(&delivery.id).unwrap_or_default(), delivery })
            .collect(),
    })
}

/// A new delivery, due now, at the end of its webhook's queue.
pub(super) fn pending(
    webhook_id: Uuid,
    seq: Option<i64>,
    event_type: &str,
    payload: String,
    now: DateTime<Utc>,
) -> webhook_delivery::ActiveModel {
    webhook_delivery::ActiveModel {
        id: NotSet,
        webhook_id: Set(webhook_id),
        seq: Set(seq),
        event_type: Set(event_type.to_owned()),
        payload: Set(payload),
        status: Set(DeliveryStatus::Pending),
        attempts: Set(0),
        next_attempt_at: Set(now),
        last_attempt_at: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
    }
}

async fn enqueue(
    db: &impl ConnectionTrait,
    webhook_id: Uuid,
    seq: Option<i64>,
    event_type: &str,
    payload: String,
    now: DateTime<Utc>,
) -> AppResult<webhook_delivery::Model> {
    Ok(pending(webhook_id, seq, event_type, payload, now).insert(db).await?)
}

/// Sends a delivery's message again, as a new delivery at the end of its webhook's queue (same body,
/// same `webhook-id`, so a receiver that keeps ids can tell it is the same event).
pub async fn redeliver(
    db: &DatabaseConnection,
    actor: &Actor,
    delivery_id: i64,
    now: DateTime<Utc>,
) -> AppResult<webhook_delivery::Model> {
    manager(actor)?;
    let old = webhook_delivery::Entity::find_by_id(delivery_id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound("webhook delivery"))?;
    find(db, actor, old.webhook_id).await.map_err(|_| AppError::NotFound("webhook delivery"))?;
    let txn = crate::db::begin_write(db).await?;
    let copy = enqueue(&txn, old.webhook_id, old.seq, &old.event_type, old.payload, now).await?;
    let changes = serde_json::json!({ "delivery": { "before": old.id, "after": copy.id } });
    audit::record(
        &txn,
        actor,
        Change { action: "webhook.redeliver", entity_type: "webhook", entity_id: old.webhook_id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(copy)
}

/// Queues a ping: a message that tells the receiver the webhook works, whatever it subscribes to.
pub async fn ping(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<webhook_delivery::Model> {
    manager(actor)?;
    let hook = find(db, actor, id).await?;
    enqueue(db, hook.id, None, PING, events::ping_body(hook.target, hook.id, now)?, now).await
}

/// The `webhook-id` of a delivery: the same for every attempt and redelivery of one event.
pub fn message_id(delivery: &webhook_delivery::Model) -> String {
    match delivery.seq {
        Some(seq) => format!("evt_{seq}"),
        None => format!("msg_{}", delivery.id),
    }
}

/// How many deliveries a webhook has had.
pub async fn delivery_count(db: &DatabaseConnection, actor: &Actor, webhook_id: Uuid) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    manager(actor)?;
    find(db, actor, webhook_id).await?;
    Ok(webhook_delivery::Entity::find().filter(webhook_delivery::Column::WebhookId.eq(webhook_id)).count(db).await?)
}
