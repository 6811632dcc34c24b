//! Adding a case's measures and recording them done.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseStatus};
use entity::user::Role;
use entity::{case_measure, case_unit};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::open::measure_rows;
use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

/// Adds measures to a case; their owners join its participating units.
pub async fn add_measures(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    measures: Vec<NewMeasure>,
) -> AppResult<case::Model> {
    let _caller = actor.caller()?;
    let owners: BTreeSet<Uuid> = measures.iter().map(|m| m.owner_unit_id).collect();
    kit::require_units(db, "ownerUnitId", &owners).await?;
    let txn = crate::db::begin_write(db).await?;
    let case = lock_for(&txn, actor, id).await?;
    kit::workflow::authorize::<CaseWorkflow>(actor, &case, CaseAction::AddMeasure)?;
    let have = case_measure::Entity::find().filter(case_measure::Column::CaseId.eq(id)).count(&txn).await? as usize;
    if have + measures.len() > MAX_MEASURES {
        return Err(AppError::bad_input("measures", format!("a case has at most {MAX_MEASURES} measures")));
    }
    let rows = measure_rows(id, i32::try_from(have).unwrap_or(i32::MAX), measures)?;
    if rows.is_empty() {
        return Ok(case);
    }
    case_measure::Entity::insert_many(rows.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&txn)
        .await?;
    let new_units: Vec<case_unit::ActiveModel> = owners
        .into_iter()
        .filter(|u| *u != case.lead_unit_id)
        .map(|u| case_unit::ActiveModel { case_id: Set(id), unit_id: Set(u) })
        .collect();
    if !new_units.is_empty() {
        case_unit::Entity::insert_many(new_units)
            .on_conflict(
                OnConflict::columns([case_unit::Column::CaseId, case_unit::Column::UnitId]).do_nothing().to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.add_measures",
            entity_type: "case",
            entity_id: id.to_string(),
            changes: json!({ "measures": { "before": null, "after": rows } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}

/// Records a measure as done (or, with `None`, not done after all). The office, the lead unit, or
/// the unit that owns the measure; an open case moves to IN_PROGRESS, and a RESOLVED case whose
/// measure is undone goes back to IN_PROGRESS.
pub async fn complete_measure(
    db: &DatabaseConnection,
    actor: &Actor,
    measure_id: Uuid,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    if done_on.is_some_and(|d| d > today) {
        return Err(AppError::bad_input("doneOn", "a measure cannot be done in the future"));
    }
    let txn = crate::db::begin_write(db).await?;
    let measure = case_measure::Entity::find_by_id(measure_id).one(&txn).await?.ok_or(AppError::NotFound("measure"))?;
    let before = match lock_for(&txn, actor, measure.case_id).await {
        Err(AppError::NotFound(_)) => return Err(AppError::NotFound("measure")),
        found => found?,
    };
    let may = match caller.role() {
        Role::Admin => true,
        Role::Department => caller.acts_for(before.lead_unit_id) || caller.acts_for(measure.owner_unit_id),
        _ => false,
    };
    if !may {
        return Err(AppError::Forbidden(
            "only the office, the lead unit or the measure's owner records it done".into(),
        ));
    }
    if before.status == CaseStatus::Closed {
        return Err(AppError::bad_input("measureId", "the case is closed"));
    }
    case_measure::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(measure_id),
        done_on: Set(done_on),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let mut after = before.clone();
    if after.status == CaseStatus::Open && done_on.is_some() {
        after.status = CaseStatus::InProgress;
    }
    // A resolved case rests on every measure being done: undoing one reopens it.
    if after.status == CaseStatus::Resolved && done_on.is_none() && measure.done_on.is_some() {
        after.status = CaseStatus::InProgress;
    }
    after.updated_at = Utc::now();
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(after.id);
    active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.complete_measure",
            entity_type: "case",
            entity_id: before.id.to_string(),
            changes: json!({
                "measure": measure_id,
                "done_on": { "before": measure.done_on, "after": done_on },
                "status": { "before": before.status, "after": after.status },
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
