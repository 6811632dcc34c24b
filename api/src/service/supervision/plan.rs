//! Planning a supervision task (TRACKING or KEY_PROBLEM), and storing any task with its members.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use entity::inspection::InspectionKind;
use entity::issue::{self, IssueStatus};
use entity::supervision_target::TargetType;
use entity::supervision_task::{self, Model as Task, TaskOrigin};
use entity::user::{self, Role};
use entity::{case, project, supervision_task_inspector, supervision_task_project, supervision_task_target};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::service::audit::{self, Change};
use crate::service::text;

/// What [`plan`] needs.
#[derive(Debug, Clone)]
pub struct NewTask {
    /// Chosen by the client, so a retry is not planned twice.
    pub id: Option<Uuid>,
    pub kind: InspectionKind,
    pub title: String,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
    pub project_ids: Vec<Uuid>,
    pub inspector_ids: Vec<Uuid>,
    /// The open issues a KEY_PROBLEM task deals with.
    pub issue_ids: Vec<Uuid>,
    /// The 一事一议 cases a KEY_PROBLEM task deals with.
    pub case_ids: Vec<Uuid>,
}

/// Plans a TRACKING or KEY_PROBLEM task. ADMIN. A KEY_PROBLEM task names the open issues or cases
/// it deals with, each of one of its projects; a SURPRISE task is drawn ([`super::draw`]), not
/// planned. Replaying the same create answers the stored task; other content under its id is
/// `CONFLICT`.
pub async fn plan(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewTask,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Task> {
    let today = day.date;
    actor.require_role(&[Role::Admin], "plan supervision tasks")?;
    if input.kind == InspectionKind::Surprise {
        return Err(AppError::bad_input("kind", "a SURPRISE task is drawn from lagging projects (drawSurpriseTask)"));
    }
    let title = text::required("title", &input.title, 2, 200)?;
    check_window(input.window_from, input.window_to, today)?;
    let projects = distinct("projectIds", &input.project_ids, 1, MAX_PROJECTS)?;
    let inspectors = distinct("inspectorIds", &input.inspector_ids, 1, MAX_INSPECTORS)?;
    let issues = distinct("issueIds", &input.issue_ids, 0, MAX_TARGETS)?;
    let cases = distinct("caseIds", &input.case_ids, 0, MAX_TARGETS)?;
    match input.kind {
        InspectionKind::KeyProblem if issues.is_empty() && cases.is_empty() => {
            return Err(AppError::bad_input(
                "issueIds",
                "a KEY_PROBLEM task names the open issues or cases it deals with",
            ));
        }
        InspectionKind::KeyProblem => {}
        _ if !issues.is_empty() || !cases.is_empty() => {
            return Err(AppError::bad_input("issueIds", "only a KEY_PROBLEM task names issues or cases"));
        }
        _ => {}
    }
    require_projects(db, &projects).await?;
    require_inspectors(db, &inspectors).await?;
    require_targets(db, &projects, &issues, &cases).await?;
    let caller = actor.caller()?;
    let payload = json!({
        "kind": input.kind, "title": title, "window_from": input.window_from, "window_to": input.window_to,
        "project_ids": input.project_ids, "inspector_ids": inspectors, "issue_ids": issues, "case_ids": cases,
        "created_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<supervision_task::Entity>(db, id, &payload, "a supervision task").await? {
        return Ok(stored);
    }
    let model = Task {
        id,
        kind: input.kind,
        origin: TaskOrigin::Planned,
        title,
        window_from: input.window_from,
        window_to: input.window_to,
        done_at: None,
        summary: None,
        closed_at: None,
        closed_by: None,
        draw_seed: None,
        draw_candidates: None,
        proposed_for: None,
        created_by: Some(caller.id()),
        created_at: now,
        updated_at: now,
    };
    let members = Members { projects: ordered(&input.project_ids), inspectors, issues, cases };
    store(db, actor, model, &members, &payload, ("supervision_task.plan", day.zone)).await
}

/// The people, projects and problems of a task.
pub(super) struct Members {
    /// In the task's order.
    pub projects: Vec<Uuid>,
    pub inspectors: BTreeSet<Uuid>,
    pub issues: BTreeSet<Uuid>,
    pub cases: BTreeSet<Uuid>,
}

/// Inserts `model` and its members under the client's id (a replay answers the stored task), audits
/// it, and notes the inspections already made inside its window.
pub(super) async fn store(
    db: &DatabaseConnection,
    actor: &Actor,
    model: Task,
    members: &Members,
    payload: &serde_json::Value,
    (action, zone): (&'static str, chrono::FixedOffset),
) -> AppResult<Task> {
    let id = model.id;
    let txn = crate::db::begin_write(db).await?;
    let txn = match kit::insert_or_replay::<supervision_task::Entity>(
        db,
        txn,
        id,
        model.clone(),
        payload,
        "a supervision task",
    )
    .await?
    {
        kit::Insert::Inserted(txn) => txn,
        kit::Insert::Replayed(stored) => return Ok(stored),
    };
    insert_members(&txn, id, members).await?;
    let mut changes = audit::diff(None, Some(&model))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("project_ids".into(), json!({ "before": null, "after": members.projects }));
        o.insert("inspector_ids".into(), json!({ "before": null, "after": members.inspectors }));
        o.insert("issue_ids".into(), json!({ "before": null, "after": members.issues }));
        o.insert("case_ids".into(), json!({ "before": null, "after": members.cases }));
    }
    audit::record(&txn, actor, Change { action, entity_type: "supervision_task", entity_id: id.to_string(), changes })
        .await?;
    let model = progress::settle(&txn, model, zone).await?;
    txn.commit().await?;
    Ok(model)
}

async fn insert_members(txn: &DatabaseTransaction, id: Uuid, m: &Members) -> AppResult<()> {
    supervision_task_project::Entity::insert_many((0..).zip(&m.projects).map(|(position, p)| {
        supervision_task_project::ActiveModel { task_id: Set(id), project_id: Set(*p), position: Set(position) }
    }))
    .exec_without_returning(txn)
    .await?;
    if !m.inspectors.is_empty() {
        supervision_task_inspector::Entity::insert_many(
            m.inspectors.iter().map(|u| supervision_task_inspector::ActiveModel { task_id: Set(id), user_id: Set(*u) }),
        )
        .exec_without_returning(txn)
        .await?;
    }
    let targets =
        m.issues.iter().map(|i| (TargetType::Issue, *i)).chain(m.cases.iter().map(|c| (TargetType::Case, *c)));
    let targets: Vec<_> = targets
        .map(|(t, target)| supervision_task_target::ActiveModel {
            task_id: Set(id),
            target_type: Set(t),
            target_id: Set(target),
        })
        .collect();
    if !targets.is_empty() {
        supervision_task_target::Entity::insert_many(targets).exec_without_returning(txn).await?;
    }
    Ok(())
}

/// A window from `from` to `to` (inclusive) that has not ended and spans at most a year.
pub(super) fn check_window(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> AppResult<()> {
    if to < from {
        return Err(AppError::bad_input("windowTo", "a window ends on or after the day it starts"));
    }
    if to < today {
        return Err(AppError::bad_input("windowTo", "a window that has already ended"));
    }
    if (to - from).num_days() >= MAX_WINDOW_DAYS {
        return Err(AppError::bad_input("windowTo", format!("a window of at most {MAX_WINDOW_DAYS} days")));
    }
    Ok(())
}

/// `ids` without repeats, `min` to `max` of them.
pub(super) fn distinct(field: &str, ids: &[Uuid], min: usize, max: usize) -> AppResult<BTreeSet<Uuid>> {
    if ids.len() > max {
        return Err(AppError::bad_input(field, format!("at most {max}")));
    }
    let set: BTreeSet<Uuid> = ids.iter().copied().collect();
    if set.len() < min {
        return Err(AppError::bad_input(field, format!("at least {min}")));
    }
    Ok(set)
}

/// `ids` in their first order, without repeats.
fn ordered(ids: &[Uuid]) -> Vec<Uuid> {
    let mut seen = BTreeSet::new();
    ids.iter().copied().filter(|id| seen.insert(*id)).collect()
}

async fn require_projects(db: &impl ConnectionTrait, ids: &BTreeSet<Uuid>) -> AppResult<()> {
    let found = project::Entity::find().filter(project::Column::Id.is_in(ids.iter().copied())).count(db).await?;
    if found as usize != ids.len() {
        return Err(AppError::bad_input("projectIds", "some project ids match no project"));
    }
    Ok(())
}

/// Inspectors are active accounts that may submit inspections (INSPECTOR, LEADER or ADMIN).
pub(super) async fn require_inspectors(db: &impl ConnectionTrait, ids: &BTreeSet<Uuid>) -> AppResult<()> {
    let found = user::Entity::find()
        .filter(user::Column::Id.is_in(ids.iter().copied()))
        .filter(user::Column::Active.eq(true))
        .filter(user::Column::Role.is_in([Role::Inspector, Role::Leader, Role::Admin]))
        .count(db)
        .await?;
    if found as usize != ids.len() {
        return Err(AppError::bad_input(
            "inspectorIds",
            "every inspector is an active inspector, leader or office account",
        ));
    }
    Ok(())
}

/// Issues that are still open (not VERIFIED or CLOSED) and cases not CLOSED, each of one of
/// `projects`.
pub(super) async fn require_targets(
    db: &impl ConnectionTrait,
    projects: &BTreeSet<Uuid>,
    issues: &BTreeSet<Uuid>,
    cases: &BTreeSet<Uuid>,
) -> AppResult<()> {
    if !issues.is_empty() {
        let found = issue::Entity::find()
            .filter(issue::Column::Id.is_in(issues.iter().copied()))
            .filter(issue::Column::Status.is_not_in([IssueStatus::Verified, IssueStatus::Closed]))
            .filter(issue::Column::ProjectId.is_in(projects.iter().copied()))
            .count(db)
            .await?;
        if found as usize != issues.len() {
            return Err(AppError::bad_input("issueIds", "each issue is open and of one of the projects"));
        }
    }
    if !cases.is_empty() {
        let found = case::Entity::find()
            .filter(case::Column::Id.is_in(cases.iter().copied()))
            .filter(case::Column::Status.ne(case::CaseStatus::Closed))
            .filter(case::Column::ProjectId.is_in(projects.iter().copied()))
            .count(db)
            .await?;
        if found as usize != cases.len() {
            return Err(AppError::bad_input("caseIds", "each case is open and of one of the projects"));
        }
    }
    Ok(())
}
