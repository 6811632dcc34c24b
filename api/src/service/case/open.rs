//! Opening a case: its policy, participating units, measures and (for a matter) its decision.

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::user::Role;
use entity::{case_measure, case_unit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

/// A measure to add.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub description: String,
    pub owner_unit_id: Uuid,
    pub deadline: Option<NaiveDate>,
}

/// What [`open`] needs.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: CaseKind,
    pub project_id: Option<Uuid>,
    pub title: String,
    pub policy: String,
    pub lead_unit_id: Uuid,
    pub unit_ids: Vec<Uuid>,
    pub measures: Vec<NewMeasure>,
    pub decision: Option<Decision>,
}

/// The decision on a 一事一议 matter.
#[derive(Debug, Clone)]
pub struct Decision {
    pub text: String,
    pub decided_on: NaiveDate,
    pub decided_by: String,
}

/// `d` as it may be stored: its text and author bounded, its date not in the future.
pub fn check_decision(d: Decision, today: NaiveDate) -> AppResult<Decision> {
    if d.decided_on > today {
        return Err(AppError::bad_input("decidedOn", "a decision cannot be dated in the future"));
    }
    Ok(Decision {
        text: crate::service::text::required("decision", &d.text, 1, 5000)?,
        decided_on: d.decided_on,
        decided_by: crate::service::text::required("decidedBy", &d.decided_by, 1, 100)?,
    })
}

pub(super) fn measure_rows(case_id: Uuid, from: i32, measures: Vec<NewMeasure>) -> AppResult<Vec<case_measure::Model>> {
    measures
        .into_iter()
        .zip(from..)
        .map(|(m, position)| {
            Ok(case_measure::Model {
                id: Uuid::now_v7(),
                case_id,
                position,
                description: crate::service::text::required("measures.description", &m.description, 1, 1000)?,
                owner_unit_id: m.owner_unit_id,
                deadline: m.deadline,
                done_on: None,
            })
        })
        .collect()
}

/// Opens a case. The project office (ADMIN) only. A project may have one open 一项一策 at a time; a
/// second is `CONFLICT` naming the first.
pub async fn open(db: &DatabaseConnection, actor: &Actor, input: NewCase, today: NaiveDate) -> AppResult<case::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin], "open coordination cases")?;
    let title = crate::service::text::required("title", &input.title, 2, 200)?;
    let policy = crate::service::text::required("policy", &input.policy, 1, 10_000)?;
    if input.kind == CaseKind::OneProjectOnePolicy && input.project_id.is_none() {
        return Err(AppError::bad_input("projectId", "a 一项一策 case belongs to a project"));
    }
    if input.kind == CaseKind::OneProjectOnePolicy && input.decision.is_some() {
        return Err(AppError::bad_input("decision", "only a 一事一议 matter records a decision"));
    }
    if input.measures.len() > MAX_MEASURES {
        return Err(AppError::bad_input("measures", format!("at most {MAX_MEASURES} measures")));
    }
    let decision = input.decision.map(|d| check_decision(d, today)).transpose()?;
    // Measure owners take part in the case; the lead unit is not also a participant.
    let mut units: BTreeSet<Uuid> = input.unit_ids.iter().copied().collect();
    units.extend(input.measures.iter().map(|m| m.owner_unit_id));
    units.remove(&input.lead_unit_id);
    if units.len() > MAX_UNITS {
        return Err(AppError::bad_input("unitIds", format!("at most {MAX_UNITS} participating units")));
    }
    let mut referenced = units.clone();
    referenced.insert(input.lead_unit_id);
    kit::require_units(db, "unitIds", &referenced).await?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(project_id) = input.project_id {
        crate::service::project::find(&txn, project_id).await?;
        if input.kind == CaseKind::OneProjectOnePolicy
            && let Some(existing) = open_policy_of(&txn, project_id).await?
        {
            return Err(one_policy_conflict(&existing));
        }
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = case::Model {
        id,
        kind: input.kind,
        project_id: input.project_id,
        title,
        policy,
        lead_unit_id: input.lead_unit_id,
        status: if decision.is_some() { CaseStatus::InProgress } else { CaseStatus::Open },
        decision: decision.as_ref().map(|d| d.text.clone()),
        decided_on: decision.as_ref().map(|d| d.decided_on),
        decided_by: decision.map(|d| d.decided_by),
        decided_at_meeting_id: None,
        opened_by: caller.id(),
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    match case::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            // Another office opened this project's policy between our check and our insert.
            drop(txn);
            let existing = match input.project_id {
                Some(p) => open_policy_of(db, p).await?,
                None => None,
            };
            return Err(existing.map_or_else(
                || AppError::Conflict("the case conflicts with another".into()),
                |c| one_policy_conflict(&c),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    if !units.is_empty() {
        case_unit::Entity::insert_many(
            units.iter().map(|u| case_unit::ActiveModel { case_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let measures = measure_rows(id, 0, input.measures)?;
    if !measures.is_empty() {
        case_measure::Entity::insert_many(measures.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(&txn)
            .await?;
    }
    let mut changes = audit::diff(None, Some(&model))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("unit_ids".into(), json!({ "before": null, "after": units }));
        o.insert("measures".into(), json!({ "before": null, "after": measures }));
    }
    audit::record(&txn, actor, Change { action: "case.open", entity_type: "case", entity_id: id.to_string(), changes })
        .await?;
    txn.commit().await?;
    Ok(model)
}

async fn open_policy_of(db: &impl ConnectionTrait, project_id: Uuid) -> AppResult<Option<case::Model>> {
    Ok(case::Entity::find()
        .filter(case::Column::ProjectId.eq(project_id))
        .filter(case::Column::Kind.eq(CaseKind::OneProjectOnePolicy))
        .filter(case::Column::Status.ne(CaseStatus::Closed))
        .one(db)
        .await?)
}

fn one_policy_conflict(existing: &case::Model) -> AppError {
    AppError::Conflict(format!(
        "the project already has an open 一项一策 case, \"{}\" ({}); close it before opening another",
        existing.title, existing.id
    ))
}
