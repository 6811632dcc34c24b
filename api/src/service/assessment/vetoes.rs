//! The one-vote veto (一票否决) on the record: vetoes a run finds in the data, those the office
//! records with a reason, their lifting by ADMIN, and what a veto bars — honours for the unit's head
//! (评先) and awards for the year.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::assessment_veto::{self, Model as Veto, VetoCondition, VetoSource};
use entity::unit;
use entity::user::Role;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::AssessPeriod;
use super::sources::Found;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::text;

/// What [`veto_unit`] needs.
#[derive(Debug, Clone)]
pub struct NewVeto {
    pub unit_id: Uuid,
    pub period: AssessPeriod,
    pub condition: VetoCondition,
    pub reason: String,
    pub deduction_fen: i64,
}

/// Locks `unit` for the transaction (a veto and an award on it are serialised); `NOT_FOUND` when
/// there is no such unit.
pub(super) async fn lock_unit(txn: &impl ConnectionTrait, field: &str, id: Uuid) -> AppResult<unit::Model> {
    unit::Entity::find_by_id(id)
        .lock_exclusive()
        .one(txn)
        .await?
        .ok_or_else(|| AppError::bad_input(field, "no unit has this id"))
}

/// Records that `input.unit_id` is vetoed for the period under a condition, with the reason and the
/// public funds deducted; a lifted veto of the same condition is reinstated. The same condition
/// already in force is `CONFLICT`. ADMIN.
pub async fn veto_unit(db: &DatabaseConnection, actor: &Actor, input: NewVeto, now: DateTime<Utc>) -> AppResult<Veto> {
    actor.require_role(&[Role::Admin], "veto units")?;
    let reason = text::required("reason", &input.reason, 2, 2000)?;
    let by = actor.caller()?.id();
    let txn = crate::db::begin_write(db).await?;
    lock_unit(&txn, "unitId", input.unit_id).await?;
    let period = input.period.key();
    use assessment_veto::Column as V;
    let existing = assessment_veto::Entity::find()
        .filter(V::UnitId.eq(input.unit_id))
        .filter(V::Period.eq(period.clone()))
        .filter(V::Condition.eq(input.condition))
        .one(&txn)
        .await?;
    let after = match existing {
        Some(v) if v.lifted_at.is_none() => {
            return Err(AppError::Conflict(format!("the unit is vetoed for {period} on this condition already")));
        }
        // A lifted veto of the same condition is reinstated; the audit trail keeps the lifting.
        Some(v) => {
            let after = Veto {
                source: VetoSource::Recorded,
                reason,
                deduction_fen: input.deduction_fen,
                recorded_by: by,
                recorded_at: now,
                lifted_at: None,
                lifted_by: None,
                lift_reason: None,
                ..v
            };
            after.clone().into_active_model().reset_all().update(&txn).await?;
            after
        }
        None => {
            let after = Veto {
                id: Uuid::now_v7(),
                unit_id: input.unit_id,
                period,
                condition: input.condition,
                source: VetoSource::Recorded,
                reason,
                deduction_fen: input.deduction_fen,
                recorded_by: by,
                recorded_at: now,
                lifted_at: None,
                lifted_by: None,
                lift_reason: None,
            };
            assessment_veto::Entity::insert(after.clone().into_active_model()).exec_without_returning(&txn).await?;
            after
        }
    };
    record(&txn, actor, "county.veto_unit", &after).await?;
    txn.commit().await?;
    Ok(after)
}

async fn record(txn: &impl ConnectionTrait, actor: &Actor, action: &'static str, veto: &Veto) -> AppResult<()> {
    let changes = json!({ "veto": { "after": veto } });
    audit::record(txn, actor, Change { action, entity_type: "county", entity_id: "county".into(), changes }).await?;
    Ok(())
}

/// Lifts every veto in force on `unit` for the period, on the record with the reason. None in force
/// is `NOT_FOUND`. ADMIN.
pub async fn lift_veto(
    db: &DatabaseConnection,
    actor: &Actor,
    unit_id: Uuid,
    period: AssessPeriod,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<Veto>> {
    actor.require_role(&[Role::Admin], "lift vetoes")?;
    let reason = text::required("reason", reason, 2, 2000)?;
    let by = actor.caller()?.id();
    let txn = crate::db::begin_write(db).await?;
    lock_unit(&txn, "unitId", unit_id).await?;
    let mut lifted = Vec::new();
    for v in in_force(&txn, &[unit_id], &[period.key()]).await? {
        let after = Veto { lifted_at: Some(now), lifted_by: Some(by), lift_reason: Some(reason.clone()), ..v };
        after.clone().into_active_model().reset_all().update(&txn).await?;
        record(&txn, actor, "county.lift_veto", &after).await?;
        lifted.push(after);
    }
    if lifted.is_empty() {
        return Err(AppError::NotFound("veto"));
    }
    txn.commit().await?;
    Ok(lifted)
}

/// Vetoes in force (not lifted) on any of `units` (all when empty) for any of `periods`.
pub(super) async fn in_force(db: &impl ConnectionTrait, units: &[Uuid], periods: &[String]) -> AppResult<Vec<Veto>> {
    use assessment_veto::Column as V;
    let mut q = assessment_veto::Entity::find().filter(V::Period.is_in(periods.to_vec())).filter(V::LiftedAt.is_null());
    if !units.is_empty() {
        q = q.filter(V::UnitId.is_in(units.to_vec()));
    }
    Ok(q.order_by_asc(V::RecordedAt).order_by_asc(V::Id).all(db).await?)
}

/// Stores the vetoes a run found that are not on record yet for the period; a condition lifted or
/// recorded before stays as it is (a lift is never undone by a run).
pub(super) async fn record_found(
    txn: &impl ConnectionTrait,
    found: &[Found],
    period: &str,
    deduction_fen: i64,
    by: Uuid,
    now: DateTime<Utc>,
) -> AppResult<()> {
    use assessment_veto::Column as V;
    for chunk in found.chunks(100) {
        let rows = chunk.iter().map(|f| {
            Veto {
                id: Uuid::now_v7(),
                unit_id: f.unit_id,
                period: period.to_owned(),
                condition: f.condition,
                source: VetoSource::Automatic,
                reason: f.reason.clone(),
                deduction_fen,
                recorded_by: by,
                recorded_at: now,
                lifted_at: None,
                lifted_by: None,
                lift_reason: None,
            }
            .into_active_model()
        });
        assessment_veto::Entity::insert_many(rows)
            .on_conflict(OnConflict::columns([V::UnitId, V::Period, V::Condition]).do_nothing().to_owned())
            .do_nothing()
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Every veto of `unit` for the period, in force or lifted, oldest first.
pub async fn vetoes_for(db: &impl ConnectionTrait, unit_id: Uuid, period: AssessPeriod) -> AppResult<Vec<Veto>> {
    use assessment_veto::Column as V;
    Ok(assessment_veto::Entity::find()
        .filter(V::UnitId.eq(unit_id))
        .filter(V::Period.eq(period.key()))
        .order_by_asc(V::RecordedAt)
        .order_by_asc(V::Id)
        .limit(20)
        .all(db)
        .await?)
}

/// Of `units`, those vetoed (a veto in force for the year or any of its quarters) in `year`.
pub(super) async fn vetoed_in_year(db: &impl ConnectionTrait, units: &[Uuid], year: i32) -> AppResult<HashSet<Uuid>> {
    if units.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(in_force(db, units, &AssessPeriod::year_keys(year)).await?.into_iter().map(|v| v.unit_id).collect())
}

/// Whether the head (一把手) of `unit` may be put forward for honours (评先) in `year`: not while a
/// veto of the unit for the year or any of its quarters is in force.
pub async fn head_eligible(db: &impl ConnectionTrait, unit_id: Uuid, year: i32) -> AppResult<bool> {
    Ok(vetoed_in_year(db, &[unit_id], year).await?.is_empty())
}
