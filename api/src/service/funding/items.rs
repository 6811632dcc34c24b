//! Recording an item of funding work, changing its details and moving it through its stages.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use entity::funding_item::{self, FundingKind, FundingStage};
use entity::user::Role;
use entity::{funding_campaign, funding_item_unit, funding_stage, project};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::service::audit::{self, Change};
use crate::service::text;

/// A unit credited with an item and its share, in hundredths of a percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Share {
    pub unit_id: Uuid,
    pub share_bp: i32,
}

/// What describes an item, apart from its kind, units and stage.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ItemDetails {
    pub name: String,
    pub counterpart: String,
    pub channel: String,
    pub programme: Option<String>,
    pub bank: Option<String>,
    pub industry: Option<String>,
    pub standard: Option<String>,
    pub standard_fen: Option<i64>,
    pub standard_unit: Option<String>,
    pub campaign_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub notes: Option<String>,
}

/// What [`record_item`] needs.
#[derive(Debug, Clone)]
pub struct NewItem {
    /// Chosen by the client, so a retry is not recorded twice.
    pub id: Option<Uuid>,
    pub kind: FundingKind,
    pub details: ItemDetails,
    pub shares: Vec<Share>,
    /// The stage reached so far (the first of its kind when left out) and the day it was reached.
    pub stage: Option<FundingStage>,
    pub reached_on: NaiveDate,
}

/// The channels a kind allows when it names them; `None` when its channel is the office's words.
fn channels(kind: FundingKind) -> Option<&'static [&'static str]> {
    match kind {
        FundingKind::Investment => Some(&["内资", "外资", "港澳台资"]),
        FundingKind::Fiscal => Some(&["本级配套", "整合资金"]),
        _ => None,
    }
}

/// The details, trimmed and checked for `kind`.
fn checked(kind: FundingKind, d: &ItemDetails) -> AppResult<ItemDetails> {
    let channel = text::required("channel", &d.channel, 1, 64)?;
    if let Some(allowed) = channels(kind)
        && !allowed.contains(&channel.as_str())
    {
        return Err(AppError::bad_input("channel", format!("one of {}", allowed.join(", "))));
    }
    if d.standard_fen.is_some_and(|f| !(0..=i64::MAX / 1000).contains(&f)) {
        return Err(AppError::bad_input("standardAmount", "an amount cannot be negative"));
    }
    if kind != FundingKind::Grant && (d.standard.is_some() || d.standard_fen.is_some()) {
        return Err(AppError::bad_input("standard", "a subsidy standard belongs to a GRANT"));
    }
    if kind != FundingKind::Grant && d.programme.is_some() {
        return Err(AppError::bad_input("programme", "a programme belongs to a GRANT"));
    }
    if kind != FundingKind::Financing && d.bank.is_some() {
        return Err(AppError::bad_input("bank", "a lending bank belongs to FINANCING"));
    }
    if d.campaign_id.is_some() && kind != FundingKind::Investment {
        return Err(AppError::bad_input("campaignId", "campaigns are for INVESTMENT leads"));
    }
    Ok(ItemDetails {
        name: text::required("name", &d.name, 2, 200)?,
        counterpart: text::required("counterpart", &d.counterpart, 1, 200)?,
        channel,
        programme: text::optional("programme", d.programme.as_deref(), 200)?,
        bank: text::optional("bank", d.bank.as_deref(), 200)?,
        industry: text::optional("industry", d.industry.as_deref(), 32)?,
        standard: text::optional("standard", d.standard.as_deref(), 200)?,
        standard_fen: d.standard_fen,
        standard_unit: text::optional("standardUnit", d.standard_unit.as_deref(), 16)?,
        campaign_id: d.campaign_id,
        project_id: d.project_id,
        notes: text::optional("notes", d.notes.as_deref(), 2000)?,
    })
}

/// The shares, checked: 1 to [`MAX_SHARES`] distinct units whose shares add up to 100%; an ADVANCE
/// goes to one unit.
fn checked_shares(kind: FundingKind, shares: &[Share]) -> AppResult<BTreeSet<Uuid>> {
    let units: BTreeSet<Uuid> = shares.iter().map(|s| s.unit_id).collect();
    if shares.is_empty() || shares.len() > MAX_SHARES || units.len() != shares.len() {
        return Err(AppError::bad_input("shares", format!("1 to {MAX_SHARES} different units")));
    }
    if kind == FundingKind::Advance && shares.len() != 1 {
        return Err(AppError::bad_input("shares", "an ADVANCE goes to one unit"));
    }
    if shares.iter().any(|s| !(1..=10_000).contains(&s.share_bp))
        || shares.iter().map(|s| s.share_bp).sum::<i32>() != 10_000
    {
        return Err(AppError::bad_input("shares", "each share is above 0 and the shares add up to 100%"));
    }
    Ok(units)
}

async fn require_refs(db: &impl ConnectionTrait, d: &ItemDetails, units: &BTreeSet<Uuid>) -> AppResult<()> {
    kit::require_units(db, "shares", units).await?;
    if let Some(id) = d.campaign_id
        && funding_campaign::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::bad_input("campaignId", "no campaign has this id"));
    }
    if let Some(id) = d.project_id
        && project::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::bad_input("projectId", "no project has this id"));
    }
    Ok(())
}

fn check_day(field: &str, day: NaiveDate) -> AppResult<()> {
    if (2000..=2100).contains(&chrono::Datelike::year(&day)) {
        Ok(())
    } else {
        Err(AppError::bad_input(field, "a day from the year 2000 to 2100"))
    }
}

/// Records an item. The office for any units; a department for items its unit is credited with.
/// Replaying the same create answers the stored item; other content under its id is `CONFLICT`.
pub async fn record_item(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewItem,
    now: DateTime<Utc>,
) -> AppResult<funding_item::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin, Role::Department], "record funding items")?;
    let details = checked(input.kind, &input.details)?;
    let units = checked_shares(input.kind, &input.shares)?;
    if caller.role() == Role::Department && !units.iter().any(|u| caller.acts_for(*u)) {
        return Err(AppError::Forbidden("a unit records items it is credited with".into()));
    }
    let stages = input.kind.stages();
    let stage = match input.stage {
        Some(s) if !stages.contains(&s) => {
            return Err(AppError::bad_input("stage", format!("not a stage of a {:?} item", input.kind)));
        }
        Some(s) => Some(s),
        None => stages.first().copied(),
    };
    check_day("reachedOn", input.reached_on)?;
    require_refs(db, &details, &units).await?;
    let payload = json!({
        "kind": input.kind, "details": details, "shares": input.shares, "stage": stage,
        "reached_on": input.reached_on, "created_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<funding_item::Entity>(db, id, &payload, "a funding item").await? {
        return Ok(stored);
    }
    let blank = funding_item::Model {
        id,
        kind: input.kind,
        name: String::new(),
        counterpart: String::new(),
        channel: String::new(),
        programme: None,
        bank: None,
        industry: None,
        standard: None,
        standard_fen: None,
        standard_unit: None,
        stage,
        campaign_id: None,
        project_id: None,
        notes: None,
        created_by: caller.id(),
        created_at: now,
        updated_at: now,
    };
    let model = described(blank, details, now);
    let txn = crate::db::begin_write(db).await?;
    let txn =
        match kit::insert_or_replay::<funding_item::Entity>(db, txn, id, model.clone(), &payload, "a funding item")
            .await?
        {
            kit::Insert::Inserted(txn) => txn,
            kit::Insert::Replayed(stored) => return Ok(stored),
        };
    funding_item_unit::Entity::insert_many(input.shares.iter().map(|s| funding_item_unit::ActiveModel {
        item_id: Set(id),
        unit_id: Set(s.unit_id),
        share_bp: Set(s.share_bp),
    }))
    .exec_without_returning(&txn)
    .await?;
    if let Some(stage) = stage {
        insert_stage(&txn, Reached { item: id, stage, on: input.reached_on, amount_fen: None }, caller.id(), now)
            .await?;
    }
    let mut changes = audit::diff(None, Some(&model))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("shares".into(), json!({ "before": null, "after": input.shares }));
    }
    let change =
        Change { action: "funding_item.record", entity_type: "funding_item", entity_id: id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// `item` with `details` (checked) in place of its own.
fn described(item: funding_item::Model, d: ItemDetails, now: DateTime<Utc>) -> funding_item::Model {
    funding_item::Model {
        name: d.name,
        counterpart: d.counterpart,
        channel: d.channel,
        programme: d.programme,
        bank: d.bank,
        industry: d.industry,
        standard: d.standard,
        standard_fen: d.standard_fen,
        standard_unit: d.standard_unit,
        campaign_id: d.campaign_id,
        project_id: d.project_id,
        notes: d.notes,
        updated_at: now,
        ..item
    }
}

pub(super) struct Reached {
    pub item: Uuid,
    pub stage: FundingStage,
    pub on: NaiveDate,
    pub amount_fen: Option<i64>,
}

pub(super) async fn insert_stage(
    db: &impl ConnectionTrait,
    reached: Reached,
    by: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    funding_stage::Entity::insert(funding_stage::ActiveModel {
        item_id: Set(reached.item),
        stage: Set(reached.stage),
        reached_on: Set(reached.on),
        amount_fen: Set(reached.amount_fen),
        recorded_by: Set(by),
        recorded_at: Set(now),
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Changes an item's details and, for the office, the units credited with it. A department edits
/// the items it is credited with and cannot move the credit.
pub async fn update_item(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    details: ItemDetails,
    shares: Option<Vec<Share>>,
    now: DateTime<Utc>,
) -> AppResult<funding_item::Model> {
    let caller = actor.caller()?.clone();
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    require_editor(&txn, &caller, id).await?;
    let details = checked(before.kind, &details)?;
    let mut share_change = serde_json::Value::Null;
    if let Some(shares) = &shares {
        if caller.role() != Role::Admin {
            return Err(AppError::Forbidden("the office moves the credit of an item between units".into()));
        }
        let units = checked_shares(before.kind, shares)?;
        require_refs(&txn, &details, &units).await?;
        let old = shares_of(&txn, &[id]).await?.remove(&id).unwrap_or_default();
        funding_item_unit::Entity::delete_many().filter(funding_item_unit::Column::ItemId.eq(id)).exec(&txn).await?;
        funding_item_unit::Entity::insert_many(shares.iter().map(|s| funding_item_unit::ActiveModel {
            item_id: Set(id),
            unit_id: Set(s.unit_id),
            share_bp: Set(s.share_bp),
        }))
        .exec_without_returning(&txn)
        .await?;
        let old: Vec<Share> = old.into_iter().map(|s| Share { unit_id: s.unit_id, share_bp: s.share_bp }).collect();
        share_change = json!({ "shares": { "before": old, "after": shares } });
    } else {
        require_refs(&txn, &details, &BTreeSet::new()).await?;
    }
    let after = described(before.clone(), details, now);
    let change = Change {
        action: "funding_item.update",
        entity_type: "funding_item",
        entity_id: id.to_string(),
        changes: share_change,
    };
    kit::save_audited_with(&txn, actor, change, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Moves an item forward to `stage`, reached on `on`, with the sum the stage names if any (applied
/// for, allocated, contracted…). Stages only move forward.
pub async fn advance_stage(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    (stage, on, amount_fen): (FundingStage, NaiveDate, Option<i64>),
    now: DateTime<Utc>,
) -> AppResult<funding_item::Model> {
    let caller = actor.caller()?.clone();
    check_day("reachedOn", on)?;
    let txn = crate::db::begin_write(db).await?;
    let before = lock_for(&txn, actor, id).await?;
    require_editor(&txn, &caller, id).await?;
    let after =
        moved_forward(&before, stage, now)?.ok_or_else(|| AppError::bad_input("stage", "stages only move forward"))?;
    insert_stage(&txn, Reached { item: id, stage, on, amount_fen }, caller.id(), now).await?;
    kit::save_audited(&txn, actor, "funding_item.advance", "funding_item", id, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// `item` at `stage`, if that is a stage of its kind ahead of where it stands; `None` if it is not
/// ahead.
pub(super) fn moved_forward(
    item: &funding_item::Model,
    stage: FundingStage,
    now: DateTime<Utc>,
) -> AppResult<Option<funding_item::Model>> {
    let stages = item.kind.stages();
    let to = stages
        .iter()
        .position(|s| *s == stage)
        .ok_or_else(|| AppError::bad_input("stage", format!("not a stage of a {:?} item", item.kind)))?;
    let from = item.stage.and_then(|s| stages.iter().position(|x| *x == s));
    if from.is_some_and(|f| f >= to) {
        return Ok(None);
    }
    Ok(Some(funding_item::Model { stage: Some(stage), updated_at: now, ..item.clone() }))
}
