//! Checklist templates, inspections and sync results as clients read them.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::checklist_template::{self, Section};
use entity::geo::Datum;
use entity::inspection::{self, Answer, InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use uuid::Uuid;

use super::loaders::{InspectionPhotos, RaisedIssues};
use crate::error::AppError;
use crate::graphql::account::User;
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::issue::Issue;
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::service::inspection::{self as inspections, SyncOutcome};

/// A version of a checklist template (检查表). A version never changes once published.
pub struct ChecklistTemplate(pub checklist_template::Model);

/// A version of a checklist template (检查表). A version never changes once published.
#[Object]
impl ChecklistTemplate {
    /// Stable identifier of this version.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Stable across versions, e.g. `progress`.
    async fn key(&self) -> &str {
        &self.0.key
    }

    /// 1 for the first version.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What it is for.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The score (0–100) at or above which an inspection passes.
    async fn pass_score(&self) -> i32 {
        self.0.pass_score
    }

    /// The sections and their items, in order.
    async fn sections(&self) -> async_graphql::Result<Vec<Section>> {
        Ok(inspections::body_of(&self.0)?.sections)
    }

    /// Who published it; null for the demo county's.
    async fn published_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.published_by, "user").await?.map(User))
    }

    /// When (UTC).
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
}

/// A device's position, in the datum its field was asked for (WGS-84 by default).
#[derive(SimpleObject)]
pub struct DeviceLocation {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lng: f64,
    /// Horizontal accuracy the device stated, metres.
    pub accuracy_m: Option<f64>,
}

/// An issue a failed item raised.
pub struct RaisedIssue {
    item_key: String,
    issue_id: Uuid,
}

/// An issue a failed item raised.
#[Object]
impl RaisedIssue {
    /// The failed item.
    async fn item_key(&self) -> &str {
        &self.item_key
    }

    /// The issue.
    async fn issue(&self, ctx: &Context<'_>) -> async_graphql::Result<Issue> {
        Ok(Issue(load::<entity::issue::Entity>(ctx, self.issue_id, "issue").await?))
    }
}

/// One revision of a site inspection (督导检查).
pub struct Inspection(pub inspection::Model);

/// One revision of a site inspection (督导检查).
#[Object]
impl Inspection {
    /// The revision's id, chosen by the phone.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The first revision's id: the inspection across its corrections.
    async fn root_id(&self) -> Uuid {
        self.0.root_id
    }

    /// 1 for the first submission.
    async fn revision(&self) -> i32 {
        self.0.revision
    }

    /// The revision this one replaced.
    async fn revision_of(&self) -> Option<Uuid> {
        self.0.revision_of
    }

    /// Whether this is the inspection's current revision.
    async fn is_current(&self) -> bool {
        self.0.is_current
    }

    /// The kind of supervision.
    async fn kind(&self) -> InspectionKind {
        self.0.kind
    }

    /// What it looked at.
    async fn focus(&self) -> InspectionFocus {
        self.0.focus
    }

    /// The project inspected.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// Who inspected.
    async fn inspector(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.inspector_id, "user").await?))
    }

    /// The template version it was started on.
    async fn template(&self, ctx: &Context<'_>) -> async_graphql::Result<ChecklistTemplate> {
        Ok(ChecklistTemplate(load::<checklist_template::Entity>(ctx, self.0.template_id, "checklist template").await?))
    }

    /// When it started, by the device's clock (UTC).
    async fn started_at(&self) -> DateTime<Utc> {
        self.0.started_at
    }

    /// When it was completed, by the device's clock (UTC).
    async fn completed_at(&self) -> DateTime<Utc> {
        self.0.completed_at
    }

    /// When the server received it (UTC).
    async fn received_at(&self) -> DateTime<Utc> {
        self.0.received_at
    }

    /// Where the device was, in `datum` (kept in WGS-84 whatever datum the device sent).
    async fn location(
        &self,
        #[graphql(desc = "The datum to show it in: GCJ02 for an AMap or Tencent base map, BD09 for Baidu's.", default)]
        datum: Datum,
    ) -> Option<DeviceLocation> {
        let p = crate::service::geo::shown(self.0.lat?, self.0.lng?, datum);
        Some(DeviceLocation { lat: p.lat, lng: p.lng, accuracy_m: self.0.accuracy_m })
    }

    /// The datum the device sent its position in.
    async fn location_datum(&self) -> Option<Datum> {
        self.0.location_datum
    }

    /// The answers, in the template's order.
    async fn answers(&self) -> async_graphql::Result<Vec<Answer>> {
        Ok(inspections::answers_of(&self.0)?)
    }

    /// Weighted score, 0–100 (PASS_FAIL_NA and YES_NO items; NA left out); null when nothing is scored.
    async fn score(&self) -> Option<f64> {
        self.0.score
    }

    /// PASSED when the score reaches the template's pass mark.
    async fn result(&self) -> InspectionResult {
        self.0.result
    }

    /// The office's review.
    async fn review_status(&self) -> ReviewStatus {
        self.0.review_status
    }

    /// Who reviewed it.
    async fn reviewed_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.reviewed_by, "user").await?.map(User))
    }

    /// When (UTC).
    async fn reviewed_at(&self) -> Option<DateTime<Utc>> {
        self.0.reviewed_at
    }

    /// The reviewer's note.
    async fn review_note(&self) -> Option<&str> {
        self.0.review_note.as_deref()
    }

    /// Photos its answers reference that the server has not received yet.
    async fn missing_photo_ids(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Uuid>> {
        let referenced: Vec<Uuid> = inspections::answers_of(&self.0)?.into_iter().flat_map(|a| a.photo_ids).collect();
        if referenced.is_empty() {
            return Ok(Vec::new());
        }
        let found = ctx.loader::<entity::photo::Entity>()?.load_many(referenced.iter().copied()).await?;
        Ok(referenced.into_iter().filter(|id| !found.contains_key(id)).collect())
    }

    /// Photos received for it: those its answers reference and those uploaded naming it, oldest
    /// first.
    async fn photos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::graphql::photo::Photo>> {
        let referenced: Vec<Uuid> = inspections::answers_of(&self.0)?.into_iter().flat_map(|a| a.photo_ids).collect();
        let mut found: Vec<entity::photo::Model> =
            ctx.loader::<entity::photo::Entity>()?.load_many(referenced).await?.into_values().collect();
        let named = ctx.cached::<InspectionPhotos>()?.load_one(self.0.id).await?.unwrap_or_default();
        for p in named {
            if !found.iter().any(|f| f.id == p.id) {
                found.push(p);
            }
        }
        found.sort_by(|a, b| a.received_at.cmp(&b.received_at).then(a.id.cmp(&b.id)));
        Ok(found.into_iter().map(crate::graphql::photo::Photo).collect())
    }

    /// The supervision task it was done for, as the caller may see it.
    async fn task(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<crate::graphql::supervision::SupervisionTask>> {
        let task = crate::graphql::supervision::loaders::visible_task(ctx, self.0.task_id).await?;
        Ok(task.map(crate::graphql::supervision::SupervisionTask))
    }

    /// The issues and cases it dealt with, and whether it verified each issue's resolution.
    async fn targets(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<InspectionTarget>> {
        use crate::graphql::supervision::loaders::InspectionTargets;
        let rows = ctx.cached::<InspectionTargets>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(InspectionTarget).collect())
    }

    /// Issues its failed items raised (across its revisions), by item.
    async fn raised_issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RaisedIssue>> {
        let raised = ctx.cached::<RaisedIssues>()?.load_one(self.0.root_id).await?.unwrap_or_default();
        Ok(raised.into_iter().map(|(item_key, issue_id)| RaisedIssue { item_key, issue_id }).collect())
    }
}

/// An issue or case an inspection dealt with.
pub struct InspectionTarget(entity::inspection_target::Model);

/// An issue or case an inspection dealt with.
#[Object]
impl InspectionTarget {
    /// The issue, when the target is one.
    async fn issue(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Issue>> {
        let is_issue = self.0.target_type == entity::supervision_target::TargetType::Issue;
        let id = is_issue.then_some(self.0.target_id);
        Ok(load_opt::<entity::issue::Entity>(ctx, id, "issue").await?.map(Issue))
    }

    /// The 一事一议 case, when the target is one.
    async fn case(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::case::Case>> {
        let is_case = self.0.target_type == entity::supervision_target::TargetType::Case;
        let id = is_case.then_some(self.0.target_id);
        Ok(load_opt::<entity::case::Entity>(ctx, id, "case").await?.map(crate::graphql::case::Case))
    }

    /// Whether the inspection passed and was recorded as the verification (核实) of the issue's
    /// resolution.
    async fn verified(&self) -> bool {
        self.0.verified
    }
}

connection!(
    ChecklistTemplateConnection,
    ChecklistTemplateEdge,
    ChecklistTemplate,
    "A page of checklist templates, by key, newest version first.",
    "A template version and its cursor."
);
connection!(
    InspectionConnection,
    InspectionEdge,
    Inspection,
    "A page of inspections, newest received first.",
    "An inspection and its cursor."
);

/// A broken checklist rule.
#[derive(SimpleObject)]
pub struct RuleViolation {
    /// The item (or section).
    pub item_key: String,
    /// What is wrong.
    pub message: String,
}

/// Why one inspection of a sync was refused.
#[derive(SimpleObject)]
pub struct SyncError {
    /// The stable error code, as in `extensions.code`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// The input field, when one is to blame.
    pub field: Option<String>,
    /// Every broken checklist rule, for answers that break them.
    pub violations: Vec<RuleViolation>,
}

/// What became of one inspection of a sync.
#[derive(SimpleObject)]
pub struct SyncResult {
    /// The inspection's id, as sent.
    pub id: Uuid,
    /// Stored, already stored, or failed.
    pub outcome: SyncOutcome,
    /// The stored inspection, unless it failed.
    pub inspection: Option<Inspection>,
    /// Why it failed.
    pub error: Option<SyncError>,
}

pub(crate) fn sync_error(e: &AppError) -> SyncError {
    SyncError {
        code: e.code().to_owned(),
        message: e.to_string(),
        field: match e {
            AppError::BadUserInput { field, .. } => field.clone(),
            AppError::Violations(_) => Some("answers".into()),
            _ => None,
        },
        violations: match e {
            AppError::Violations(v) => {
                v.iter().map(|v| RuleViolation { item_key: v.item_key.clone(), message: v.message.clone() }).collect()
            }
            _ => Vec::new(),
        },
    }
}
