//! Webhooks (事件推送): the office's events pushed to third-party systems and to DingTalk and WeCom
//! groups as they happen, read from the audit trail so that later domains add event types without a
//! new mechanism. Made by ADMIN, or by an integration key holding `WEBHOOKS_MANAGE` (which then
//! manages its own webhooks only). Each webhook sees the records its maker may see (narrowed to a
//! unit, what a user of that unit sees). Delivery is in [`worker`].

mod deliveries;
mod events;
pub mod send;
pub mod worker;

use chrono::{DateTime, Utc};
use entity::integration_key::Scope;
use entity::user::Role;
use entity::webhook::{self, EventType, Target};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

pub use deliveries::{DeliveryLog, deliveries, delivery_count, message_id, ping, redeliver};
pub use events::PING;

/// The longest name a webhook may have.
pub const MAX_NAME_CHARS: usize = 100;
/// Webhooks one maker may have.
pub const MAX_PER_OWNER: u64 = 50;

/// What [`create`] needs.
#[derive(Debug, Clone)]
pub struct NewWebhook {
    pub name: String,
    pub url: String,
    pub target: Target,
    pub event_types: Vec<EventType>,
    pub secret: Option<String>,
    pub unit_ids: Vec<Uuid>,
}

/// What [`update`] changes; `None` keeps the value.
#[derive(Debug, Clone, Default)]
pub struct WebhookChange {
    pub name: Option<String>,
    pub url: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    pub secret: Option<String>,
    pub active: Option<bool>,
}

/// The caller, if it may manage webhooks: ADMIN, or a key with `WEBHOOKS_MANAGE`.
fn manager(actor: &Actor) -> AppResult<&Caller> {
    let caller = actor.caller()?;
    match &caller.key {
        Some(grant) if grant.allows(Scope::WebhooksManage) => Ok(caller),
        Some(_) => Err(crate::service::keys::missing(Scope::WebhooksManage)),
        None if caller.is_admin() => Ok(caller),
        None => Err(AppError::Forbidden("your role may not manage webhooks".into())),
    }
}

/// The webhooks `caller` manages: every one for ADMIN, its own for a key.
fn visibility(caller: &Caller) -> Condition {
    if caller.key.is_none() && caller.is_admin() {
        Condition::all()
    } else {
        Condition::all().add(webhook::Column::OwnerId.eq(caller.id()))
    }
}

fn sorted_names(types: &[EventType]) -> AppResult<String> {
    if types.is_empty() {
        return Err(AppError::bad_input("eventTypes", "name at least one event type"));
    }
    let mut types = types.to_vec();
    types.sort();
    types.dedup();
    Ok(types.iter().map(|t| t.name()).collect::<Vec<_>>().join(","))
}

/// The secret a webhook signs with: the one given, checked for its target, or a new one.
fn secret_for(target: Target, given: Option<&str>) -> AppResult<String> {
    use base64::Engine;
    let engine = base64::engine::general_purpose::STANDARD;
    let given = given.map(str::trim).filter(|s| !s.is_empty());
    match (target, given) {
        (Target::Standard, None) => {
            let bytes: Vec<u8> = [Uuid::new_v4(), Uuid::new_v4()].iter().flat_map(|u| *u.as_bytes()).collect();
            Ok(format!("whsec_{}", engine.encode(bytes)))
        }
        (Target::Standard, Some(s)) => {
            let ok = s
                .strip_prefix("whsec_")
                .and_then(|b| engine.decode(b).ok())
                .is_some_and(|k| (24..=64).contains(&k.len()));
            if ok {
                Ok(s.to_owned())
            } else {
                Err(AppError::bad_input("secret", "`whsec_` and base64 of 24 to 64 bytes"))
            }
        }
        (Target::Dingtalk, None) => Ok(String::new()),
        (Target::Dingtalk, Some(s))
            if s.starts_with("SEC") && s.len() <= 200 && s.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            Ok(s.to_owned())
        }
        (Target::Dingtalk, Some(_)) => {
            Err(AppError::bad_input("secret", "the robot's signing secret, `SEC…` as DingTalk shows it"))
        }
        (Target::Wecom, None) => Ok(String::new()),
        (Target::Wecom, Some(_)) => {
            Err(AppError::bad_input("secret", "a WeCom robot has no secret: its key is in its URL"))
        }
    }
}

fn checked_url(raw: &str, allow_private: bool) -> AppResult<String> {
    send::check_url(raw, allow_private).map(String::from).map_err(|m| AppError::bad_input("url", m))
}

/// The audit record of a webhook: everything but its secret and the worker's bookkeeping.
fn audited(w: &webhook::Model) -> serde_json::Value {
    serde_json::json!({
        "name": w.name, "url": w.url, "target": w.target, "event_types": w.event_types,
        "unit_id": w.unit_id, "active": w.active, "disabled_reason": w.disabled_reason,
    })
}

async fn record(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &'static str,
    id: Uuid,
    before: Option<&webhook::Model>,
    after: Option<&webhook::Model>,
) -> AppResult<()> {
    let changes = audit::diff(before.map(audited).as_ref(), after.map(audited).as_ref())?;
    audit::record(db, actor, Change { action, entity_type: "webhook", entity_id: id.to_string(), changes }).await?;
    Ok(())
}

/// Makes a webhook; it receives the events recorded from now on. Returns it with its signing secret.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewWebhook,
    now: DateTime<Utc>,
    allow_private: bool,
) -> AppResult<(webhook::Model, String)> {
    use sea_orm::PaginatorTrait;
    let caller = manager(actor)?;
    let name = crate::service::text::required("name", &input.name, 1, MAX_NAME_CHARS)?;
    let url = checked_url(&input.url, allow_private)?;
    let event_types = sorted_names(&input.event_types)?;
    let secret = secret_for(input.target, input.secret.as_deref())?;
    if input.unit_ids.len() > 1 {
        return Err(AppError::bad_input("unitIds", "a webhook is narrowed to at most one unit"));
    }
    // A key narrowed to a unit makes webhooks narrowed to that unit.
    let unit_id = match (caller.role(), input.unit_ids.first()) {
        (Role::Department, Some(u)) if !caller.acts_for(*u) => {
            return Err(AppError::bad_input("unitIds", "a key narrowed to units narrows its webhooks to one of them"));
        }
        (Role::Department, _) => Some(caller.unit_id()),
        (_, unit) => unit.copied(),
    };
    if let Some(unit) = unit_id {
        crate::service::kit::require_units(db, "unitIds", &std::collections::BTreeSet::from([unit])).await?;
    }
    let owned = webhook::Entity::find().filter(webhook::Column::OwnerId.eq(caller.id())).count(db).await?;
    if owned >= MAX_PER_OWNER {
        return Err(AppError::bad_input("url", format!("at most {MAX_PER_OWNER} webhooks each; delete one first")));
    }
    let txn = crate::db::begin_write(db).await?;
    let after_seq = crate::service::trail::head(&txn).await?;
    let hook = webhook::Model {
        id: Uuid::now_v7(),
        name,
        url,
        target: input.target,
        event_types,
        secret: secret.clone(),
        owner_id: caller.id(),
        unit_id,
        after_seq,
        active: true,
        disabled_reason: None,
        failing_since: None,
        lease_owner: None,
        lease_until: None,
        created_by: caller.id(),
        created_at: now,
        updated_at: now,
    };
    webhook::Entity::insert(hook.clone().into_active_model()).exec_without_returning(&txn).await?;
    record(&txn, actor, "webhook.create", hook.id, None, Some(&hook)).await?;
    txn.commit().await?;
    Ok((hook, secret))
}

/// Webhooks the caller manages, newest first.
pub async fn list(db: &DatabaseConnection, actor: &Actor, page: &PageRequest) -> AppResult<Page<webhook::Model>> {
    let caller = manager(actor)?;
    let mut q = webhook::Entity::find().filter(visibility(caller));
    if let Some(after) = &page.after {
        let id: Uuid = after.parse().map_err(|_| AppError::bad_input("after", "not a cursor of this list"))?;
        q = q.filter(webhook::Column::Id.lt(id));
    }
    let rows = q.order_by_desc(webhook::Column::Id).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// How many webhooks the caller manages.
pub async fn count(db: &DatabaseConnection, actor: &Actor) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    let caller = manager(actor)?;
    Ok(webhook::Entity::find().filter(visibility(caller)).count(db).await?)
}

/// One webhook the caller manages (`NOT_FOUND` for others').
pub async fn find(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<webhook::Model> {
    crate::service::find_visible::<webhook::Entity>(db, actor, id, visibility, "webhook").await
}

/// Changes a webhook. Turning it on again clears why it was turned off and its failure clock; its
/// pending deliveries go out again in order.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    change: WebhookChange,
    now: DateTime<Utc>,
    allow_private: bool,
) -> AppResult<webhook::Model> {
    manager(actor)?;
    let name =
        change.name.as_deref().map(|n| crate::service::text::required("name", n, 1, MAX_NAME_CHARS)).transpose()?;
    let url = change.url.as_deref().map(|u| checked_url(u, allow_private)).transpose()?;
    let event_types = change.event_types.as_deref().map(sorted_names).transpose()?;
    let txn = crate::db::begin_write(db).await?;
    let before = crate::service::lock_visible::<webhook::Entity>(&txn, actor, id, visibility, "webhook").await?;
    let mut after = before.clone();
    if let Some(secret) = &change.secret {
        after.secret = secret_for(before.target, Some(secret))?;
    }
    after.name = name.unwrap_or(after.name);
    after.url = url.unwrap_or(after.url);
    after.event_types = event_types.unwrap_or(after.event_types);
    if let Some(active) = change.active {
        if active && !before.active {
            after.disabled_reason = None;
            after.failing_since = None;
        }
        if !active && before.active {
            after.disabled_reason = Some("turned off by its manager".into());
        }
        after.active = active;
    }
    after.updated_at = now;
    after.clone().into_active_model().reset_all().update(&txn).await?;
    record(&txn, actor, "webhook.update", id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a webhook with its deliveries and their log. Returns its id.
pub async fn delete(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<Uuid> {
    manager(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let before = crate::service::lock_visible::<webhook::Entity>(&txn, actor, id, visibility, "webhook").await?;
    webhook::Entity::delete_by_id(id).exec(&txn).await?;
    record(&txn, actor, "webhook.delete", id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(id)
}
