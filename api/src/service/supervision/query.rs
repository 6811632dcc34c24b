//! Reading supervision tasks: the filtered list, its count, `Project.supervisionTasks`, and the
//! batch lookups behind the loaders.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::inspection::{self, InspectionKind};
use entity::supervision_target::TargetType;
use entity::supervision_task::{self, Model as Task, TaskOrigin};
use entity::{inspection_target, supervision_task_inspector, supervision_task_project, supervision_task_target};
use sea_orm::sea_query::{Order, Query};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::service::page::{
    Link, Page, PageRequest, after_newest, count_per_linked_parent, newest_first, per_linked_parent, time_id_key,
};

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub kind: Option<InspectionKind>,
    pub status: Option<TaskStatus>,
    pub origin: Option<TaskOrigin>,
    /// Tasks holding this project.
    pub project_id: Option<Uuid>,
    /// Tasks this inspector is assigned to.
    pub inspector_id: Option<Uuid>,
}

fn matching(reach: Reach, f: &TaskFilter, today: NaiveDate) -> Select<supervision_task::Entity> {
    use supervision_task::Column as C;
    let mut q = supervision_task::Entity::find().filter(task_visibility(reach, today));
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(status_condition(v, today));
    }
    if let Some(v) = f.origin {
        q = q.filter(C::Origin.eq(v));
    }
    if let Some(project) = f.project_id {
        let holding = Query::select()
            .column(supervision_task_project::Column::TaskId)
            .from(supervision_task_project::Entity)
            .and_where(supervision_task_project::Column::ProjectId.eq(project))
            .to_owned();
        q = q.filter(C::Id.in_subquery(holding));
    }
    if let Some(user) = f.inspector_id {
        q = q.filter(C::Id.in_subquery(assigned_to(user)));
    }
    q
}

/// Tasks the caller sees, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &TaskFilter,
    today: NaiveDate,
    page: &PageRequest,
) -> AppResult<Page<Task>> {
    use supervision_task::Column as C;
    let rows = newest_first(matching(reach, f, today), C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(task: &Task) -> String {
    time_id_key(task.created_at, task.id)
}

pub async fn count(db: &impl ConnectionTrait, reach: Reach, f: &TaskFilter, today: NaiveDate) -> AppResult<u64> {
    Ok(matching(reach, f, today).count(db).await?)
}

const BY_PROJECT: Link<supervision_task_project::Column> =
    Link { row: supervision_task_project::Column::TaskId, parent: supervision_task_project::Column::ProjectId };

/// What [`list`] shows of the tasks holding each of `projects`, one page each, in one statement.
pub async fn pages_of_projects(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &TaskFilter,
    today: NaiveDate,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<Task>>> {
    use supervision_task::Column as C;
    let q = after_newest(matching(reach, f, today), C::CreatedAt, C::Id, page)?;
    let order = [(C::CreatedAt, Order::Desc), (C::Id, Order::Desc)];
    per_linked_parent(db, q, C::Id, &BY_PROJECT, &order, projects, page).await
}

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &TaskFilter,
    today: NaiveDate,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    count_per_linked_parent(db, matching(reach, f, today), supervision_task::Column::Id, &BY_PROJECT, projects).await
}

/// Tasks by id as a caller of `reach` sees them on `today` (absent when hidden).
pub async fn visible_tasks(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    (reach, today): (Reach, NaiveDate),
) -> AppResult<HashMap<Uuid, Option<Task>>> {
    let rows = supervision_task::Entity::find()
        .filter(among(supervision_task::Column::Id, ids.iter().copied(), db.get_database_backend()))
        .filter(task_visibility(reach, today))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| (t.id, Some(t))).collect())
}

/// The inspectors of many tasks.
pub async fn inspectors_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = supervision_task_inspector::Entity::find()
        .select_only()
        .columns([supervision_task_inspector::Column::TaskId, supervision_task_inspector::Column::UserId])
        .filter(among(supervision_task_inspector::Column::TaskId, ids.iter().copied(), db.get_database_backend()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows))
}

/// The issues and cases of many tasks.
pub async fn targets_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<(TargetType, Uuid)>>> {
    let rows = supervision_task_target::Entity::find()
        .filter(among(supervision_task_target::Column::TaskId, ids.iter().copied(), db.get_database_backend()))
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|t| (t.task_id, (t.target_type, t.target_id)))))
}

/// What many inspections dealt with.
pub async fn targets_of_inspections(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<inspection_target::Model>>> {
    let rows = inspection_target::Entity::find()
        .filter(among(inspection_target::Column::InspectionId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(inspection_target::Column::TargetType)
        .order_by_asc(inspection_target::Column::TargetId)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|t| (t.inspection_id, t))))
}

/// The instants a task's window spans.
type Window = (DateTime<Utc>, DateTime<Utc>);

/// A project of a task and the first current inspection of the task's kind inside its window.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskProgress {
    pub project_id: Uuid,
    pub inspection_id: Option<Uuid>,
}

/// The projects of many tasks, in order, each with the inspection that covered it: two statements
/// for any number of tasks.
pub async fn progress_of(
    db: &impl ConnectionTrait,
    tasks: &[Task],
    zone: FixedOffset,
) -> AppResult<HashMap<Uuid, Vec<TaskProgress>>> {
    if tasks.is_empty() {
        return Ok(HashMap::new());
    }
    let members = supervision_task_project::Entity::find()
        .filter(among(supervision_task_project::Column::TaskId, tasks.iter().map(|t| t.id), db.get_database_backend()))
        .order_by_asc(supervision_task_project::Column::Position)
        .all(db)
        .await?;
    let windows: Vec<Window> = tasks.iter().map(|t| progress::window_instants(t, zone)).collect();
    let start = windows.iter().map(|w| w.0).min().unwrap_or_default();
    let end = windows.iter().map(|w| w.1).max().unwrap_or_default();
    let kinds: Vec<InspectionKind> = tasks.iter().map(|t| t.kind).collect();
    let projects: Vec<Uuid> = members.iter().map(|m| m.project_id).collect();
    let mut seen: Vec<(Uuid, InspectionKind, DateTime<Utc>, Uuid)> = Vec::new();
    for chunk in projects.chunks(500) {
        let rows: Vec<(Uuid, InspectionKind, DateTime<Utc>, Uuid)> = inspection::Entity::find()
            .select_only()
            .columns([
                inspection::Column::ProjectId,
                inspection::Column::Kind,
                inspection::Column::CompletedAt,
                inspection::Column::Id,
            ])
            .filter(among(inspection::Column::ProjectId, chunk.iter().copied(), db.get_database_backend()))
            .filter(inspection::Column::IsCurrent.eq(true))
            .filter(inspection::Column::Kind.is_in(kinds.iter().copied()))
            .filter(inspection::Column::CompletedAt.gte(start))
            .filter(inspection::Column::CompletedAt.lt(end))
            .order_by_asc(inspection::Column::CompletedAt)
            .into_tuple()
            .all(db)
            .await?;
        seen.extend(rows);
    }
    let by_id: HashMap<Uuid, (&Task, Window)> =
        tasks.iter().zip(windows.iter().copied()).map(|(t, w)| (t.id, (t, w))).collect();
    let mut out: HashMap<Uuid, Vec<TaskProgress>> = HashMap::new();
    for m in members {
        let Some((task, (from, to))) = by_id.get(&m.task_id) else { continue };
        let inspection_id = seen
            .iter()
            .find(|(p, k, at, _)| *p == m.project_id && *k == task.kind && *at >= *from && *at < *to)
            .map(|s| s.3);
        out.entry(m.task_id).or_default().push(TaskProgress { project_id: m.project_id, inspection_id });
    }
    Ok(out)
}
