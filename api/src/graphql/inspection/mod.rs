//! Checklist templates and site inspections, with offline sync.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::checklist_template::{self, Item, ItemType, Section};
use entity::inspection::{self, Answer, InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use entity::issue::IssueKind;
use uuid::Uuid;

use super::account::User;
use super::context::{ContextExt, load};
use super::issue::Issue;
use super::loaders::{InspectionPhotos, RaisedIssues};
use super::pagination::{TotalCount, connection, edges};
use super::project::Project;
use crate::error::AppError;
use crate::service::inspection::{
    self as inspections, AnswerInput, InspectionFilter as Filter, Location, NewInspection, NewTemplate, SyncOutcome,
};

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
        match self.0.published_by {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
    }

    /// When (UTC).
    async fn published_at(&self) -> DateTime<Utc> {
        self.0.published_at
    }
}

/// A device's position.
#[derive(SimpleObject)]
pub struct DeviceLocation {
    /// Latitude, WGS-84.
    pub lat: f64,
    /// Longitude, WGS-84.
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
        Ok(Project(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
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

    /// Where the device was.
    async fn location(&self) -> Option<DeviceLocation> {
        Some(DeviceLocation { lat: self.0.lat?, lng: self.0.lng?, accuracy_m: self.0.accuracy_m })
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
        match self.0.reviewed_by {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
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
    async fn photos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::photo::Photo>> {
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
        Ok(found.into_iter().map(super::photo::Photo).collect())
    }

    /// Issues its failed items raised (across its revisions), by item.
    async fn raised_issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<RaisedIssue>> {
        let raised = ctx.cached::<RaisedIssues>()?.load_one(self.0.root_id).await?.unwrap_or_default();
        Ok(raised.into_iter().map(|(item_key, issue_id)| RaisedIssue { item_key, issue_id }).collect())
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

/// A checklist item to publish.
#[derive(InputObject)]
pub struct ChecklistItemInput {
    /// Stable within the template across versions: 1 to 64 of a-z, 0-9, '.', '_', '-'.
    pub key: String,
    /// What the inspector is asked.
    pub label: String,
    /// What kind of answer it takes.
    #[graphql(name = "type")]
    pub item_type: ItemType,
    /// Whether it must be answered (default true).
    #[graphql(default = true)]
    pub required: bool,
    /// Weight in the score, 0 to 100 (default 1).
    #[graphql(default = 1)]
    pub weight: u32,
    /// Smallest valid NUMBER.
    pub min: Option<f64>,
    /// Largest valid NUMBER.
    pub max: Option<f64>,
    /// Unit of a NUMBER.
    pub unit: Option<String>,
    /// The options of a CHOICE.
    #[graphql(default)]
    pub options: Vec<String>,
    /// Photos an answer needs at least (default 0).
    #[graphql(default)]
    pub min_photos: u32,
    /// Photos an answer takes at most.
    pub max_photos: Option<u32>,
    /// A failed answer needs a photo.
    #[graphql(default)]
    pub photo_required_on_fail: bool,
    /// A failed answer needs a note.
    #[graphql(default)]
    pub note_required_on_fail: bool,
    /// Raise an issue of this kind when the item fails.
    pub raise_issue_on_fail: Option<IssueKind>,
}

/// A section to publish.
#[derive(InputObject)]
pub struct ChecklistSectionInput {
    /// Heading.
    pub title: String,
    /// The items, in order.
    pub items: Vec<ChecklistItemInput>,
}

/// A template to publish: a new version of its key.
#[derive(InputObject)]
pub struct PublishChecklistTemplateInput {
    /// Stable across versions, e.g. `progress`.
    pub key: String,
    /// Name, 2 to 200 characters.
    pub name: String,
    /// What it is for.
    #[graphql(default)]
    pub description: String,
    /// The score (0–100) at or above which an inspection passes (default 80).
    #[graphql(default = 80)]
    pub pass_score: i32,
    /// Sections, in order.
    pub sections: Vec<ChecklistSectionInput>,
}

/// A device's position.
#[derive(InputObject)]
pub struct DeviceLocationInput {
    /// Latitude, WGS-84.
    pub lat: f64,
    /// Longitude, WGS-84.
    pub lng: f64,
    /// Horizontal accuracy, metres.
    pub accuracy_m: Option<f64>,
}

/// One answer.
#[derive(InputObject)]
pub struct AnswerInputObject {
    /// The checklist item's key.
    pub item_key: String,
    /// PASS / FAIL / NA, YES / NO, a number, text, an option or a date (`YYYY-MM-DD`); none for PHOTO items.
    pub value: Option<String>,
    /// A note.
    pub note: Option<String>,
    /// Photos taken as evidence (they may be uploaded before or after).
    #[graphql(default)]
    pub photo_ids: Vec<Uuid>,
}

/// An inspection as captured on a phone.
#[derive(InputObject)]
pub struct InspectionInput {
    /// The revision's id, chosen by the phone; resending it is safe.
    pub id: Uuid,
    /// The revision this one corrects; it must be current.
    pub revision_of: Option<Uuid>,
    /// The kind of supervision.
    pub kind: InspectionKind,
    /// What it looked at.
    pub focus: InspectionFocus,
    /// The project.
    pub project_id: Uuid,
    /// The template version it was started on.
    pub template_id: Uuid,
    /// Device clock (with offset).
    pub started_at: DateTime<Utc>,
    /// Device clock (with offset).
    pub completed_at: DateTime<Utc>,
    /// Where the device was.
    pub location: Option<DeviceLocationInput>,
    /// The answers.
    pub answers: Vec<AnswerInputObject>,
}

impl From<InspectionInput> for NewInspection {
    fn from(i: InspectionInput) -> Self {
        Self {
            id: i.id,
            revision_of: i.revision_of,
            kind: i.kind,
            focus: i.focus,
            project_id: i.project_id,
            template_id: i.template_id,
            started_at: i.started_at,
            completed_at: i.completed_at,
            location: i.location.map(|l| Location { lat: l.lat, lng: l.lng, accuracy_m: l.accuracy_m }),
            answers: i
                .answers
                .into_iter()
                .map(|a| AnswerInput { item_key: a.item_key, value: a.value, note: a.note, photo_ids: a.photo_ids })
                .collect(),
        }
    }
}

/// Narrows `inspections`; every field set must match.
#[derive(InputObject, Default)]
pub struct InspectionFilter {
    /// Only this project's.
    pub project_id: Option<Uuid>,
    /// Only this inspector's.
    pub inspector_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<InspectionKind>,
    /// Only this focus.
    pub focus: Option<InspectionFocus>,
    /// Only this result.
    pub result: Option<InspectionResult>,
    /// Only this review status.
    pub review_status: Option<ReviewStatus>,
    /// Replaced revisions too (default: current revisions only).
    #[graphql(default)]
    pub all_revisions: bool,
}

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

fn sync_error(e: &AppError) -> SyncError {
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

#[derive(Default)]
pub struct InspectionQuery;

#[Object]
impl InspectionQuery {
    /// Checklist templates: the latest version of each key, or (with `allVersions`) every version;
    /// by key. Any signed-in user.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn checklist_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this key's versions.")] key: Option<String>,
        #[graphql(desc = "Every version, not just the latest.", default)] all_versions: bool,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ChecklistTemplateConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let page = ctx.page(first, after)?;
        let rows = inspections::templates(&state.db, key.as_deref(), all_versions, &page).await?;
        let db = state.db.clone();
        let total = TotalCount::new(move || {
            let (db, key) = (db.clone(), key.clone());
            async move { inspections::template_count(&db, key.as_deref(), all_versions).await }
        });
        Ok(ChecklistTemplateConnection::new(edges(rows, &page, inspections::template_cursor, ChecklistTemplate), total))
    }

    /// One template version. Any signed-in user.
    async fn checklist_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version's id.")] id: Uuid,
    ) -> async_graphql::Result<ChecklistTemplate> {
        ctx.caller()?;
        Ok(ChecklistTemplate(inspections::template(&ctx.state()?.db, id).await?))
    }

    /// One inspection revision. One the caller may not see is `NOT_FOUND`.
    async fn inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's id.")] id: Uuid,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        Ok(Inspection(inspections::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Inspections the caller can see, newest received first. DEPARTMENT users see those of the
    /// projects their unit is responsible for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<InspectionFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<InspectionConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let page = ctx.page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            project_id: f.project_id,
            inspector_id: f.inspector_id,
            kind: f.kind,
            focus: f.focus,
            result: f.result,
            review_status: f.review_status,
            all_revisions: f.all_revisions,
        };
        let rows = inspections::list(&state.db, &actor, &filter, &page).await?;
        let db = state.db.clone();
        let total = TotalCount::new(move || {
            let (db, actor, filter) = (db.clone(), actor.clone(), filter.clone());
            async move { inspections::count(&db, &actor, &filter).await }
        });
        Ok(InspectionConnection::new(edges(rows, &page, inspections::cursor, Inspection), total))
    }
}

#[derive(Default)]
pub struct InspectionMutation;

#[Object]
impl InspectionMutation {
    /// Publishes a checklist template as the next version of its key; publishing what the latest
    /// version already says returns it. Every broken rule is reported with its item. ADMIN.
    async fn publish_checklist_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template.")] input: PublishChecklistTemplateInput,
    ) -> async_graphql::Result<ChecklistTemplate> {
        let actor = ctx.actor()?;
        let t = NewTemplate {
            key: input.key,
            name: input.name,
            description: input.description,
            pass_score: input.pass_score,
            sections: input
                .sections
                .into_iter()
                .map(|s| Section {
                    title: s.title,
                    items: s
                        .items
                        .into_iter()
                        .map(|i| Item {
                            key: i.key,
                            label: i.label,
                            item_type: i.item_type,
                            required: i.required,
                            weight: i.weight,
                            min: i.min,
                            max: i.max,
                            unit: i.unit,
                            options: i.options,
                            min_photos: i.min_photos,
                            max_photos: i.max_photos,
                            photo_required_on_fail: i.photo_required_on_fail,
                            note_required_on_fail: i.note_required_on_fail,
                            raise_issue_on_fail: i.raise_issue_on_fail,
                        })
                        .collect(),
                })
                .collect(),
        };
        Ok(ChecklistTemplate(inspections::publish(&ctx.state()?.db, &actor, t).await?))
    }

    /// Submits an inspection (or a correction of one). Resending the same submission returns what is
    /// stored; other content under its id is `CONFLICT`. Answers are checked against the template
    /// version: every broken rule is in `extensions.violations`. ADMIN, INSPECTOR or LEADER.
    async fn submit_inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inspection.")] input: InspectionInput,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        let (stored, _) = inspections::submit(&ctx.state()?.db, &actor, input.into()).await?;
        Ok(Inspection(stored))
    }

    /// Submits up to 100 inspections captured offline, each on its own, and says per inspection
    /// whether it was stored, already stored, or refused (and why): one bad inspection never hides
    /// the others.
    async fn sync_inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inspections, up to 100.")] inputs: Vec<InspectionInput>,
    ) -> async_graphql::Result<Vec<SyncResult>> {
        let actor = ctx.actor()?;
        actor.caller()?;
        let results =
            inspections::sync(&ctx.state()?.db, &actor, inputs.into_iter().map(NewInspection::from).collect()).await?;
        Ok(results
            .into_iter()
            .map(|(id, r)| match r {
                Ok((inspection, outcome)) => {
                    SyncResult { id, outcome, inspection: Some(Inspection(inspection)), error: None }
                }
                Err(e) => {
                    SyncResult { id, outcome: SyncOutcome::Failed, inspection: None, error: Some(sync_error(&e)) }
                }
            })
            .collect())
    }

    /// Records the office's review of an inspection's current revision; a note is needed unless
    /// APPROVED. ADMIN.
    async fn review_inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision (the current one).")] id: Uuid,
        #[graphql(desc = "APPROVED, HAS_ISSUES or REJECTED.")] status: ReviewStatus,
        #[graphql(desc = "What is wrong, if anything.")] note: Option<String>,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        Ok(Inspection(inspections::review(&ctx.state()?.db, &actor, id, status, note).await?))
    }
}
