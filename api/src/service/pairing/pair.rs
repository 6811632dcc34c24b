//! Pairing a unit with a project for named duties, and ending a pairing. The office's work.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::project_paired_unit;
use entity::user::Role;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::require_duties;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

/// The duty codes a pairing names.
pub fn duties_of(pairing: &project_paired_unit::Model) -> Vec<String> {
    serde_json::from_str(&pairing.duties).unwrap_or_default()
}

/// The pairings of each of `projects`, by unit id.
pub async fn pairings_of(
    db: &impl ConnectionTrait,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<project_paired_unit::Model>>> {
    let rows = project_paired_unit::Entity::find()
        .filter(project_paired_unit::Column::ProjectId.is_in(projects.iter().copied()))
        .order_by_asc(project_paired_unit::Column::UnitId)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.project_id, r))))
}

/// Pairs `unit` with `project` for `duties` (codes of the office's active list), or changes the
/// duties of a pairing that exists. ADMIN.
pub async fn pair(
    db: &DatabaseConnection,
    actor: &Actor,
    project: Uuid,
    unit: Uuid,
    duties: &[String],
    now: DateTime<Utc>,
) -> AppResult<project_paired_unit::Model> {
    actor.require_role(&[Role::Admin], "pair units with projects")?;
    let duties = require_duties(db, "duties", duties).await?;
    let txn = crate::db::begin_write(db).await?;
    let project = crate::service::project::find(&txn, project).await?;
    kit::require_units(&txn, "unitId", &[unit].into()).await?;
    if project.responsible_unit_id == unit {
        return Err(AppError::bad_input("unitId", "the responsible unit serves its project already; pair another"));
    }
    let before = project_paired_unit::Entity::find_by_id((project.id, unit)).one(&txn).await?;
    let stored = json!(duties).to_string();
    let after = match &before {
        Some(row) => {
            let mut changed = row.clone().into_active_model();
            changed.duties = sea_orm::ActiveValue::Set(stored);
            changed.update(&txn).await?
        }
        None => {
            let row = project_paired_unit::Model {
                project_id: project.id,
                unit_id: unit,
                duties: stored,
                paired_at: Some(now),
            };
            project_paired_unit::Entity::insert(row.clone().into_active_model()).exec_without_returning(&txn).await?;
            row
        }
    };
    let changes = json!({
        "paired_unit": { "after": unit },
        "duties": { "before": before.as_ref().map(duties_of), "after": duties_of(&after) },
    });
    let change =
        Change { action: "project.pair_unit", entity_type: "project", entity_id: project.id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// Ends the pairing of `unit` with `project`; the service it logged stays. ADMIN.
pub async fn unpair(db: &DatabaseConnection, actor: &Actor, project: Uuid, unit: Uuid) -> AppResult<()> {
    actor.require_role(&[Role::Admin], "unpair units")?;
    let txn = crate::db::begin_write(db).await?;
    let project = crate::service::project::find(&txn, project).await?;
    let Some(before) = project_paired_unit::Entity::find_by_id((project.id, unit)).one(&txn).await? else {
        return Err(AppError::bad_input("unitId", "this unit is not paired with the project"));
    };
    project_paired_unit::Entity::delete_by_id((project.id, unit)).exec(&txn).await?;
    let changes = json!({ "paired_unit": { "before": unit }, "duties": { "before": duties_of(&before) } });
    let change =
        Change { action: "project.unpair_unit", entity_type: "project", entity_id: project.id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(())
}
