//! Supervision that follows through (督导): tasks of the three kinds — tracking every key project
//! (跟踪督导), aimed at a problem (重点督导), and a surprise push on lagging projects (突击督导) —
//! with the inspections that carry them out, tracking coverage, and bulletins (督导通报). Who may see
//! a task is decided by [`task_visibility`], here and nowhere else: a SURPRISE task is sealed until
//! its window opens.

mod bulletin;
mod close;
mod coverage;
mod draw;
mod figures;
mod plan;
mod progress;
mod propose;
mod query;

pub use bulletin::{NewBulletin, bulletin_cursor, bulletins, count_bulletins, figures_of, find_bulletin, publish};
pub use close::close;
pub use coverage::{Coverage, UnitCoverage, coverage};
pub use draw::{Candidate, NewDraw, candidates_of, draw, draw_from};
pub use figures::{BulletinFigures, IssueKindCount, KindResultCount, UnitFigure, compile};
pub use plan::{NewTask, plan};
pub use progress::{InspectionTargets, after_inspection, check_inspection};
pub use propose::{propose, propose_once};
pub use query::{
    TaskFilter, TaskProgress, count, counts_of_projects, cursor, inspectors_of, list, pages_of_projects, progress_of,
    targets_of, targets_of_inspections, visible_tasks,
};

use chrono::NaiveDate;
use entity::inspection::InspectionKind;
use entity::supervision_task::{self, Model as Task};
use entity::user::Role;
use entity::{supervision_task_inspector, supervision_task_project};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::kit::{self, Units};

/// Projects one task may hold, and inspectors it may name.
pub const MAX_PROJECTS: usize = 200;
pub const MAX_INSPECTORS: usize = 50;
/// Issues and cases one task or inspection may name.
pub const MAX_TARGETS: usize = 50;
/// The longest window, in days.
pub const MAX_WINDOW_DAYS: i64 = 366;

/// What a caller sees of supervision tasks, as a plain value loaders are keyed by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reach {
    /// The office and unscoped integration keys: every task, sealed or not.
    All,
    /// A leader: every task once it is not sealed.
    Leader,
    /// An inspector: the tasks they are assigned to (sealed or not) and the open ones.
    Inspector(Uuid),
    /// A department (or a key narrowed to units): unsealed tasks on its projects.
    Units(Units),
}

/// The reach of `caller`.
pub fn reach(caller: &Caller) -> Reach {
    match caller.role() {
        Role::Admin => Reach::All,
        Role::Leader => Reach::Leader,
        Role::Inspector => Reach::Inspector(caller.id()),
        _ => match kit::department_scope(caller) {
            Some(units) => Reach::Units(units),
            None => Reach::All,
        },
    }
}

/// Where a task stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum TaskStatus {
    /// Its window has not opened.
    Planned,
    /// Inside its window, with projects still to inspect.
    InProgress,
    /// Every project had an inspection of the task's kind inside the window.
    Done,
    /// The window closed with projects not inspected.
    Expired,
}

/// The status of `task` on `today`.
pub fn status_of(task: &Task, today: NaiveDate) -> TaskStatus {
    if task.done_at.is_some() {
        TaskStatus::Done
    } else if today > task.window_to {
        TaskStatus::Expired
    } else if today >= task.window_from {
        TaskStatus::InProgress
    } else {
        TaskStatus::Planned
    }
}

/// [`status_of`] as a query condition.
pub fn status_condition(status: TaskStatus, today: NaiveDate) -> Condition {
    use supervision_task::Column as C;
    let not_done = C::DoneAt.is_null();
    match status {
        TaskStatus::Done => Condition::all().add(C::DoneAt.is_not_null()),
        TaskStatus::Expired => Condition::all().add(not_done).add(C::WindowTo.lt(today)),
        TaskStatus::InProgress => {
            Condition::all().add(not_done).add(C::WindowFrom.lte(today)).add(C::WindowTo.gte(today))
        }
        TaskStatus::Planned => Condition::all().add(not_done).add(C::WindowFrom.gt(today)),
    }
}

/// Whether `task` is sealed on `today`: a SURPRISE task before its window opens.
pub fn sealed(task: &Task, today: NaiveDate) -> bool {
    task.kind == InspectionKind::Surprise && today < task.window_from
}

fn unsealed(today: NaiveDate) -> Condition {
    use supervision_task::Column as C;
    Condition::any().add(C::Kind.ne(InspectionKind::Surprise)).add(C::WindowFrom.lte(today))
}

/// `SELECT task_id FROM supervision_task_inspectors WHERE user_id = user`.
fn assigned_to(user: Uuid) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(supervision_task_inspector::Column::TaskId)
        .from(supervision_task_inspector::Entity)
        .and_where(supervision_task_inspector::Column::UserId.eq(user))
        .to_owned()
}

/// The tasks a caller of `reach` sees on `today`, as a query condition.
pub fn task_visibility(reach: Reach, today: NaiveDate) -> Condition {
    use supervision_task::Column as C;
    match reach {
        Reach::All => Condition::all(),
        Reach::Leader => unsealed(today),
        Reach::Inspector(user) => {
            let open = Condition::all()
                .add(C::DoneAt.is_null())
                .add(C::WindowTo.gte(today))
                .add(C::ClosedAt.is_null())
                .add(unsealed(today));
            Condition::any().add(C::Id.in_subquery(assigned_to(user))).add(open)
        }
        Reach::Units(units) => {
            let on_projects = Query::select()
                .column(supervision_task_project::Column::TaskId)
                .from(supervision_task_project::Entity)
                .and_where(supervision_task_project::Column::ProjectId.in_subquery(kit::projects_of_unit(units)))
                .to_owned();
            Condition::all().add(unsealed(today)).add(C::Id.in_subquery(on_projects))
        }
    }
}

fn visible_by_id(actor: &Actor, id: Uuid, today: NaiveDate) -> sea_orm::Select<supervision_task::Entity> {
    let q = supervision_task::Entity::find_by_id(id);
    match actor.caller() {
        Ok(caller) => q.filter(task_visibility(reach(caller), today)),
        Err(_) => q,
    }
}

/// One task as `actor` may see it on `today`: `NOT_FOUND` whether it is missing, hidden or sealed.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid, today: NaiveDate) -> AppResult<Task> {
    visible_by_id(actor, id, today).one(db).await?.ok_or(AppError::NotFound("supervision task"))
}

/// [`find_for`] inside a write transaction, locking the row until it ends.
pub async fn lock_for(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    id: Uuid,
    today: NaiveDate,
) -> AppResult<Task> {
    visible_by_id(actor, id, today).lock_exclusive().one(txn).await?.ok_or(AppError::NotFound("supervision task"))
}

/// Whether `user` is assigned to `task`.
pub async fn is_assigned(db: &impl ConnectionTrait, task: Uuid, user: Uuid) -> AppResult<bool> {
    let found = supervision_task_inspector::Entity::find()
        .filter(supervision_task_inspector::Column::TaskId.eq(task))
        .filter(supervision_task_inspector::Column::UserId.eq(user))
        .select_only()
        .expr(Expr::val(1))
        .into_tuple::<i32>()
        .one(db)
        .await?;
    Ok(found.is_some())
}

impl kit::ClientKeyed for Task {
    const KIND: &'static str = "supervision_task";
}

impl kit::ClientKeyed for entity::bulletin::Model {
    const KIND: &'static str = "bulletin";
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    /// The inspector's rule keeps its AND inside the OR (adding to `unsealed`, itself an `any`,
    /// once made it one long OR that showed every task to every inspector).
    #[test]
    fn an_inspectors_open_tasks_are_all_of_unsealed_not_done_and_not_over() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap_or_default();
        let q = supervision_task::Entity::find().filter(task_visibility(Reach::Inspector(Uuid::nil()), today));
        let sql = q.build(DbBackend::Sqlite).to_string();
        assert!(sql.contains(r#""done_at" IS NULL AND"#), "{sql}");
        assert!(!sql.contains(r#"IS NULL OR "supervision_tasks"."window_to""#), "{sql}");
    }
}
