//! Creating and updating projects, with their year plans and paired units.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::project::{self, Industry, ProjectCategory, ProjectStatus};
use entity::{project_paired_unit, project_year_plan};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, QuerySelect, SqlErr,
};
use serde_json::json;
use uuid::Uuid;

use super::fields::{apply, check_references, validated_year_plans};
use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};

fn code_conflict(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict("another project has this code".into()),
        _ => err.into(),
    }
}

async fn replace_children(
    db: &impl ConnectionTrait,
    id: Uuid,
    paired: Option<&[Uuid]>,
    plans: Option<&[(i32, i64)]>,
) -> AppResult<()> {
    if let Some(units) = paired {
        // Units that stay paired keep their duties and when they were paired; the others go.
        let wanted: BTreeSet<Uuid> = units.iter().copied().collect();
        project_paired_unit::Entity::delete_many()
            .filter(project_paired_unit::Column::ProjectId.eq(id))
            .filter(project_paired_unit::Column::UnitId.is_not_in(wanted.iter().copied()))
            .exec(db)
            .await?;
        let kept: BTreeSet<Uuid> = project_paired_unit::Entity::find()
            .select_only()
            .column(project_paired_unit::Column::UnitId)
            .filter(project_paired_unit::Column::ProjectId.eq(id))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        let now = Utc::now();
        let rows: Vec<_> = wanted
            .difference(&kept)
            .map(|&unit_id| project_paired_unit::ActiveModel {
                project_id: Set(id),
                unit_id: Set(unit_id),
                duties: Set("[]".into()),
                paired_at: Set(Some(now)),
            })
            .collect();
        if !rows.is_empty() {
            project_paired_unit::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
    }
    if let Some(plans) = plans {
        project_year_plan::Entity::delete_many().filter(project_year_plan::Column::ProjectId.eq(id)).exec(db).await?;
        let rows: Vec<_> = plans
            .iter()
            .map(|&(year, planned_fen)| project_year_plan::ActiveModel {
                project_id: Set(id),
                year: Set(year),
                planned_fen: Set(planned_fen),
            })
            .collect();
        if !rows.is_empty() {
            project_year_plan::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
    }
    Ok(())
}

async fn children_snapshot(db: &impl ConnectionTrait, id: Uuid) -> AppResult<serde_json::Value> {
    let paired: Vec<Uuid> = project_paired_unit::Entity::find()
        .select_only()
        .column(project_paired_unit::Column::UnitId)
        .filter(project_paired_unit::Column::ProjectId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let plans: Vec<(i32, i64)> = project_year_plan::Entity::find()
        .select_only()
        .column(project_year_plan::Column::Year)
        .column(project_year_plan::Column::PlannedFen)
        .filter(project_year_plan::Column::ProjectId.eq(id))
        .order_by_asc(project_year_plan::Column::Year)
        .into_tuple()
        .all(db)
        .await?;
    let mut paired = paired;
    paired.sort();
    Ok(json!({ "paired_unit_ids": paired, "year_plans_fen": plans }))
}

/// Creates a project. ADMIN only.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    fields: ProjectFields,
    today: NaiveDate,
) -> AppResult<project::Model> {
    authorize_create(actor)?;
    let required = [
        ("name", fields.name.is_none()),
        ("category", fields.category.is_none()),
        ("industry", fields.industry.is_none()),
        ("responsibleUnitId", fields.responsible_unit_id.is_none()),
        ("leaderId", fields.leader_id.is_none()),
        ("totalInvestment", fields.total_investment.is_none()),
        ("location", fields.location.is_none()),
    ];
    if let Some((field, _)) = required.iter().find(|(_, missing)| *missing) {
        return Err(AppError::bad_input(*field, format!("{field} is required")));
    }
    let now = Utc::now();
    let mut model = project::Model {
        id: Uuid::now_v7(),
        code: None,
        name: String::new(),
        category: ProjectCategory::KeyConstruction,
        industry: Industry::Other,
        status: ProjectStatus::Planned,
        responsible_unit_id: Uuid::nil(),
        leader_id: Uuid::nil(),
        total_investment_fen: 0,
        prior_completed_fen: 0,
        progress_bp: 0,
        planned_start: None,
        planned_completion: None,
        actual_start: None,
        actual_completion: None,
        lat: 0.0,
        lng: 0.0,
        site_radius_m: 500,
        boundary: None,
        address: None,
        description: None,
        created_at: now,
        updated_at: now,
        location_datum: crate::service::geo::Datum::Wgs84,
    };
    apply(&mut model, &fields, today)?;
    let plans = fields.year_plans.as_deref().map(validated_year_plans).transpose()?;
    check_references(db, &fields).await?;
    let txn = crate::db::begin_write(db).await?;
    project::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(code_conflict)?;
    replace_children(&txn, model.id, fields.paired_unit_ids.as_deref(), plans.as_deref()).await?;
    crate::service::lights::touch(&txn, &[model.id]).await?;
    let mut changes = audit::diff(None, Some(&model))?;
    merge(&mut changes, audit::diff(None, Some(&children_snapshot(&txn, model.id).await?))?);
    audit::record(
        &txn,
        actor,
        Change { action: "project.create", entity_type: "project", entity_id: model.id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(a), serde_json::Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// Updates a project; see [`authorize_update`] for who may change which fields.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    fields: ProjectFields,
    today: NaiveDate,
) -> AppResult<project::Model> {
    let txn = crate::db::begin_write(db).await?;
    // The row is held from this read to the commit: the whole row is written back, and a change
    // another request made meanwhile must not be undone.
    let before =
        project::Entity::find_by_id(id).lock_exclusive().one(&txn).await?.ok_or(AppError::NotFound("project"))?;
    authorize_update(actor, &before, &fields)?;
    let mut after = before.clone();
    apply(&mut after, &fields, today)?;
    let plans = fields.year_plans.as_deref().map(validated_year_plans).transpose()?;
    check_references(&txn, &fields).await?;
    let children_before = children_snapshot(&txn, id).await?;
    after.updated_at = Utc::now();
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(id);
    active.created_at = sea_orm::ActiveValue::Unchanged(before.created_at);
    active.update(&txn).await.map_err(code_conflict)?;
    replace_children(&txn, id, fields.paired_unit_ids.as_deref(), plans.as_deref()).await?;
    crate::service::lights::touch(&txn, &[id]).await?;
    if before.responsible_unit_id != after.responsible_unit_id {
        // The unit it left no longer counts it.
        crate::service::rollups::touch_units(&txn, &[before.responsible_unit_id]).await?;
    }
    let mut changes = audit::diff(Some(&before), Some(&after))?;
    if let Some(o) = changes.as_object_mut() {
        o.remove("updated_at");
    }
    merge(&mut changes, audit::diff(Some(&children_before), Some(&children_snapshot(&txn, id).await?))?);
    audit::record(
        &txn,
        actor,
        Change { action: "project.update", entity_type: "project", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}
