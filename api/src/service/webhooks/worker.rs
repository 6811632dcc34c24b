//! Delivering webhooks, on every instance at once without sending anything twice: an instance takes
//! a webhook under a lease (a conditional write; the lease lapses by itself if the instance dies,
//! and another takes over), queues the events recorded since the webhook's last sequence number,
//! and sends its queue in order: the next delivery waits until the one before is answered with a
//! 2xx or has run out of retries (about a day, 5 s … 10 h apart with jitter). A webhook whose every
//! attempt has failed for three days is turned off, saying why.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::webhook_delivery::{self, DeliveryStatus};
use entity::{audit_event, integration_key, user, webhook, webhook_attempt};
use futures_util::StreamExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, EntityTrait, NotSet, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::events::{self, Records};
use super::send::{self, Answer};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::keys::Grant;

/// Seconds to wait after each failed attempt before the next (after the first, 5 s; …); after the
/// last, the delivery has failed. The attempts span about 27 hours.
pub const RETRY_AFTER_SECS: [i64; 7] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];
/// How long a webhook may fail every attempt before it is turned off.
pub const DISABLE_AFTER_DAYS: i64 = 3;
/// Audit events read for one webhook in one round.
const EVENTS_PER_ROUND: u64 = 500;
/// How long one round may keep sending to one webhook before the next round takes over.
const ROUND_BUDGET: Duration = Duration::from_secs(30);
/// Webhooks worked at once by one instance.
const AT_ONCE: usize = 8;

/// When to try again after `attempts` failed attempts, `None` when the retries have run out.
/// `jitter` in [0, 1) adds up to a fifth of the wait, so receivers that come back are not hit by
/// every sender at the same instant.
pub fn next_attempt(attempts: i32, now: DateTime<Utc>, jitter: f64) -> Option<DateTime<Utc>> {
    let wait = *RETRY_AFTER_SECS.get(usize::try_from(attempts).ok()?.checked_sub(1)?)?;
    let millis = (wait as f64 * 1000.0 * (1.0 + jitter.clamp(0.0, 1.0) / 5.0)) as i64;
    Some(now + chrono::Duration::milliseconds(millis))
}

/// A number in [0, 1) from the system's random source.
fn jitter() -> f64 {
    f64::from(Uuid::new_v4().as_u128() as u32) / f64::from(u32::MAX).next_up()
}

/// One instance's deliverer.
pub struct Worker {
    db: DatabaseConnection,
    client: reqwest::Client,
    instance: Uuid,
    lease: chrono::Duration,
    allow_private: bool,
}

impl Worker {
    /// A deliverer whose requests take at most `timeout`.
    pub fn new(db: DatabaseConnection, timeout: Duration, allow_private: bool) -> AppResult<Self> {
        let client = send::client(timeout, allow_private).map_err(AppError::internal)?;
        // Long enough for one send and its bookkeeping; renewed before every send.
        let lease = chrono::Duration::from_std(timeout * 2 + Duration::from_secs(1)).map_err(AppError::internal)?;
        Ok(Self { db, client, instance: Uuid::new_v4(), lease, allow_private })
    }

    /// One round: every active webhook no other instance holds is taken, filled from the trail and
    /// sent. Returns the attempts made.
    pub async fn round(&self) -> AppResult<usize> {
        let now = Utc::now();
        // Only webhooks with work: events past their position, or a delivery due. An idle round is
        // two reads, and takes no lease.
        let head = crate::service::trail::head(&self.db).await?;
        let due = sea_orm::sea_query::Query::select()
            .expr(Expr::val(1))
            .from(webhook_delivery::Entity)
            .and_where(
                Expr::col((webhook_delivery::Entity, webhook_delivery::Column::WebhookId))
                    .equals((webhook::Entity, webhook::Column::Id)),
            )
            .and_where(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
            .and_where(webhook_delivery::Column::NextAttemptAt.lte(now))
            .to_owned();
        let ids: Vec<Uuid> = webhook::Entity::find()
            .select_only()
            .column(webhook::Column::Id)
            .filter(webhook::Column::Active.eq(true))
            .filter(free(now))
            .filter(Condition::any().add(webhook::Column::AfterSeq.lt(head)).add(Expr::exists(due)))
            .order_by_asc(webhook::Column::LeaseUntil)
            .limit(1000)
            .into_tuple()
            .all(&self.db)
            .await?;
        let results: Vec<AppResult<usize>> =
            futures_util::stream::iter(ids).map(|id| self.work(id)).buffer_unordered(AT_ONCE).collect().await;
        let mut attempts = 0;
        let mut first_error = None;
        for r in results {
            match r {
                Ok(n) => attempts += n,
                Err(e) => first_error = first_error.or(Some(e)),
            }
        }
        first_error.map_or(Ok(attempts), Err)
    }

    /// Takes or renews this instance's lease on a webhook; false when another instance holds it.
    async fn lease(&self, id: Uuid) -> AppResult<bool> {
        let now = Utc::now();
        let held = Condition::any().add(free(now)).add(webhook::Column::LeaseOwner.eq(self.instance));
        let done = webhook::Entity::update_many()
            .col_expr(webhook::Column::LeaseOwner, Expr::value(self.instance))
            .col_expr(webhook::Column::LeaseUntil, Expr::value(now + self.lease))
            .filter(webhook::Column::Id.eq(id))
            .filter(webhook::Column::Active.eq(true))
            .filter(held)
            .exec(&self.db)
            .await?;
        Ok(done.rows_affected == 1)
    }

    async fn work(&self, id: Uuid) -> AppResult<usize> {
        if !self.lease(id).await? {
            return Ok(0);
        }
        let worked = self.fill_and_send(id).await;
        let released = webhook::Entity::update_many()
            .col_expr(webhook::Column::LeaseOwner, Expr::value(Option::<Uuid>::None))
            .col_expr(webhook::Column::LeaseUntil, Expr::value(Option::<DateTime<Utc>>::None))
            .filter(webhook::Column::Id.eq(id))
            .filter(webhook::Column::LeaseOwner.eq(self.instance))
            .exec(&self.db)
            .await;
        let attempts = worked?;
        released?;
        Ok(attempts)
    }

    /// Fills the webhook's queue from the trail and sends it in order, again while the trail has
    /// more, until the queue waits on a retry, the round's time is up or the lease is lost.
    async fn fill_and_send(&self, id: Uuid) -> AppResult<usize> {
        let started = std::time::Instant::now();
        let mut attempts = 0;
        loop {
            let Some(hook) = webhook::Entity::find_by_id(id).one(&self.db).await? else {
                return Ok(attempts);
            };
            let Some((hook, more)) = self.fill(hook).await? else {
                return Ok(attempts);
            };
            loop {
                if started.elapsed() > ROUND_BUDGET {
                    return Ok(attempts);
                }
                let head = webhook_delivery::Entity::find()
                    .filter(webhook_delivery::Column::WebhookId.eq(id))
                    .filter(webhook_delivery::Column::Status.eq(DeliveryStatus::Pending))
                    .order_by_asc(webhook_delivery::Column::Id)
                    .one(&self.db)
                    .await?;
                let Some(head) = head else { break };
                if head.next_attempt_at > Utc::now() || !self.lease(id).await? {
                    return Ok(attempts);
                }
                let message_id = super::message_id(&head);
                let answer =
                    send::send(&self.client, &hook, &message_id, &head.payload, Utc::now(), self.allow_private).await;
                attempts += 1;
                let delivered = answer.delivered();
                if !self.settle(&hook, head, answer).await? || !delivered {
                    return Ok(attempts);
                }
            }
            if !more {
                return Ok(attempts);
            }
        }
    }

    /// Queues the events recorded since the webhook's sequence number that it subscribes to and its
    /// maker may see, and moves the number on, in one transaction; with whether the trail may hold
    /// more. `None` when the webhook was turned off because its maker no longer may act, or another
    /// instance took it over.
    async fn fill(&self, hook: webhook::Model) -> AppResult<Option<(webhook::Model, bool)>> {
        let rows = audit_event::Entity::find()
            .filter(audit_event::Column::Seq.gt(hook.after_seq))
            .order_by_asc(audit_event::Column::Seq)
            .limit(EVENTS_PER_ROUND)
            .all(&self.db)
            .await?;
        let Some(last) = rows.last().map(|r| r.seq) else {
            return Ok(Some((hook, false)));
        };
        let more = rows.len() as u64 == EVENTS_PER_ROUND;
        let viewer = match self.viewer(&hook).await? {
            Ok(caller) => caller,
            Err(reason) => {
                self.turn_off(&hook, reason).await?;
                return Ok(None);
            }
        };
        let wanted = hook.event_type_list();
        let hidden = crate::service::feed::hidden_ids(&self.db, &viewer, &rows).await?;
        let relevant: Vec<&audit_event::Model> =
            rows.iter().filter(|e| !hidden.contains(&(e.entity_type.clone(), e.entity_id.clone()))).collect();
        let records = Records::load(&self.db, &relevant).await?;
        let now = Utc::now();
        let mut queued = Vec::new();
        for event in relevant {
            for kind in records.types_of(event).into_iter().filter(|k| wanted.contains(k)) {
                let summary = records.summary(kind, event);
                let payload = events::body(hook.target, kind, event, &summary)?;
                queued.push(super::deliveries::pending(hook.id, Some(event.seq), kind.name(), payload, now));
            }
        }
        let txn = crate::db::begin_write(&self.db).await?;
        let moved = webhook::Entity::update_many()
            .col_expr(webhook::Column::AfterSeq, Expr::value(last))
            .filter(webhook::Column::Id.eq(hook.id))
            .filter(webhook::Column::AfterSeq.eq(hook.after_seq))
            .filter(webhook::Column::LeaseOwner.eq(self.instance))
            .exec(&txn)
            .await?;
        if moved.rows_affected != 1 {
            // Another instance took the webhook over (this one's lease lapsed): it queues these.
            return Ok(None);
        }
        if !queued.is_empty() {
            webhook_delivery::Entity::insert_many(queued).exec_without_returning(&txn).await?;
        }
        txn.commit().await?;
        Ok(Some((webhook::Model { after_seq: last, ..hook }, more)))
    }

    /// Who the webhook sees records as: its maker (for a key, with the key's scopes), narrowed to
    /// its unit. `Err` with the reason when the maker may no longer act.
    async fn viewer(&self, hook: &webhook::Model) -> AppResult<Result<Caller, String>> {
        let Some(mut owner) = user::Entity::find_by_id(hook.owner_id).one(&self.db).await? else {
            return Ok(Err("the account that made it no longer exists".into()));
        };
        if !owner.active {
            return Ok(Err("the account or integration key that made it was turned off".into()));
        }
        let key =
            integration_key::Entity::find().filter(integration_key::Column::UserId.eq(owner.id)).one(&self.db).await?;
        let grant = match key {
            Some(k) if !k.works_at(Utc::now()) => {
                return Ok(Err("the integration key that made it was revoked or has expired".into()));
            }
            Some(k) => {
                // A webhook narrowed to a unit sees only that unit's, whatever else its key may.
                let units = match hook.unit_id {
                    Some(unit) => vec![unit],
                    None => crate::service::keys::units_of(&self.db, k.id).await?,
                };
                Some(Arc::new(Grant { key_id: k.id, user_id: k.user_id, scopes: k.scope_list(), units }))
            }
            None => None,
        };
        if let Some(unit) = hook.unit_id {
            owner.role = user::Role::Department;
            owner.unit_id = unit;
        }
        Ok(Ok(Caller { user: owner, key: grant }))
    }

    async fn turn_off(&self, hook: &webhook::Model, reason: String) -> AppResult<()> {
        webhook::Entity::update_many()
            .col_expr(webhook::Column::Active, Expr::value(false))
            .col_expr(webhook::Column::DisabledReason, Expr::value(reason))
            .col_expr(webhook::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(webhook::Column::Id.eq(hook.id))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Logs an attempt and moves its delivery and webhook on, in one transaction, while this
    /// instance still holds the webhook. False when it no longer does.
    async fn settle(&self, hook: &webhook::Model, head: webhook_delivery::Model, answer: Answer) -> AppResult<bool> {
        let now = Utc::now();
        let txn = crate::db::begin_write(&self.db).await?;
        let current = webhook::Entity::find_by_id(hook.id)
            .filter(webhook::Column::LeaseOwner.eq(self.instance))
            .lock_exclusive()
            .one(&txn)
            .await?;
        let Some(current) = current else {
            return Ok(false);
        };
        webhook_attempt::ActiveModel {
            id: NotSet,
            delivery_id: Set(head.id),
            attempted_at: Set(now),
            status_code: Set(answer.status.map(i32::from)),
            duration_ms: Set(answer.duration_ms),
            response: Set(answer.body.clone()),
            error: Set(answer.error.clone()),
        }
        .insert(&txn)
        .await?;
        let attempts = head.attempts + 1;
        let mut delivery: webhook_delivery::ActiveModel = head.into();
        delivery.attempts = Set(attempts);
        delivery.last_attempt_at = Set(Some(now));
        let mut hook_row: webhook::ActiveModel = current.clone().into();
        if answer.delivered() {
            delivery.status = Set(DeliveryStatus::Delivered);
            delivery.delivered_at = Set(Some(now));
            hook_row.failing_since = Set(None);
        } else {
            match next_attempt(attempts, now, jitter()) {
                Some(at) => delivery.next_attempt_at = Set(at),
                None => delivery.status = Set(DeliveryStatus::Failed),
            }
            let since = current.failing_since.unwrap_or(now);
            hook_row.failing_since = Set(Some(since));
            if now - since >= chrono::Duration::days(DISABLE_AFTER_DAYS) {
                let last = answer.error.clone().or(answer.status.map(|s| format!("HTTP {s}"))).unwrap_or_default();
                hook_row.active = Set(false);
                hook_row.disabled_reason = Set(Some(format!(
                    "every attempt failed for {DISABLE_AFTER_DAYS} days since {since}; the last: {last}"
                )));
                hook_row.updated_at = Set(now);
            }
        }
        delivery.update(&txn).await?;
        hook_row.update(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }
}

/// Webhooks no instance holds now.
fn free(now: DateTime<Utc>) -> Condition {
    Condition::any().add(webhook::Column::LeaseUntil.is_null()).add(webhook::Column::LeaseUntil.lt(now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_for_about_a_day_then_stop() {
        let now = Utc::now();
        let first = next_attempt(1, now, 0.0).expect("a retry");
        assert_eq!((first - now).num_seconds(), 5);
        let jittered = next_attempt(1, now, 0.999).expect("a retry");
        assert!((jittered - now).num_milliseconds() <= 6000 && jittered > first);
        let total: i64 = (1..=7).map(|n| (next_attempt(n, now, 0.0).expect("retry") - now).num_seconds()).sum();
        assert!((24 * 3600..30 * 3600).contains(&total), "{total} s");
        assert_eq!(next_attempt(8, now, 0.0), None, "eight attempts in all");
        assert_eq!(next_attempt(0, now, 0.0), None);
        for _ in 0..1000 {
            assert!((0.0..1.0).contains(&jitter()));
        }
    }
}
