//! Supervision tasks as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::inspection::InspectionKind;
use entity::supervision_target::TargetType;
use entity::supervision_task::{self, TaskOrigin};
use entity::user::Role;
use uuid::Uuid;

use super::loaders::{TaskInspectors, TaskProgressOf, TaskTargets, VisibleIssues};
use crate::graphql::account::User;
use crate::graphql::case::Case;
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::issue::Issue;
use crate::graphql::meeting::loaders::VisibleCases;
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::Date;
use crate::service::kit::department_scope;
use crate::service::supervision::{self as supervision, Candidate, TaskStatus};

/// A supervision task (督导任务): projects to inspect in a window, by named inspectors.
pub struct SupervisionTask(pub supervision_task::Model);

/// A supervision task (督导任务): projects to inspect in a window, by named inspectors.
#[Object]
impl SupervisionTask {
    /// Stable identifier (chosen by the client that planned it).
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The kind of supervision: TRACKING (跟踪督导), KEY_PROBLEM (重点督导) or SURPRISE (突击督导).
    async fn kind(&self) -> InspectionKind {
        self.0.kind
    }

    /// Planned by the office, drawn at random, or proposed for a project RED two months running.
    async fn origin(&self) -> TaskOrigin {
        self.0.origin
    }

    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// First day of the window.
    async fn window_from(&self) -> Date {
        Date(self.0.window_from)
    }

    /// Last day of the window.
    async fn window_to(&self) -> Date {
        Date(self.0.window_to)
    }

    /// Where it stands today.
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<TaskStatus> {
        Ok(supervision::status_of(&self.0, ctx.state()?.config.clock.today()))
    }

    /// Whether it is sealed: a SURPRISE task before its window opens, known only to the office and its
    /// inspectors.
    async fn sealed(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(supervision::sealed(&self.0, ctx.state()?.config.clock.today()))
    }

    /// When every project had an inspection of the task's kind inside the window (UTC).
    async fn done_at(&self) -> Option<DateTime<Utc>> {
        self.0.done_at
    }

    /// What the office concluded when it closed the task.
    async fn summary(&self) -> Option<&str> {
        self.0.summary.as_deref()
    }

    /// When it was closed (UTC).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }

    /// Who planned or drew it; none for a proposal.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.created_by, "user").await?.map(User))
    }

    /// When it was planned (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The projects, in order (at most 200), each with the inspection that covered it.
    async fn projects(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<TaskProject>> {
        let zone = ctx.state()?.config.clock.zone();
        let rows = ctx.cached::<TaskProgressOf>()?.load_one((self.0.id, zone)).await?.unwrap_or_default();
        Ok(rows.into_iter().map(TaskProject).collect())
    }

    /// The inspectors assigned, by name.
    async fn inspectors(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let ids = ctx.cached::<TaskInspectors>()?.load_one(self.0.id).await?.unwrap_or_default();
        let mut users: Vec<User> =
            ctx.loader::<entity::user::Entity>()?.load_many(ids).await?.into_values().map(User).collect();
        users.sort_by(|a, b| a.0.display_name.cmp(&b.0.display_name));
        Ok(users)
    }

    /// The open issues a KEY_PROBLEM task deals with, as the caller may see them.
    async fn issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Issue>> {
        let scope = department_scope(ctx.caller()?);
        let ids = targets(ctx, self.0.id, TargetType::Issue).await?;
        let found = ctx.cached::<VisibleIssues>()?.load_many(ids.iter().map(|i| (*i, scope))).await?;
        Ok(ids.iter().filter_map(|i| found.get(&(*i, scope)).cloned().flatten()).map(Issue).collect())
    }

    /// The 一事一议 cases a KEY_PROBLEM task deals with, as the caller may see them.
    async fn cases(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Case>> {
        let scope = department_scope(ctx.caller()?);
        let ids = targets(ctx, self.0.id, TargetType::Case).await?;
        let found = ctx.cached::<VisibleCases>()?.load_many(ids.iter().map(|i| (*i, scope))).await?;
        Ok(ids.iter().filter_map(|i| found.get(&(*i, scope)).cloned().flatten()).map(Case).collect())
    }

    /// How a SURPRISE task was drawn, for those with the right to audit it (the office and leaders).
    async fn draw(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<SurpriseDraw>> {
        if !matches!(ctx.caller()?.role(), Role::Admin | Role::Leader) {
            return Ok(None);
        }
        let (Some(seed), Some(candidates)) = (self.0.draw_seed, self.0.draw_candidates.as_deref()) else {
            return Ok(None);
        };
        let candidates: Vec<Candidate> = serde_json::from_str(candidates).map_err(crate::error::AppError::internal)?;
        let zone = ctx.state()?.config.clock.zone();
        let drawn = ctx.cached::<TaskProgressOf>()?.load_one((self.0.id, zone)).await?.unwrap_or_default();
        Ok(Some(SurpriseDraw { seed, candidates, drawn: drawn.into_iter().map(|p| p.project_id).collect() }))
    }
}

async fn targets(ctx: &Context<'_>, task: Uuid, kind: TargetType) -> async_graphql::Result<Vec<Uuid>> {
    let all = ctx.cached::<TaskTargets>()?.load_one(task).await?.unwrap_or_default();
    Ok(all.into_iter().filter(|(t, _)| *t == kind).map(|(_, id)| id).collect())
}

/// A project of a task and the inspection that covered it.
pub struct TaskProject(supervision::TaskProgress);

/// A project of a task and the inspection that covered it.
#[Object]
impl TaskProject {
    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The first current inspection of the task's kind inside its window; none while the project is
    /// not visited.
    async fn inspection_id(&self) -> Option<Uuid> {
        self.0.inspection_id
    }

    /// Whether the project was visited.
    async fn inspected(&self) -> bool {
        self.0.inspection_id.is_some()
    }
}

/// How a surprise task was drawn: anyone with the right to audit re-runs it from these and gets the
/// same projects.
pub struct SurpriseDraw {
    seed: i64,
    candidates: Vec<Candidate>,
    drawn: Vec<Uuid>,
}

/// How a surprise task was drawn: anyone with the right to audit re-runs it from these and gets the
/// same projects.
#[Object]
impl SurpriseDraw {
    /// The seed of the SplitMix64 generator the draw used.
    async fn seed(&self) -> i64 {
        self.seed
    }

    /// The projects showing YELLOW or RED on the day of the draw, in id order, with their weights.
    async fn candidates(&self) -> Vec<DrawCandidate> {
        self.candidates.iter().map(|c| DrawCandidate(*c)).collect()
    }

    /// The projects drawn, in the order drawn.
    async fn drawn_project_ids(&self) -> &[Uuid] {
        &self.drawn
    }

    /// The draw re-run now from the stored seed and candidates.
    async fn rerun_project_ids(&self) -> Vec<Uuid> {
        supervision::draw_from(&self.candidates, self.drawn.len(), self.seed)
    }

    /// Whether the re-run gives the projects drawn, in the same order.
    async fn reproduces(&self) -> bool {
        supervision::draw_from(&self.candidates, self.drawn.len(), self.seed) == self.drawn
    }
}

/// A project a draw chose from.
pub struct DrawCandidate(Candidate);

/// A project a draw chose from.
#[Object]
impl DrawCandidate {
    /// The project's id.
    async fn project_id(&self) -> Uuid {
        self.0.project_id
    }

    /// Its weight: 1, plus the weeks its worst milestone slipped, plus the percentage points its
    /// investment is behind the year's pace; at most 100.
    async fn weight(&self) -> i32 {
        i32::try_from(self.0.weight).unwrap_or(i32::MAX)
    }
}

connection!(
    SupervisionTaskConnection,
    SupervisionTaskEdge,
    SupervisionTask,
    "A page of supervision tasks, newest first.",
    "A supervision task and its cursor."
);
