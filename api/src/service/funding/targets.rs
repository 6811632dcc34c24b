//! Each unit's yearly targets, set by the office in versions: a change adds a version and keeps the
//! old figure with who set it and when.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::funding_item::FundingKind;
use entity::funding_target;
use entity::user::Role;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest, newest_first};
use crate::service::text;

/// One target to set.
#[derive(Debug, Clone, Copy)]
pub struct NewTarget {
    pub unit_id: Uuid,
    pub kind: FundingKind,
    pub amount_fen: i64,
}

/// Which targets a list shows.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub year: Option<i32>,
    pub unit_id: Option<Uuid>,
    pub kind: Option<FundingKind>,
    /// Earlier versions too.
    pub history: bool,
}

/// Sets targets for `year`. ADMIN. A target equal to the current one changes nothing; another adds a
/// version. An amount of 0 takes a unit's target away (kept as a version). Returns how many
/// versions were added.
pub async fn set_targets(
    db: &DatabaseConnection,
    actor: &Actor,
    year: i32,
    targets: &[NewTarget],
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<u64> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin], "set funding targets")?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "a year from 2000 to 2100"));
    }
    if targets.is_empty() || targets.len() > MAX_TARGETS {
        return Err(AppError::bad_input("targets", format!("1 to {MAX_TARGETS} targets")));
    }
    let mut seen = HashSet::new();
    for t in targets {
        require_targeted("kind", t.kind)?;
        if t.amount_fen < 0 {
            return Err(AppError::bad_input("amount", "an amount cannot be negative"));
        }
        if !seen.insert((t.unit_id, t.kind)) {
            return Err(AppError::bad_input("targets", "one target per unit and kind"));
        }
    }
    let note = text::optional("note", note, 500)?;
    let units = targets.iter().map(|t| t.unit_id).collect();
    kit::require_units(db, "targets", &units).await?;
    let txn = crate::db::begin_write(db).await?;
    let current: HashMap<(Uuid, FundingKind), funding_target::Model> = funding_target::Entity::find()
        .filter(funding_target::Column::Year.eq(year))
        .filter(funding_target::Column::IsCurrent.eq(true))
        .filter(funding_target::Column::UnitId.is_in(units.iter().copied()))
        .lock_exclusive()
        .all(&txn)
        .await?
        .into_iter()
        .map(|t| ((t.unit_id, t.kind), t))
        .collect();
    let mut added = Vec::new();
    for t in targets {
        let old = current.get(&(t.unit_id, t.kind));
        if old.is_some_and(|o| o.amount_fen == t.amount_fen) || (old.is_none() && t.amount_fen == 0) {
            continue;
        }
        if let Some(old) = old {
            funding_target::Entity::update_many()
                .col_expr(funding_target::Column::IsCurrent, false.into())
                .filter(funding_target::Column::Id.eq(old.id))
                .exec(&txn)
                .await?;
        }
        let row = funding_target::ActiveModel {
            id: Set(Uuid::now_v7()),
            unit_id: Set(t.unit_id),
            year: Set(year),
            kind: Set(t.kind),
            amount_fen: Set(t.amount_fen),
            version: Set(old.map_or(1, |o| o.version + 1)),
            is_current: Set(true),
            note: Set(note.clone()),
            set_by: Set(caller.id()),
            set_at: Set(now),
        };
        funding_target::Entity::insert(row).exec_without_returning(&txn).await?;
        added.push(json!({
            "unit_id": t.unit_id, "kind": t.kind,
            "before": old.map(|o| o.amount_fen), "after": t.amount_fen,
        }));
    }
    if !added.is_empty() {
        let change = Change {
            action: "funding_target.set",
            entity_type: "funding_target",
            entity_id: year.to_string(),
            changes: json!({ "targets": added, "note": note }),
        };
        audit::record(&txn, actor, change).await?;
    }
    txn.commit().await?;
    Ok(added.len() as u64)
}

fn matching(reach: Reach, f: &TargetFilter) -> sea_orm::Select<funding_target::Entity> {
    use funding_target::Column as C;
    let mut q = funding_target::Entity::find();
    if let Some(year) = f.year {
        q = q.filter(C::Year.eq(year));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(C::UnitId.eq(unit));
    }
    if let Some(kind) = f.kind {
        q = q.filter(C::Kind.eq(kind));
    }
    if !f.history {
        q = q.filter(C::IsCurrent.eq(true));
    }
    match reach {
        Reach::All => q,
        Reach::Units(units) => q.filter(C::UnitId.is_in(units.as_slice().iter().copied())),
        Reach::Nothing => q.filter(C::Id.is_null()),
    }
}

/// Targets as the filter asks, the latest set first. A unit sees its own.
pub async fn targets(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &TargetFilter,
    page: &PageRequest,
) -> AppResult<Page<funding_target::Model>> {
    use funding_target::Column as C;
    let rows = newest_first(matching(reach, f), C::SetAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_targets(db: &impl ConnectionTrait, reach: Reach, f: &TargetFilter) -> AppResult<u64> {
    Ok(matching(reach, f).count(db).await?)
}

/// The units holding a target above 0 in `year`, or `None` when no target is set for the year at
/// all (then the units' stored designation stands).
pub async fn targeted_units(db: &impl ConnectionTrait, year: i32) -> AppResult<Option<HashSet<Uuid>>> {
    use funding_target::Column as C;
    let rows: Vec<(Uuid, i64)> = funding_target::Entity::find()
        .select_only()
        .columns([C::UnitId, C::AmountFen])
        .filter(C::Year.eq(year))
        .filter(C::IsCurrent.eq(true))
        .into_tuple()
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(None);
    }
    Ok(Some(rows.into_iter().filter(|(_, fen)| *fen > 0).map(|(u, _)| u).collect()))
}
