//! Checklist templates and site inspections (督导检查). Who may see an inspection is decided by
//! [`visibility`]; who may submit, correct and review, here too. Every create is idempotent by the
//! phone's id: the same content returns what is stored, other content is `CONFLICT`.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::checklist_template::{self, Body, Item, ItemType, Section};
use entity::inspection::{self, Answer, InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use entity::issue::{IssueKind, IssueSource, Severity};
use entity::user::Role;
use entity::{inspection_issue, project};
use sea_orm::sea_query::{Alias, Expr, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::page::{Page, PageRequest};
use crate::auth::Caller;
use crate::error::{AppError, AppResult, Violation};

/// Items a template may have.
pub const MAX_ITEMS: usize = 200;
/// Inspections one sync may carry.
pub const MAX_SYNC: usize = 100;
/// Photos one answer may reference.
pub const MAX_PHOTOS_PER_ANSWER: usize = 20;
/// How far ahead of the server a device clock may run.
const CLOCK_SKEW: chrono::Duration = chrono::Duration::minutes(10);

fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len())
        && key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
}

/// A template version's body, read back from storage.
pub fn body_of(template: &checklist_template::Model) -> AppResult<Body> {
    serde_json::from_value(template.body.clone()).map_err(|e| AppError::internal(format!("template body: {e}")))
}

/// What [`publish`] needs.
#[derive(Debug, Clone)]
pub struct NewTemplate {
    pub key: String,
    pub name: String,
    pub description: String,
    pub pass_score: i32,
    pub sections: Vec<Section>,
}

/// Every rule a template breaks, each with the item (or section) it concerns.
fn template_violations(t: &NewTemplate) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut bad =
        |key: &str, message: &str| out.push(Violation { item_key: key.to_owned(), message: message.to_owned() });
    if t.sections.is_empty() {
        bad("sections", "a template has at least one section");
    }
    let mut seen = HashSet::new();
    let mut count = 0;
    for (i, section) in t.sections.iter().enumerate() {
        if super::text::required("title", &section.title, 1, 200).is_err() {
            bad(&format!("sections[{i}]"), "a section title has 1 to 200 characters");
        }
        if section.items.is_empty() {
            bad(&format!("sections[{i}]"), "a section has at least one item");
        }
        for item in &section.items {
            count += 1;
            let k = item.key.as_str();
            if !valid_key(k) {
                bad(k, "a key has 1 to 64 characters: a-z, 0-9, '.', '_', '-'");
            }
            if !seen.insert(k) {
                bad(k, "the key is used twice");
            }
            if super::text::required("label", &item.label, 1, 500).is_err() {
                bad(k, "a label has 1 to 500 characters");
            }
            if item.weight > 100 {
                bad(k, "a weight is 0 to 100");
            }
            if let (Some(min), Some(max)) = (item.min, item.max)
                && min > max
            {
                bad(k, "min is above max");
            }
            if item.min.is_some_and(|v| !v.is_finite()) || item.max.is_some_and(|v| !v.is_finite()) {
                bad(k, "min and max are finite numbers");
            }
            if (item.min.is_some() || item.max.is_some() || item.unit.is_some()) && item.item_type != ItemType::Number {
                bad(k, "min, max and unit are for NUMBER items");
            }
            let options: HashSet<&str> = item.options.iter().map(|o| o.trim()).collect();
            match item.item_type {
                ItemType::Choice
                    if item.options.len() < 2 || options.len() != item.options.len() || options.contains("") =>
                {
                    bad(k, "a CHOICE item has two or more distinct, non-empty options")
                }
                ItemType::Choice => {}
                _ if !item.options.is_empty() => bad(k, "options are for CHOICE items"),
                _ => {}
            }
            if item.max_photos.is_some_and(|m| m < item.min_photos) {
                bad(k, "maxPhotos is below minPhotos");
            }
            if item.min_photos as usize > MAX_PHOTOS_PER_ANSWER
                || item.max_photos.is_some_and(|m| m as usize > MAX_PHOTOS_PER_ANSWER)
            {
                bad(k, "at most 20 photos an item");
            }
            let can_fail = matches!(item.item_type, ItemType::PassFailNa | ItemType::YesNo);
            if !can_fail
                && (item.photo_required_on_fail || item.note_required_on_fail || item.raise_issue_on_fail.is_some())
            {
                bad(k, "rules on failure are for PASS_FAIL_NA and YES_NO items");
            }
            if item.item_type == ItemType::Photo && item.max_photos == Some(0) {
                bad(k, "a PHOTO item takes photos");
            }
        }
    }
    if count > MAX_ITEMS {
        bad("sections", "a template has at most 200 items");
    }
    out
}

/// Publishes a template: a new version of `key` (version 1 for a new key). Publishing what the latest
/// version already says returns it unchanged. ADMIN only.
pub async fn publish(db: &DatabaseConnection, actor: &Actor, t: NewTemplate) -> AppResult<checklist_template::Model> {
    actor.require_role(&[Role::Admin], "publish checklist templates")?;
    let name = super::text::required("name", &t.name, 2, 200)?;
    if !valid_key(&t.key) {
        return Err(AppError::bad_input("key", "a key has 1 to 64 characters: a-z, 0-9, '.', '_', '-'"));
    }
    if !(0..=100).contains(&t.pass_score) {
        return Err(AppError::bad_input("passScore", "a pass score is 0 to 100"));
    }
    if t.description.chars().count() > 5000 {
        return Err(AppError::bad_input("description", "at most 5000 characters"));
    }
    let violations = template_violations(&t);
    if !violations.is_empty() {
        return Err(AppError::Violations(violations));
    }
    let body = serde_json::to_value(Body { sections: t.sections }).map_err(AppError::internal)?;
    let txn = crate::db::begin_write(db).await?;
    let latest = checklist_template::Entity::find()
        .filter(checklist_template::Column::Key.eq(&t.key))
        .order_by_desc(checklist_template::Column::Version)
        .one(&txn)
        .await?;
    if let Some(l) = &latest
        && l.body == body
        && l.name == name
        && l.description == t.description.trim()
        && l.pass_score == t.pass_score
    {
        return Ok(l.clone());
    }
    let model = checklist_template::Model {
        id: Uuid::now_v7(),
        key: t.key,
        version: latest.map_or(1, |l| l.version + 1),
        name,
        description: t.description.trim().to_owned(),
        pass_score: t.pass_score,
        body,
        published_by: actor.user_id(),
        published_at: Utc::now(),
    };
    // Two publishers racing for the same version number: the unique index lets one win.
    checklist_template::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "template.publish",
            entity_type: "checklist_template",
            entity_id: model.id.to_string(),
            changes: json!({ "key": { "after": model.key }, "version": { "after": model.version } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn template_query(key: Option<&str>, all_versions: bool) -> Select<checklist_template::Entity> {
    use checklist_template::Column as C;
    let mut q = checklist_template::Entity::find();
    if let Some(key) = key {
        q = q.filter(C::Key.eq(key));
    }
    if !all_versions {
        let latest = Query::select()
            .expr(Expr::col((Alias::new("t2"), C::Version)).max())
            .from_as(checklist_template::Entity, Alias::new("t2"))
            .and_where(Expr::col((Alias::new("t2"), C::Key)).equals((checklist_template::Entity, C::Key)))
            .to_owned();
        q = q.filter(Expr::col((checklist_template::Entity, C::Version)).in_subquery(latest));
    }
    q
}

/// Templates: the latest version of each key, or every version; by key, newest version first.
pub async fn templates(
    db: &DatabaseConnection,
    key: Option<&str>,
    all_versions: bool,
    page: &PageRequest,
) -> AppResult<Page<checklist_template::Model>> {
    use checklist_template::Column as C;
    let mut q = template_query(key, all_versions);
    if let Some(after) = &page.after {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let (k, v) = after.rsplit_once('|').ok_or_else(bad)?;
        let v: i32 = v.parse().map_err(|_| bad())?;
        q = q.filter(Condition::any().add(C::Key.gt(k)).add(Condition::all().add(C::Key.eq(k)).add(C::Version.lt(v))));
    }
    let rows = q.order_by_asc(C::Key).order_by_desc(C::Version).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn template_count(db: &DatabaseConnection, key: Option<&str>, all_versions: bool) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(template_query(key, all_versions).count(db).await?)
}

pub fn template_cursor(t: &checklist_template::Model) -> String {
    format!("{}|{}", t.key, t.version)
}

pub async fn template(db: &impl ConnectionTrait, id: Uuid) -> AppResult<checklist_template::Model> {
    checklist_template::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("checklist template"))
}

/// An answer as sent by a phone.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AnswerInput {
    pub item_key: String,
    pub value: Option<String>,
    pub note: Option<String>,
    pub photo_ids: Vec<Uuid>,
}

/// A device location.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: Option<f64>,
}

/// What [`submit`] needs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct NewInspection {
    pub id: Uuid,
    pub revision_of: Option<Uuid>,
    pub kind: InspectionKind,
    pub focus: InspectionFocus,
    pub project_id: Uuid,
    pub template_id: Uuid,
    pub started_at: DateTime<Utc>,
    pub completed_at: DateTime<Utc>,
    pub location: Option<Location>,
    pub answers: Vec<AnswerInput>,
}

/// A failed item, as the checklist's rules saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub item_key: String,
    pub label: String,
    pub note: Option<String>,
    pub raise: Option<IssueKind>,
}

/// The checked answers of a submission, with its score and failures.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub answers: Vec<Answer>,
    pub score: Option<f64>,
    pub result: InspectionResult,
    pub failures: Vec<Failure>,
}

/// Whether `value` fails `item` (PASS_FAIL_NA: FAIL; YES_NO: NO).
fn fails(item: &Item, value: Option<&str>) -> bool {
    matches!((item.item_type, value), (ItemType::PassFailNa, Some("FAIL")) | (ItemType::YesNo, Some("NO")))
}

/// Checks `answers` against a template version: every violation is reported with its item's key.
pub fn evaluate(body: &Body, pass_score: i32, answers: &[AnswerInput]) -> Result<Evaluation, Vec<Violation>> {
    let mut violations = Vec::new();
    let mut bad = |key: &str, message: String| violations.push(Violation { item_key: key.to_owned(), message });
    let items: HashMap<&str, &Item> = body.items().map(|i| (i.key.as_str(), i)).collect();
    let mut given: HashMap<&str, &AnswerInput> = HashMap::new();
    for a in answers {
        if !items.contains_key(a.item_key.as_str()) {
            bad(&a.item_key, "no such item in this template version".into());
        } else if given.insert(a.item_key.as_str(), a).is_some() {
            bad(&a.item_key, "answered twice".into());
        }
    }
    let (mut scored, mut passed) = (0u64, 0u64);
    let mut failures = Vec::new();
    let mut stored = Vec::new();
    for item in body.items() {
        let k = item.key.as_str();
        let answer = given.get(k);
        let value = answer.and_then(|a| a.value.as_deref()).map(str::trim).filter(|v| !v.is_empty());
        let note = answer.and_then(|a| a.note.as_deref()).map(str::trim).filter(|v| !v.is_empty());
        let photos = answer.map_or(0, |a| a.photo_ids.len());
        if item.item_type == ItemType::Photo {
            if value.is_some() {
                bad(k, "a PHOTO item takes photos, not a value".into());
            }
            let need = if item.required { item.min_photos.max(1) } else { item.min_photos };
            if (answer.is_some() || item.required) && (photos as u32) < need {
                bad(k, format!("needs at least {need} photo(s), got {photos}"));
            }
        } else {
            match value {
                None if item.required => bad(k, "required".into()),
                None => {}
                Some(v) => {
                    if let Some(problem) = value_problem(item, v) {
                        bad(k, problem);
                    }
                    if answer.is_some() && (photos as u32) < item.min_photos {
                        bad(k, format!("needs at least {} photo(s), got {photos}", item.min_photos));
                    }
                }
            }
        }
        if let Some(max) = item.max_photos
            && photos as u32 > max
        {
            bad(k, format!("takes at most {max} photo(s), got {photos}"));
        }
        if photos > MAX_PHOTOS_PER_ANSWER {
            bad(k, format!("at most {MAX_PHOTOS_PER_ANSWER} photos an answer"));
        }
        if note.is_some_and(|n| n.chars().count() > 2000) {
            bad(k, "a note has at most 2000 characters".into());
        }
        if let Some(a) = answer
            && a.photo_ids.iter().collect::<HashSet<_>>().len() != a.photo_ids.len()
        {
            bad(k, "the same photo is listed twice".into());
        }
        let failed = fails(item, value);
        if failed {
            if item.photo_required_on_fail && photos == 0 {
                bad(k, "a failed item needs a photo".into());
            }
            if item.note_required_on_fail && note.is_none() {
                bad(k, "a failed item needs a note".into());
            }
            failures.push(Failure {
                item_key: item.key.clone(),
                label: item.label.clone(),
                note: note.map(str::to_owned),
                raise: item.raise_issue_on_fail,
            });
        }
        if matches!(item.item_type, ItemType::PassFailNa | ItemType::YesNo) && value.is_some_and(|v| v != "NA") {
            scored += u64::from(item.weight);
            if !failed {
                passed += u64::from(item.weight);
            }
        }
        if let Some(a) = answer {
            stored.push(Answer {
                item_key: a.item_key.clone(),
                value: value.map(str::to_owned),
                note: note.map(str::to_owned),
                photo_ids: a.photo_ids.clone(),
            });
        }
    }
    if !violations.is_empty() {
        return Err(violations);
    }
    let score = (scored > 0).then(|| (passed as f64 * 1000.0 / scored as f64).round() / 10.0);
    let result = if score.is_none_or(|s| s >= f64::from(pass_score)) {
        InspectionResult::Passed
    } else {
        InspectionResult::Failed
    };
    Ok(Evaluation { answers: stored, score, result, failures })
}

/// Why `v` is not a valid answer to `item`, if it is not.
fn value_problem(item: &Item, v: &str) -> Option<String> {
    match item.item_type {
        ItemType::PassFailNa if !matches!(v, "PASS" | "FAIL" | "NA") => Some("answer PASS, FAIL or NA".into()),
        ItemType::YesNo if !matches!(v, "YES" | "NO") => Some("answer YES or NO".into()),
        ItemType::Number => match v.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                let unit = item.unit.as_deref().unwrap_or("");
                match (item.min, item.max) {
                    (Some(min), _) if n < min => Some(format!("at least {min}{unit}")),
                    (_, Some(max)) if n > max => Some(format!("at most {max}{unit}")),
                    _ => None,
                }
            }
            _ => Some("a number".into()),
        },
        ItemType::Text if v.chars().count() > 2000 => Some("at most 2000 characters".into()),
        ItemType::Choice if !item.options.iter().any(|o| o.trim() == v) => {
            Some(format!("one of: {}", item.options.join(", ")))
        }
        ItemType::Date if v.parse::<NaiveDate>().is_err() => Some("a date, YYYY-MM-DD".into()),
        _ => None,
    }
}

/// Whether [`submit`] stored the inspection or found it already stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum SyncOutcome {
    /// Stored now.
    Stored,
    /// The same submission was stored before; nothing changed.
    AlreadyStored,
    /// Refused; see the error.
    Failed,
}

/// The visibility rule as a query condition: DEPARTMENT users see the inspections of projects their
/// unit is responsible for; every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(super::issue::scope(caller))
}

/// [`visibility`] for a scope (see [`super::issue::scope`]), for loaders keyed by it.
pub fn scoped_visibility(scope: Option<Uuid>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    let owned = Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ResponsibleUnitId.eq(unit))
        .to_owned();
    Condition::all().add(inspection::Column::ProjectId.in_subquery(owned))
}

/// [`visibility`] for one inspection whose project is at hand (for loaded rows).
pub fn may_see(caller: &Caller, project: &project::Model) -> bool {
    caller.role() != Role::Department || project.responsible_unit_id == caller.unit_id()
}

/// One inspection revision as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<inspection::Model> {
    super::find_visible::<inspection::Entity>(db, actor, id, visibility, "inspection").await
}

fn check_shape(input: &NewInspection) -> AppResult<()> {
    let now = Utc::now();
    if input.completed_at < input.started_at {
        return Err(AppError::bad_input("completedAt", "an inspection completes after it starts"));
    }
    if input.completed_at > now + CLOCK_SKEW {
        return Err(AppError::bad_input("completedAt", "the device clock is ahead of the server's; set it right"));
    }
    if let Some(l) = input.location {
        if !(-90.0..=90.0).contains(&l.lat) || !(-180.0..=180.0).contains(&l.lng) {
            return Err(AppError::bad_input("location", "latitude -90..90, longitude -180..180"));
        }
        if l.accuracy_m.is_some_and(|a| !a.is_finite() || a < 0.0) {
            return Err(AppError::bad_input("location.accuracyM", "accuracy is metres, 0 or more"));
        }
    }
    if input.answers.len() > MAX_ITEMS {
        return Err(AppError::bad_input("answers", "at most 200 answers"));
    }
    Ok(())
}

/// Submits an inspection revision. ADMIN, INSPECTOR or LEADER, as the inspector. The same id with
/// the same content returns the stored revision; other content is `CONFLICT`. A correction names the
/// revision it replaces, which must be current (else `CONFLICT`); failed items whose rule says so
/// raise an issue, once per inspection and item however often it is replayed or corrected.
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewInspection,
) -> AppResult<(inspection::Model, SyncOutcome)> {
    let caller = may_submit(actor)?.clone();
    let payload = payload_of(&input, &caller)?;
    if let Some(existing) = inspection::Entity::find_by_id(input.id).one(db).await? {
        return replay(existing, &payload);
    }
    check_shape(&input)?;
    let template = template(db, input.template_id)
        .await
        .map_err(|_| AppError::bad_input("templateId", "no template version has this id"))?;
    let evaluation =
        evaluate(&body_of(&template)?, template.pass_score, &input.answers).map_err(AppError::Violations)?;
    let txn = crate::db::begin_write(db).await?;
    super::project::find(&txn, input.project_id)
        .await
        .map_err(|_| AppError::bad_input("projectId", "no project has this id"))?;
    let (root_id, revision) = match input.revision_of {
        None => (input.id, 1),
        Some(previous) => {
            let prev = find_for(&txn, actor, previous)
                .await
                .map_err(|_| AppError::bad_input("revisionOf", "no inspection has this id"))?;
            if caller.role() != Role::Admin && prev.inspector_id != caller.id() {
                return Err(AppError::Forbidden("only its inspector or the office corrects an inspection".into()));
            }
            if prev.project_id != input.project_id {
                return Err(AppError::bad_input("projectId", "a correction is of the same project"));
            }
            let prev_template = self::template(&txn, prev.template_id).await?;
            if prev_template.key != template.key {
                return Err(AppError::bad_input("templateId", "a correction uses a version of the same template"));
            }
            // Only the current revision may be replaced; the conditional update settles races.
            let won = inspection::Entity::update_many()
                .col_expr(inspection::Column::IsCurrent, Expr::value(false))
                .filter(inspection::Column::Id.eq(previous))
                .filter(inspection::Column::IsCurrent.eq(true))
                .exec(&txn)
                .await?;
            if won.rows_affected != 1 {
                let current = inspection::Entity::find()
                    .filter(inspection::Column::RootId.eq(prev.root_id))
                    .filter(inspection::Column::IsCurrent.eq(true))
                    .one(&txn)
                    .await?;
                return Err(AppError::Conflict(format!(
                    "revision {previous} is no longer current{}; correct the current one",
                    current.map(|c| format!(" (revision {} is: {})", c.revision, c.id)).unwrap_or_default()
                )));
            }
            (prev.root_id, prev.revision + 1)
        }
    };
    let model = inspection::Model {
        id: input.id,
        root_id,
        revision_of: input.revision_of,
        revision,
        is_current: true,
        kind: input.kind,
        focus: input.focus,
        project_id: input.project_id,
        inspector_id: caller.id(),
        template_id: template.id,
        started_at: input.started_at,
        completed_at: input.completed_at,
        received_at: Utc::now(),
        lat: input.location.map(|l| l.lat),
        lng: input.location.map(|l| l.lng),
        accuracy_m: input.location.and_then(|l| l.accuracy_m),
        answers: serde_json::to_value(&evaluation.answers).map_err(AppError::internal)?,
        score: evaluation.score,
        result: evaluation.result,
        review_status: ReviewStatus::Pending,
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        create_payload: payload.clone(),
    };
    if let Err(e) = inspection::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await {
        drop(txn);
        // The same id raced in from a retry: answer as a replay would.
        if let Some(existing) = inspection::Entity::find_by_id(input.id).one(db).await? {
            return replay(existing, &payload);
        }
        return Err(e.into());
    }
    raise_failures(&txn, actor, &model, &evaluation.failures).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "inspection.submit",
            entity_type: "inspection",
            entity_id: model.id.to_string(),
            changes: json!({
                "root_id": { "after": root_id }, "revision": { "after": revision },
                "score": { "after": model.score }, "result": { "after": model.result },
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok((model, SyncOutcome::Stored))
}

fn may_submit(actor: &Actor) -> AppResult<&Caller> {
    let caller = actor.caller()?;
    if !matches!(caller.role(), Role::Admin | Role::Inspector | Role::Leader) {
        return Err(AppError::Forbidden("only inspectors, leaders and the office submit inspections".into()));
    }
    Ok(caller)
}

/// The submission as stored for telling a replay from a different submission under the same id.
fn payload_of(input: &NewInspection, caller: &Caller) -> AppResult<serde_json::Value> {
    let mut payload = serde_json::to_value(input).map_err(AppError::internal)?;
    payload["inspector_id"] = json!(caller.id());
    Ok(payload)
}

fn replay(existing: inspection::Model, payload: &serde_json::Value) -> AppResult<(inspection::Model, SyncOutcome)> {
    if &existing.create_payload == payload {
        Ok((existing, SyncOutcome::AlreadyStored))
    } else {
        Err(AppError::Conflict("an inspection with this id is already stored with different content".into()))
    }
}

/// Raises the issues that failed items call for, skipping items that raised one before.
async fn raise_failures(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    inspection: &inspection::Model,
    failures: &[Failure],
) -> AppResult<()> {
    let raising: Vec<&Failure> = failures.iter().filter(|f| f.raise.is_some()).collect();
    if raising.is_empty() {
        return Ok(());
    }
    let raised: HashSet<String> = inspection_issue::Entity::find()
        .select_only()
        .column(inspection_issue::Column::ItemKey)
        .filter(inspection_issue::Column::RootId.eq(inspection.root_id))
        .into_tuple::<String>()
        .all(txn)
        .await?
        .into_iter()
        .collect();
    for f in raising.into_iter().filter(|f| !raised.contains(&f.item_key)) {
        let Some(kind) = f.raise else { continue };
        let mut title: String = format!("检查不合格：{}", f.label).chars().take(200).collect();
        if title.chars().count() < 2 {
            title = "检查不合格".into();
        }
        let issue = super::issue::raise(
            txn,
            actor,
            super::issue::NewIssue {
                // Derived from the inspection and the item, so the issue is the same on every replay.
                id: Some(Uuid::new_v5(&inspection.root_id, f.item_key.as_bytes())),
                project_id: inspection.project_id,
                kind,
                title,
                description: f.note.clone().unwrap_or_default(),
                severity: Severity::Medium,
                source: IssueSource::Inspection,
                assigned_unit_id: None,
                co_unit_ids: Vec::new(),
                due_date: None,
            },
        )
        .await?;
        inspection_issue::Entity::insert(inspection_issue::ActiveModel {
            root_id: Set(inspection.root_id),
            item_key: Set(f.item_key.clone()),
            issue_id: Set(issue.id),
            inspection_id: Set(inspection.id),
        })
        .exec_without_returning(txn)
        .await?;
    }
    Ok(())
}

/// Submits many inspections captured offline, each on its own: one bad item never hides the others.
pub async fn sync(
    db: &DatabaseConnection,
    actor: &Actor,
    inputs: Vec<NewInspection>,
) -> AppResult<Vec<(Uuid, AppResult<(inspection::Model, SyncOutcome)>)>> {
    if inputs.len() > MAX_SYNC {
        return Err(AppError::bad_input("inputs", format!("at most {MAX_SYNC} inspections a sync")));
    }
    let caller = may_submit(actor)?;
    // Replays are the common case after a flaky connection: one query finds them all.
    let mut stored: HashMap<Uuid, inspection::Model> = inspection::Entity::find()
        .filter(inspection::Column::Id.is_in(inputs.iter().map(|i| i.id)))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let id = input.id;
        let result = match stored.remove(&id) {
            Some(existing) => payload_of(&input, caller).and_then(|p| replay(existing, &p)),
            None => submit(db, actor, input).await,
        };
        out.push((id, result));
    }
    Ok(out)
}

/// Records the office's review of the current revision. ADMIN; a note is needed unless APPROVED.
pub async fn review(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    status: ReviewStatus,
    note: Option<String>,
) -> AppResult<inspection::Model> {
    actor.require_role(&[Role::Admin], "review inspections")?;
    let note = super::text::optional("note", note.as_deref(), 5000)?;
    if status == ReviewStatus::Pending {
        return Err(AppError::bad_input("status", "a review approves, flags issues, or rejects"));
    }
    if status != ReviewStatus::Approved && note.is_none() {
        return Err(AppError::bad_input("note", "say what is wrong"));
    }
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::bad_input("note", "at most 2000 characters"));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = find_for(&txn, actor, id).await?;
    if !before.is_current {
        return Err(AppError::Conflict("this revision has been replaced; review the current one".into()));
    }
    let now = Utc::now();
    inspection::Entity::update_many()
        .col_expr(inspection::Column::ReviewStatus, Expr::value(status))
        .col_expr(inspection::Column::ReviewedBy, Expr::value(actor.user_id()))
        .col_expr(inspection::Column::ReviewedAt, Expr::value(now))
        .col_expr(inspection::Column::ReviewNote, Expr::value(note.clone()))
        .filter(inspection::Column::Id.eq(id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "inspection.review",
            entity_type: "inspection",
            entity_id: id.to_string(),
            changes: json!({ "review_status": { "before": before.review_status, "after": status }, "review_note": { "after": note } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(inspection::Model {
        review_status: status,
        reviewed_by: actor.user_id(),
        reviewed_at: Some(now),
        review_note: note,
        ..before
    })
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub project_id: Option<Uuid>,
    pub inspector_id: Option<Uuid>,
    pub kind: Option<InspectionKind>,
    pub focus: Option<InspectionFocus>,
    pub result: Option<InspectionResult>,
    pub review_status: Option<ReviewStatus>,
    /// Replaced revisions too.
    pub all_revisions: bool,
}

fn matching(caller: &Caller, f: &InspectionFilter) -> Select<inspection::Entity> {
    use inspection::Column as C;
    let mut q = inspection::Entity::find().filter(visibility(caller));
    if !f.all_revisions {
        q = q.filter(C::IsCurrent.eq(true));
    }
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.inspector_id {
        q = q.filter(C::InspectorId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.focus {
        q = q.filter(C::Focus.eq(v));
    }
    if let Some(v) = f.result {
        q = q.filter(C::Result.eq(v));
    }
    if let Some(v) = f.review_status {
        q = q.filter(C::ReviewStatus.eq(v));
    }
    q
}

/// Inspections the caller can see, newest received first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &InspectionFilter,
    page: &PageRequest,
) -> AppResult<Page<inspection::Model>> {
    use inspection::Column as C;
    let q = matching(actor.caller()?, f);
    let rows = super::page::newest_first(q, C::ReceivedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(i: &inspection::Model) -> String {
    super::page::time_id_key(i.received_at, i.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &InspectionFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(matching(actor.caller()?, f).count(db).await?)
}

/// Issues raised by each inspection (across its revisions): root id → (item key, issue id).
pub async fn raised_issues(db: &impl ConnectionTrait, roots: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<(String, Uuid)>>> {
    let rows = inspection_issue::Entity::find()
        .filter(inspection_issue::Column::RootId.is_in(roots.iter().copied()))
        .order_by_asc(inspection_issue::Column::ItemKey)
        .all(db)
        .await?;
    Ok(super::grouped(rows.into_iter().map(|r| (r.root_id, (r.item_key, r.issue_id)))))
}

/// The inspection and item that raised each of `issue_ids`, where one did.
pub async fn origins(db: &impl ConnectionTrait, issue_ids: &[Uuid]) -> AppResult<HashMap<Uuid, (Uuid, String)>> {
    Ok(inspection_issue::Entity::find()
        .filter(inspection_issue::Column::IssueId.is_in(issue_ids.iter().copied()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.issue_id, (r.inspection_id, r.item_key)))
        .collect())
}

/// Template versions by id, for loaders.
pub async fn templates_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, checklist_template::Model>> {
    let ids: BTreeSet<Uuid> = ids.iter().copied().collect();
    Ok(checklist_template::Entity::find()
        .filter(checklist_template::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect())
}

/// The stored answers of an inspection.
pub fn answers_of(i: &inspection::Model) -> AppResult<Vec<Answer>> {
    serde_json::from_value(i.answers.clone()).map_err(|e| AppError::internal(format!("inspection answers: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, item_type: ItemType) -> Item {
        Item {
            key: key.into(),
            label: key.into(),
            item_type,
            required: true,
            weight: 1,
            min: None,
            max: None,
            unit: None,
            options: Vec::new(),
            min_photos: 0,
            max_photos: None,
            photo_required_on_fail: false,
            note_required_on_fail: false,
            raise_issue_on_fail: None,
        }
    }

    fn answer(key: &str, value: &str) -> AnswerInput {
        AnswerInput { item_key: key.into(), value: Some(value.into()), note: None, photo_ids: Vec::new() }
    }

    #[test]
    fn every_violation_is_reported_with_its_item() {
        let mut pm10 = item("pm10", ItemType::Number);
        pm10.max = Some(150.0);
        let mut cover = item("cover", ItemType::PassFailNa);
        cover.note_required_on_fail = true;
        let body = Body {
            sections: vec![Section { title: "扬尘".into(), items: vec![pm10, cover, item("date", ItemType::Date)] }],
        };
        let errors = evaluate(&body, 80, &[answer("pm10", "200"), answer("cover", "FAIL"), answer("ghost", "x")])
            .err()
            .unwrap_or_default();
        let keys: Vec<&str> = errors.iter().map(|v| v.item_key.as_str()).collect();
        assert_eq!(keys, ["ghost", "pm10", "cover", "date"], "{errors:?}");
    }

    #[test]
    fn the_score_is_weighted_and_na_is_left_out() -> Result<(), Vec<Violation>> {
        let mut heavy = item("heavy", ItemType::PassFailNa);
        heavy.weight = 3;
        let body = Body {
            sections: vec![Section {
                title: "s".into(),
                items: vec![heavy, item("light", ItemType::YesNo), item("na", ItemType::PassFailNa)],
            }],
        };
        let e = evaluate(&body, 80, &[answer("heavy", "PASS"), answer("light", "NO"), answer("na", "NA")])?;
        assert_eq!(e.score, Some(75.0));
        assert_eq!(e.result, InspectionResult::Failed);
        assert_eq!(e.failures.len(), 1);
        let e = evaluate(&body, 75, &[answer("heavy", "PASS"), answer("light", "NO"), answer("na", "NA")])?;
        assert_eq!(e.result, InspectionResult::Passed);
        Ok(())
    }
}
