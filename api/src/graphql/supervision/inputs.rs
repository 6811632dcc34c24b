//! Tasks to plan and draw, bulletins to publish, and the list's filter.

use async_graphql::InputObject;
use entity::inspection::InspectionKind;
use entity::supervision_task::TaskOrigin;
use uuid::Uuid;

use crate::graphql::scalars::Date;
use crate::service::supervision::{NewDraw, NewTask, TaskFilter, TaskStatus};

/// A TRACKING or KEY_PROBLEM supervision task to plan (a SURPRISE task is drawn).
#[derive(InputObject)]
pub struct PlanSupervisionTaskInput {
    /// The task's id, chosen by the client so that a retried request is not planned twice.
    pub id: Option<Uuid>,
    /// TRACKING or KEY_PROBLEM.
    pub kind: InspectionKind,
    /// Title, 2 to 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub title: String,
    /// First day of the window.
    pub window_from: Date,
    /// Last day of the window (today or later; at most 366 days after the first).
    pub window_to: Date,
    /// The projects to inspect, in order (1 to 200).
    #[graphql(validator(max_items = 200))]
    pub project_ids: Vec<Uuid>,
    /// The inspectors assigned (1 to 50): active inspector, leader or office accounts.
    #[graphql(validator(max_items = 50))]
    pub inspector_ids: Vec<Uuid>,
    /// The open issues of its projects a KEY_PROBLEM task deals with (at most 50).
    #[graphql(default, validator(max_items = 50))]
    pub issue_ids: Vec<Uuid>,
    /// The open 一事一议 cases of its projects a KEY_PROBLEM task deals with (at most 50).
    #[graphql(default, validator(max_items = 50))]
    pub case_ids: Vec<Uuid>,
}

impl From<PlanSupervisionTaskInput> for NewTask {
    fn from(i: PlanSupervisionTaskInput) -> Self {
        Self {
            id: i.id,
            kind: i.kind,
            title: i.title,
            window_from: i.window_from.0,
            window_to: i.window_to.0,
            project_ids: i.project_ids,
            inspector_ids: i.inspector_ids,
            issue_ids: i.issue_ids,
            case_ids: i.case_ids,
        }
    }
}

/// A surprise push (突击督导) to draw from the projects showing YELLOW or RED.
#[derive(InputObject)]
pub struct DrawSurpriseTaskInput {
    /// The task's id, chosen by the client so that a retried request does not draw twice.
    pub id: Option<Uuid>,
    /// Title, 2 to 200 characters (default 突击督导).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub title: Option<String>,
    /// How many projects to draw, 1 to 50 (fewer when fewer are lagging).
    pub size: i32,
    /// First day of the window; until it, only the office and the assigned inspectors know of the task.
    pub window_from: Date,
    /// Last day of the window.
    pub window_to: Date,
    /// The inspectors assigned (1 to 50).
    #[graphql(validator(max_items = 50))]
    pub inspector_ids: Vec<Uuid>,
    /// The draw's seed; a random one when omitted. Kept with the task so that the draw can be re-run.
    pub seed: Option<i64>,
}

impl From<DrawSurpriseTaskInput> for NewDraw {
    fn from(i: DrawSurpriseTaskInput) -> Self {
        Self {
            id: i.id,
            title: i.title,
            size: i.size,
            window_from: i.window_from.0,
            window_to: i.window_to.0,
            inspector_ids: i.inspector_ids,
            seed: i.seed,
        }
    }
}

/// Narrows `supervisionTasks`; every field set must match.
#[derive(InputObject, Default)]
pub struct SupervisionTaskFilter {
    /// Only this kind.
    pub kind: Option<InspectionKind>,
    /// Only tasks standing here today.
    pub status: Option<TaskStatus>,
    /// Only tasks that came about this way.
    pub origin: Option<TaskOrigin>,
    /// Only tasks holding this project.
    pub project_id: Option<Uuid>,
    /// Only tasks this inspector is assigned to.
    pub inspector_id: Option<Uuid>,
}

impl From<SupervisionTaskFilter> for TaskFilter {
    fn from(f: SupervisionTaskFilter) -> Self {
        Self {
            kind: f.kind,
            status: f.status,
            origin: f.origin,
            project_id: f.project_id,
            inspector_id: f.inspector_id,
        }
    }
}

/// A bulletin (督导通报) to compile and publish.
#[derive(InputObject)]
pub struct PublishBulletinInput {
    /// The bulletin's id, chosen by the client so that a retried request does not publish twice.
    pub id: Option<Uuid>,
    /// The month it reports on, `YYYY-MM` (one that has begun).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(7)"))]
    pub period: String,
    /// Title, 2 to 200 characters, e.g. 2026年第10期督导通报.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub title: String,
    /// The office's own words, at most 20000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(20000)"))]
    pub body: Option<String>,
}
