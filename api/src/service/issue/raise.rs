//! Raising an issue, by hand or from a failed inspection item, with its `YYYY-NNNN` number.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, Utc};
use entity::issue::{self, IssueKind, IssueSource, IssueStatus, Severity};
use entity::issue_event::IssueEventKind;
use entity::user::Role;
use entity::{issue_counter, issue_unit};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::transition::event;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit;

#[derive(Debug, Clone)]
pub struct NewIssue {
    pub id: Option<Uuid>,
    pub project_id: Uuid,
    pub kind: IssueKind,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub source: IssueSource,
    pub assigned_unit_id: Option<Uuid>,
    pub co_unit_ids: Vec<Uuid>,
    pub due_date: Option<NaiveDate>,
    /// The meeting and decision that raise it, for an issue a meeting's decision raises.
    pub from_meeting: Option<(Uuid, Uuid)>,
}

/// Raises an issue. A client may supply the id: replaying the same create returns the stored issue,
/// a different create under the same id is `CONFLICT` and changes nothing.
pub async fn raise<C>(db: &C, actor: &Actor, input: NewIssue) -> AppResult<issue::Model>
where
    C: ConnectionTrait + sea_orm::TransactionTrait,
{
    let caller = actor.caller()?.clone();
    let project = crate::service::project::find(db, input.project_id).await?;
    if !crate::service::pairing::serves(db, &caller, &project).await? {
        return Err(AppError::Forbidden("your role or unit may not raise issues on this project".into()));
    }
    let title = crate::service::text::required("title", &input.title, 2, 200)?;
    let description =
        crate::service::text::optional("description", Some(&input.description), 5000)?.unwrap_or_default();
    let co_units: BTreeSet<Uuid> = input.co_unit_ids.iter().copied().collect();
    if co_units.len() > 20 {
        return Err(AppError::bad_input("coUnitIds", "at most 20 co-operating units"));
    }
    let mut referenced: BTreeSet<Uuid> = co_units.clone();
    referenced.extend(input.assigned_unit_id);
    kit::require_units(db, "assignedUnitId", &referenced).await?;
    if input.assigned_unit_id.is_some() && caller.role() != Role::Admin {
        return Err(AppError::Forbidden("only the project office assigns issues".into()));
    }
    let payload = json!({
        "project_id": input.project_id, "kind": input.kind, "title": title, "description": description,
        "severity": input.severity, "source": input.source, "assigned_unit_id": input.assigned_unit_id,
        "co_unit_ids": co_units, "due_date": input.due_date, "reporter_id": caller.id(),
    });
    // Only issues a meeting raises name it, so the payloads of every other create read as before.
    let mut payload = payload;
    if let (Some(meeting), Some(o)) = (input.from_meeting, payload.as_object_mut()) {
        o.insert("meeting".into(), json!(meeting));
    }
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<issue::Entity>(db, id, &payload, "an issue").await? {
        return Ok(stored);
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let number = next_number(&txn, now.year()).await?;
    let status = if input.assigned_unit_id.is_some() { IssueStatus::Assigned } else { IssueStatus::Open };
    let model = issue::Model {
        id,
        number,
        project_id: input.project_id,
        kind: input.kind,
        title,
        description,
        severity: input.severity,
        source: input.source,
        status,
        reporter_id: caller.id(),
        assigned_unit_id: input.assigned_unit_id,
        due_date: input.due_date,
        resolution: None,
        escalated_at: None,
        escalated_to: None,
        meeting_id: input.from_meeting.map(|m| m.0),
        meeting_decision_id: input.from_meeting.map(|m| m.1),
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    let txn = match kit::insert_or_replay::<issue::Entity>(db, txn, id, model.clone(), &payload, "an issue").await? {
        kit::Insert::Inserted(txn) => txn,
        kit::Insert::Replayed(stored) => return Ok(stored),
    };
    if !co_units.is_empty() {
        issue_unit::Entity::insert_many(
            co_units.iter().map(|u| issue_unit::ActiveModel { issue_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    event(&txn, id, IssueEventKind::Raised, Some(caller.id()), None, None).await?;
    if let Some(unit) = input.assigned_unit_id {
        event(&txn, id, IssueEventKind::Assigned, Some(caller.id()), None, Some(unit)).await?;
    }
    let changes = audit::diff(None, Some(&model))?;
    audit::record(
        &txn,
        actor,
        Change { action: "issue.raise", entity_type: "issue", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Hands out `YYYY-NNNN` numbers; the update takes the row lock first on PostgreSQL.
async fn next_number(db: &impl ConnectionTrait, year: i32) -> AppResult<String> {
    let bumped = issue_counter::Entity::update_many()
        .col_expr(issue_counter::Column::Last, Expr::col(issue_counter::Column::Last).add(1))
        .filter(issue_counter::Column::Year.eq(year))
        .exec(db)
        .await?;
    let last = if bumped.rows_affected == 0 {
        issue_counter::Entity::insert(issue_counter::ActiveModel { year: Set(year), last: Set(1) })
            .exec_without_returning(db)
            .await?;
        1
    } else {
        issue_counter::Entity::find_by_id(year).one(db).await?.map_or(1, |c| c.last)
    };
    Ok(format!("{year}-{last:04}"))
}
