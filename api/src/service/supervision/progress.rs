//! How inspections carry tasks out: what an inspection may name (its task, the problems it dealt
//! with), the issue resolutions a passed follow-up verifies, and a task done once every project had
//! an inspection of its kind inside the window.

use std::collections::BTreeSet;

use chrono::{DateTime, FixedOffset, Utc};
use entity::inspection::{self, InspectionKind, InspectionResult};
use entity::issue::{self, IssueStatus};
use entity::supervision_target::TargetType;
use entity::supervision_task::{self, Model as Task};
use entity::user::Role;
use entity::{inspection_target, supervision_task_project};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::*;
use crate::clock::midnight;

/// What an inspection says it dealt with: open issues and 一事一议 cases of its project, and whether
/// it is the follow-up that verifies (核实) the resolution of the issues the unit marked RESOLVED.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct InspectionTargets {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub issue_ids: Vec<Uuid>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub case_ids: Vec<Uuid>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub verify_resolved: bool,
}

impl InspectionTargets {
    pub fn is_empty(&self) -> bool {
        self.issue_ids.is_empty() && self.case_ids.is_empty()
    }
}

/// Checks, before an inspection is stored, the task it names and the problems it dealt with: the
/// task is one the inspector sees, of the inspection's kind, holds its project and its window holds
/// the day it was completed, and the inspector is assigned to it (or is the office); a KEY_PROBLEM
/// inspection names at least one open issue or case of its project.
#[expect(clippy::too_many_arguments, reason = "the parts of the inspection a task and its targets are checked against")]
pub async fn check_inspection(
    txn: &DatabaseTransaction,
    actor: &Actor,
    task_id: Option<Uuid>,
    kind: InspectionKind,
    project_id: Uuid,
    completed_at: DateTime<Utc>,
    targets: &InspectionTargets,
    day: crate::clock::Day,
) -> AppResult<()> {
    let issues = plan::distinct("issueIds", &targets.issue_ids, 0, MAX_TARGETS)?;
    let cases = plan::distinct("caseIds", &targets.case_ids, 0, MAX_TARGETS)?;
    if kind == InspectionKind::KeyProblem && targets.is_empty() {
        return Err(AppError::bad_input(
            "issueIds",
            "a KEY_PROBLEM inspection names the open issues or cases it deals with",
        ));
    }
    if targets.verify_resolved && issues.is_empty() {
        return Err(AppError::bad_input("verifyResolved", "name the issues whose resolution this inspection verifies"));
    }
    let projects = BTreeSet::from([project_id]);
    // A RESOLVED issue is still open: it is what a follow-up verifies.
    plan::require_targets(txn, &projects, &issues, &cases).await?;
    let Some(task_id) = task_id else { return Ok(()) };
    let task = find_for(txn, actor, task_id, day.date)
        .await
        .map_err(|_| AppError::bad_input("taskId", "no supervision task has this id"))?;
    if task.kind != kind {
        return Err(AppError::bad_input("kind", "an inspection for a task is of the task's kind"));
    }
    let in_task = supervision_task_project::Entity::find()
        .filter(supervision_task_project::Column::TaskId.eq(task.id))
        .filter(supervision_task_project::Column::ProjectId.eq(project_id))
        .count(txn)
        .await?;
    if in_task == 0 {
        return Err(AppError::bad_input("projectId", "the task does not hold this project"));
    }
    let (start, end) = window_instants(&task, day.zone);
    if completed_at < start || completed_at >= end {
        return Err(AppError::bad_input("completedAt", "an inspection for a task is done inside the task's window"));
    }
    let caller = actor.caller()?;
    if caller.role() != Role::Admin && !is_assigned(txn, task.id, caller.id()).await? {
        return Err(AppError::Forbidden("only the task's inspectors (or the office) inspect for it".into()));
    }
    Ok(())
}

/// After an inspection is stored: keeps what it dealt with, records it as the verification of the
/// named issues the unit marked RESOLVED when it passed and says so, and marks done the tasks it
/// completes.
pub async fn after_inspection(
    txn: &DatabaseTransaction,
    actor: &Actor,
    stored: &inspection::Model,
    targets: &InspectionTargets,
    day: crate::clock::Day,
) -> AppResult<()> {
    let issues: BTreeSet<Uuid> = targets.issue_ids.iter().copied().collect();
    let cases: BTreeSet<Uuid> = targets.case_ids.iter().copied().collect();
    let verifying = targets.verify_resolved && stored.result == InspectionResult::Passed;
    let resolved: BTreeSet<Uuid> = if verifying && !issues.is_empty() {
        issue::Entity::find()
            .filter(issue::Column::Id.is_in(issues.iter().copied()))
            .filter(issue::Column::Status.eq(IssueStatus::Resolved))
            .all(txn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect()
    } else {
        BTreeSet::new()
    };
    for id in &resolved {
        let note = format!("督导复查通过（检查 {}）", stored.id);
        crate::service::issue::transition_in(
            txn,
            actor,
            *id,
            crate::service::issue::IssueAction::Verify,
            crate::service::issue::Transition { text: Some(note), ..Default::default() },
            day.date,
        )
        .await?;
    }
    let rows: Vec<inspection_target::ActiveModel> = issues
        .iter()
        .map(|i| (TargetType::Issue, *i, resolved.contains(i)))
        .chain(cases.iter().map(|c| (TargetType::Case, *c, false)))
        .map(|(t, target, verified)| inspection_target::ActiveModel {
            inspection_id: Set(stored.id),
            target_type: Set(t),
            target_id: Set(target),
            verified: Set(verified),
        })
        .collect();
    if !rows.is_empty() {
        inspection_target::Entity::insert_many(rows).exec_without_returning(txn).await?;
    }
    let day_of = stored.completed_at.with_timezone(&day.zone).date_naive();
    let open = supervision_task::Entity::find()
        .filter(supervision_task::Column::DoneAt.is_null())
        .filter(supervision_task::Column::Kind.eq(stored.kind))
        .filter(supervision_task::Column::WindowFrom.lte(day_of))
        .filter(supervision_task::Column::WindowTo.gte(day_of))
        .filter(
            supervision_task::Column::Id.in_subquery(
                Query::select()
                    .column(supervision_task_project::Column::TaskId)
                    .from(supervision_task_project::Entity)
                    .and_where(supervision_task_project::Column::ProjectId.eq(stored.project_id))
                    .to_owned(),
            ),
        )
        .all(txn)
        .await?;
    for task in open {
        settle_in(txn, task, day.zone, stored.received_at).await?;
    }
    Ok(())
}

/// The instants a task's window spans in the county's zone: from the midnight it opens to the
/// midnight after it closes.
pub(super) fn window_instants(task: &Task, zone: FixedOffset) -> (DateTime<Utc>, DateTime<Utc>) {
    let after = task.window_to.succ_opt().unwrap_or(task.window_to);
    (midnight(task.window_from, zone), midnight(after, zone))
}

/// `task` marked done (at `now`) if every one of its projects has a current inspection of its kind
/// inside its window.
pub(super) async fn settle_in(
    txn: &impl ConnectionTrait,
    task: Task,
    zone: FixedOffset,
    now: DateTime<Utc>,
) -> AppResult<Task> {
    if task.done_at.is_some() || uncovered(txn, &task, zone).await? > 0 {
        return Ok(task);
    }
    supervision_task::Entity::update_many()
        .col_expr(supervision_task::Column::DoneAt, Expr::value(now))
        .col_expr(supervision_task::Column::UpdatedAt, Expr::value(now))
        .filter(supervision_task::Column::Id.eq(task.id))
        .exec(txn)
        .await?;
    Ok(Task { done_at: Some(now), updated_at: now, ..task })
}

/// [`settle_in`] for a task just stored.
pub(super) async fn settle(txn: &DatabaseTransaction, task: Task, zone: FixedOffset) -> AppResult<Task> {
    let now = task.created_at;
    settle_in(txn, task, zone, now).await
}

/// How many of `task`'s projects have no current inspection of its kind inside its window.
async fn uncovered(db: &impl ConnectionTrait, task: &Task, zone: FixedOffset) -> AppResult<u64> {
    let (start, end) = window_instants(task, zone);
    let visited = Query::select()
        .column(inspection::Column::ProjectId)
        .from(inspection::Entity)
        .and_where(inspection::Column::IsCurrent.eq(true))
        .and_where(inspection::Column::Kind.eq(task.kind))
        .and_where(inspection::Column::CompletedAt.gte(start))
        .and_where(inspection::Column::CompletedAt.lt(end))
        .to_owned();
    Ok(supervision_task_project::Entity::find()
        .filter(supervision_task_project::Column::TaskId.eq(task.id))
        .filter(supervision_task_project::Column::ProjectId.not_in_subquery(visited))
        .count(db)
        .await?)
}
