//! The money of an item: entries recorded by units, verified by the office, and corrected only by a
//! new entry that names the old figure and why.

use chrono::{DateTime, NaiveDate, Utc};
use entity::funding_entry;
use entity::funding_item::{self, FundingKind, MoneyFlow};
use entity::user::Role;
use sea_orm::{ActiveModelTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::service::audit::{self, Change};
use crate::service::text;

/// What [`record_money`] needs.
#[derive(Debug, Clone)]
pub struct NewMoney {
    /// Chosen by the client, so a retry is not recorded twice.
    pub id: Option<Uuid>,
    pub item_id: Uuid,
    pub flow: MoneyFlow,
    pub on: NaiveDate,
    pub amount_fen: i64,
}

fn check_flow(kind: FundingKind, flow: MoneyFlow) -> AppResult<()> {
    let fits = match flow {
        MoneyFlow::Promised => FundingKind::TARGETED.contains(&kind),
        MoneyFlow::Received => true,
        MoneyFlow::Repaid => kind == FundingKind::Advance,
    };
    if fits { Ok(()) } else { Err(AppError::bad_input("flow", format!("a {kind:?} item records no {flow:?} money"))) }
}

fn check_amount(amount_fen: i64) -> AppResult<()> {
    if amount_fen > 0 { Ok(()) } else { Err(AppError::bad_input("amount", "an amount above 0")) }
}

/// Records money of an item: the office, or a department credited with it. Money promised or
/// received brings a GRANT, INVESTMENT or FINANCING item to the stage it implies when it is behind
/// (an allocation to ALLOCATED, a receipt to RECEIVED, a contract to SIGNED…). Until the office
/// verifies it, received money shows as pending and counts toward no target.
pub async fn record_money(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewMoney,
    now: DateTime<Utc>,
) -> AppResult<funding_entry::Model> {
    let caller = actor.caller()?.clone();
    check_amount(input.amount_fen)?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&input.on)) {
        return Err(AppError::bad_input("on", "a day from the year 2000 to 2100"));
    }
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    let same = |e: &funding_entry::Model| {
        e.item_id == input.item_id
            && e.flow == input.flow
            && e.moved_on == input.on
            && e.amount_fen == input.amount_fen
            && e.recorded_by == caller.id()
            && e.replaces.is_none()
    };
    if let Some(stored) = funding_entry::Entity::find_by_id(id).one(db).await? {
        return replayed(stored, same);
    }
    let txn = crate::db::begin_write(db).await?;
    let item = lock_for(&txn, actor, input.item_id).await?;
    require_editor(&txn, &caller, item.id).await?;
    check_flow(item.kind, input.flow)?;
    if let Some(stored) = funding_entry::Entity::find_by_id(id).one(&txn).await? {
        return replayed(stored, same);
    }
    let entry = funding_entry::Model {
        id,
        item_id: item.id,
        flow: input.flow,
        moved_on: input.on,
        amount_fen: input.amount_fen,
        is_current: true,
        replaces: None,
        reason: None,
        verified_by: None,
        verified_at: None,
        recorded_by: caller.id(),
        recorded_at: now,
    };
    entry.clone().into_active_model().insert(&txn).await?;
    if let Some(stage) = item.kind.stage_of(input.flow)
        && let Some(after) = super::items::moved_forward(&item, stage, now)?
    {
        let reached = super::items::Reached { item: item.id, stage, on: input.on, amount_fen: Some(input.amount_fen) };
        super::items::insert_stage(&txn, reached, caller.id(), now).await?;
        kit::save_audited(&txn, actor, "funding_item.advance", "funding_item", item.id, &item, &after).await?;
    }
    let changes = audit::diff(None, Some(&entry))?;
    let change =
        Change { action: "funding_item.money", entity_type: "funding_item", entity_id: item.id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(entry)
}

fn replayed(
    stored: funding_entry::Model,
    same: impl Fn(&funding_entry::Model) -> bool,
) -> AppResult<funding_entry::Model> {
    if same(&stored) {
        Ok(stored)
    } else {
        Err(AppError::Conflict("money with this id is already stored with different content".into()))
    }
}

/// The current entry `id` under the caller's reach, with its item locked.
async fn lock_entry(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
) -> AppResult<(funding_entry::Model, funding_item::Model)> {
    let entry = funding_entry::Entity::find_by_id(id).one(txn).await?.ok_or(AppError::NotFound("money entry"))?;
    let item = lock_for(txn, actor, entry.item_id).await.map_err(|_| AppError::NotFound("money entry"))?;
    if !entry.is_current {
        return Err(AppError::Conflict("this entry was corrected; act on its correction".into()));
    }
    Ok((entry, item))
}

/// Verifies (核实) an entry: from now on it counts. ADMIN; once.
pub async fn verify_money(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<funding_entry::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin], "verify funding")?;
    let txn = crate::db::begin_write(db).await?;
    let (before, item) = lock_entry(&txn, actor, id).await?;
    if before.verified_at.is_some() {
        return Err(AppError::Conflict("this entry is already verified".into()));
    }
    let after = funding_entry::Model { verified_by: Some(caller.id()), verified_at: Some(now), ..before.clone() };
    let change = Change {
        action: "funding_item.verify",
        entity_type: "funding_item",
        entity_id: item.id.to_string(),
        changes: json!({ "entry": id }),
    };
    kit::save_audited_with(&txn, actor, change, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Corrects an entry with a new one that replaces it; the old one stays, no longer current. A
/// verified entry is corrected by the office alone, saying why (2 to 500 characters), and the
/// correction is verified with it; an unverified one by whoever may edit the item.
pub async fn correct_money(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    amount_fen: i64,
    on: NaiveDate,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<funding_entry::Model> {
    let caller = actor.caller()?.clone();
    check_amount(amount_fen)?;
    if !(2000..=2100).contains(&chrono::Datelike::year(&on)) {
        return Err(AppError::bad_input("on", "a day from the year 2000 to 2100"));
    }
    let reason = text::optional("reason", reason, 500)?;
    let txn = crate::db::begin_write(db).await?;
    let (before, item) = lock_entry(&txn, actor, id).await?;
    let verified = before.verified_at.is_some();
    if verified {
        caller.require_role(&[Role::Admin], "correct a verified figure")?;
        if reason.as_deref().is_none_or(|r| r.chars().count() < 2) {
            return Err(AppError::bad_input("reason", "a correction of a verified figure says why"));
        }
    } else {
        require_editor(&txn, &caller, item.id).await?;
    }
    let corrected = funding_entry::Model {
        id: Uuid::now_v7(),
        moved_on: on,
        amount_fen,
        is_current: true,
        replaces: Some(before.id),
        reason,
        verified_by: verified.then(|| caller.id()),
        verified_at: verified.then_some(now),
        recorded_by: caller.id(),
        recorded_at: now,
        ..before.clone()
    };
    let retired = funding_entry::Model { is_current: false, ..before.clone() };
    retired.clone().into_active_model().reset_all().update(&txn).await?;
    corrected.clone().into_active_model().insert(&txn).await?;
    let changes = json!({
        "entry": corrected.id,
        "replaces": before.id,
        "amount_fen": { "before": before.amount_fen, "after": amount_fen },
        "moved_on": { "before": before.moved_on, "after": on },
        "reason": corrected.reason,
    });
    let change =
        Change { action: "funding_item.correct", entity_type: "funding_item", entity_id: item.id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(corrected)
}
