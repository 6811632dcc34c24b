//! Reporting an obstruction.

use chrono::{DateTime, Utc};
use entity::obstruction_case::{self, ObstructionStage, ObstructionStatus};
use entity::obstruction_step;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::require_person;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit::{self, Insert};
use crate::service::text;

/// What [`report`] needs.
#[derive(Debug, Clone)]
pub struct NewObstruction {
    /// Chosen by the client, so a retry is not reported twice.
    pub id: Option<Uuid>,
    pub project_id: Uuid,
    pub stage: ObstructionStage,
    pub accused_unit_id: Option<Uuid>,
    pub accused: Option<String>,
    pub description: String,
    pub evidence: String,
}

/// Reports an obstruction of `project_id` at a stage: the accused unit, the accused in words, or
/// both; what happened and the evidence. Any signed-in person (not a key). The same report again
/// answers the stored case; other content under its id is `CONFLICT`.
pub async fn report(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewObstruction,
    now: DateTime<Utc>,
) -> AppResult<obstruction_case::Model> {
    let caller = require_person(actor)?;
    let accused = text::optional("accused", input.accused.as_deref(), 200)?;
    if accused.is_none() && input.accused_unit_id.is_none() {
        return Err(AppError::bad_input("accused", "name the accused: a unit (accusedUnitId), in words, or both"));
    }
    let description = text::required("description", &input.description, 10, 5000)?;
    let evidence = text::required("evidence", &input.evidence, 2, 5000)?;
    crate::service::project::find(db, input.project_id)
        .await
        .map_err(|_| AppError::bad_input("projectId", "no project has this id"))?;
    if let Some(unit) = input.accused_unit_id {
        kit::require_units(db, "accusedUnitId", &[unit].into()).await?;
    }
    let payload = json!({
        "project_id": input.project_id, "stage": input.stage, "accused_unit_id": input.accused_unit_id,
        "accused": accused, "description": description, "evidence": evidence, "reported_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    let what = "an obstruction case";
    if let Some(stored) = kit::find_replay::<obstruction_case::Entity>(db, id, &payload, what).await? {
        return Ok(stored);
    }
    let model = obstruction_case::Model {
        id,
        project_id: input.project_id,
        stage: input.stage,
        accused_unit_id: input.accused_unit_id,
        accused_text: accused,
        description,
        evidence,
        status: ObstructionStatus::Reported,
        outcome: None,
        upheld: None,
        feedback: None,
        reported_by: caller.id(),
        reported_at: now,
        updated_at: now,
    };
    let txn = crate::db::begin_write(db).await?;
    let txn =
        match kit::insert_or_replay::<obstruction_case::Entity>(db, txn, id, model.clone(), &payload, what).await? {
            Insert::Inserted(txn) => txn,
            Insert::Replayed(stored) => return Ok(stored),
        };
    step(&txn, id, ObstructionStatus::Reported, None, caller.id(), now).await?;
    txn.commit().await?;
    Ok(model)
}

/// Records that case `id` reached `status`.
pub(super) async fn step(
    db: &impl ConnectionTrait,
    id: Uuid,
    status: ObstructionStatus,
    note: Option<String>,
    by: Uuid,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let row = obstruction_step::Model { id: Uuid::now_v7(), case_id: id, status, note, acted_by: by, acted_at: at };
    obstruction_step::Entity::insert(row.into_active_model()).exec_without_returning(db).await?;
    Ok(())
}
