//! Loaders of what a supervision task and an inspection's targets show, and
//! `Project.supervisionTasks`.

use std::collections::HashMap;

use async_graphql::Context;
use chrono::{FixedOffset, NaiveDate};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::children::{Arguments, Children};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{keyed_loader, param_loader};
use crate::service::kit::Units;
use crate::service::page::{Page, PageRequest};
use crate::service::supervision::{self as supervision, Reach, TaskFilter, TaskProgress};

keyed_loader!(
    /// Inspectors of each task.
    TaskInspectors, Vec<Uuid>, |db, keys| supervision::inspectors_of(db, keys).await
);
keyed_loader!(
    /// Issues and cases of each KEY_PROBLEM task.
    TaskTargets, Vec<(entity::supervision_target::TargetType, Uuid)>,
    |db, keys| supervision::targets_of(db, keys).await
);
keyed_loader!(
    /// What each inspection dealt with.
    InspectionTargets, Vec<entity::inspection_target::Model>,
    |db, keys| supervision::targets_of_inspections(db, keys).await
);
param_loader!(
    /// The projects of each task with the inspection that covered each; keyed by (task, the county's zone).
    TaskProgressOf, FixedOffset, Vec<TaskProgress>,
    |db, ids, zone| async {
        let tasks = entity::supervision_task::Entity::find()
            .filter(crate::db::among(entity::supervision_task::Column::Id, ids.iter().copied(), db.get_database_backend()))
            .all(db)
            .await?;
        supervision::progress_of(db, &tasks, zone).await
    }
    .await
);
param_loader!(
    /// Tasks by id as the caller may see them today (`None` when hidden); keyed by (task, (reach, day)).
    VisibleTasks, (Reach, NaiveDate), Option<entity::supervision_task::Model>,
    |db, ids, seen| supervision::visible_tasks(db, ids, seen).await
);
param_loader!(
    /// Issues by id as the caller may see them (`None` when hidden); keyed by (issue, issue scope).
    VisibleIssues, Option<Units>, Option<entity::issue::Model>,
    |db, ids, scope| async {
        use entity::issue;
        let rows = issue::Entity::find()
            .filter(crate::db::among(issue::Column::Id, ids.iter().copied(), db.get_database_backend()))
            .filter(crate::service::issue::scoped_visibility(scope))
            .all(db)
            .await?;
        AppResult::Ok(rows.into_iter().map(|i| (i.id, Some(i))).collect::<HashMap<_, _>>())
    }
    .await
);

/// The caller's reach and the county's day, which task visibility is keyed by.
pub fn seen_by(ctx: &Context<'_>) -> AppResult<(Reach, NaiveDate)> {
    Ok((supervision::reach(ctx.caller()?), ctx.state()?.config.clock.today()))
}

/// The task a caller may see by id, through the request's loader; `None` when hidden or missing.
pub async fn visible_task(ctx: &Context<'_>, id: Option<Uuid>) -> AppResult<Option<entity::supervision_task::Model>> {
    let Some(id) = id else { return Ok(None) };
    Ok(ctx.cached::<VisibleTasks>()?.load_one((id, seen_by(ctx)?)).await?.flatten())
}

/// The query of `Project.supervisionTasks`: the filter, the caller's reach and the day.
#[derive(Clone)]
pub struct TasksQuery {
    pub filter: TaskFilter,
    pub reach: Reach,
    pub today: NaiveDate,
}

/// `Project.supervisionTasks`: the tasks holding each project, as the caller sees them, one page per
/// project.
pub struct TasksOfProject;

impl Children for TasksOfProject {
    type Args = Option<super::SupervisionTaskFilter>;
    type Query = TasksQuery;
    type Row = entity::supervision_task::Model;

    fn args(arguments: &Arguments) -> AppResult<Self::Args> {
        arguments.get("filter")
    }

    fn query(ctx: &Context<'_>, args: Self::Args) -> AppResult<Self::Query> {
        let (reach, today) = seen_by(ctx)?;
        Ok(TasksQuery { filter: args.unwrap_or_default().into(), reach, today })
    }

    async fn pages(
        db: &DatabaseConnection,
        q: &Self::Query,
        parents: &[Uuid],
        page: &PageRequest,
    ) -> AppResult<HashMap<Uuid, Page<Self::Row>>> {
        supervision::pages_of_projects(db, q.reach, &q.filter, q.today, parents, page).await
    }

    async fn counts(db: &DatabaseConnection, q: &Self::Query, parents: &[Uuid]) -> AppResult<HashMap<Uuid, u64>> {
        supervision::counts_of_projects(db, q.reach, &q.filter, q.today, parents).await
    }

    fn cursor(_: &Self::Query, row: &Self::Row) -> String {
        supervision::cursor(row)
    }
}
