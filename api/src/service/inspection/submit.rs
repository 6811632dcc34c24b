//! Submitting inspections and their corrections, one at a time or many from an offline phone.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::inspection::{self, InspectionFocus, InspectionKind, ReviewStatus};
use entity::inspection_issue;
use entity::issue::{IssueSource, Severity};
use entity::user::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::geo::{self, Datum};
use crate::service::kit;
use crate::service::supervision;

/// A device location, in `datum`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Location {
    pub lat: f64,
    pub lng: f64,
    pub accuracy_m: Option<f64>,
    /// Left out of the stored submission when WGS-84, so that it reads as releases before datums
    /// stored it and a phone replaying a submission queued before an upgrade is not told `CONFLICT`.
    #[serde(skip_serializing_if = "is_wgs84")]
    pub datum: Datum,
}

fn is_wgs84(datum: &Datum) -> bool {
    *datum == Datum::Wgs84
}

/// How conflicts name an inspection.
const WHAT: &str = "an inspection";

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
    /// The supervision task it is done for. Left out of the stored submission when none, so a phone
    /// replaying a submission queued before tasks existed is not told `CONFLICT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<Uuid>,
    /// The issues and cases it dealt with (left out when none, as `task_id`).
    #[serde(flatten)]
    pub targets: crate::service::supervision::InspectionTargets,
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
        geo::received("location", l.lat, l.lng, l.datum)?;
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
    day: crate::clock::Day,
) -> AppResult<(inspection::Model, SyncOutcome)> {
    let today = day.date;
    let caller = may_submit(actor)?.clone();
    let payload = payload_of(&input, &caller)?;
    if let Some(stored) = kit::find_replay::<inspection::Entity>(db, input.id, &payload, WHAT).await? {
        return Ok((stored, SyncOutcome::AlreadyStored));
    }
    check_shape(&input)?;
    let wgs84 = input.location.map(|l| geo::received("location", l.lat, l.lng, l.datum)).transpose()?;
    let template = template(db, input.template_id)
        .await
        .map_err(|_| AppError::bad_input("templateId", "no template version has this id"))?;
    let evaluation =
        evaluate(&body_of(&template)?, template.pass_score, &input.answers).map_err(AppError::Violations)?;
    let txn = crate::db::begin_write(db).await?;
    crate::service::project::find(&txn, input.project_id)
        .await
        .map_err(|_| AppError::bad_input("projectId", "no project has this id"))?;
    let (kind, project, completed_at) = (input.kind, input.project_id, input.completed_at);
    supervision::check_inspection(&txn, actor, input.task_id, kind, project, completed_at, &input.targets, day).await?;
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
        lat: wgs84.map(|p| p.lat),
        lng: wgs84.map(|p| p.lng),
        accuracy_m: input.location.and_then(|l| l.accuracy_m),
        location_datum: input.location.map(|l| l.datum),
        answers: serde_json::to_value(&evaluation.answers).map_err(AppError::internal)?,
        score: evaluation.score,
        result: evaluation.result,
        review_status: ReviewStatus::Pending,
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        task_id: input.task_id,
        measured_progress_bp: evaluation.measured_progress_bp,
    };
    let txn =
        match kit::insert_or_replay::<inspection::Entity>(db, txn, input.id, model.clone(), &payload, WHAT).await? {
            kit::Insert::Inserted(txn) => txn,
            kit::Insert::Replayed(stored) => return Ok((stored, SyncOutcome::AlreadyStored)),
        };
    raise_failures(&txn, actor, &model, &evaluation.failures, today).await?;
    supervision::after_inspection(&txn, actor, &model, &input.targets, day).await?;
    if model.measured_progress_bp.is_some() {
        // What the field measured is an input of the project's light.
        crate::service::lights::touch(&txn, &[model.project_id]).await?;
    }
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

/// Raises the issues that failed items call for, skipping items that raised one before. Each gets
/// the office's deadline for its severity, counted from the day the server received it (the county's
/// `today`): a phone that synced late does not shorten the unit's time.
async fn raise_failures(
    txn: &sea_orm::DatabaseTransaction,
    actor: &Actor,
    inspection: &inspection::Model,
    failures: &[Failure],
    today: chrono::NaiveDate,
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
    let rules = crate::service::settings::rules(txn).await?;
    let severity = Severity::Medium;
    let due = today + chrono::Duration::days(i64::from(crate::service::settings::due_days(&rules, severity)));
    for f in raising.into_iter().filter(|f| !raised.contains(&f.item_key)) {
        let Some(kind) = f.raise else { continue };
        let mut title: String = format!("检查不合格：{}", f.label).chars().take(200).collect();
        if title.chars().count() < 2 {
            title = "检查不合格".into();
        }
        let issue = crate::service::issue::raise(
            txn,
            actor,
            crate::service::issue::NewIssue {
                // Derived from the inspection and the item, so the issue is the same on every replay.
                id: Some(Uuid::new_v5(&inspection.root_id, f.item_key.as_bytes())),
                project_id: inspection.project_id,
                kind,
                title,
                description: f.note.clone().unwrap_or_default(),
                severity,
                source: IssueSource::Inspection,
                assigned_unit_id: None,
                co_unit_ids: Vec::new(),
                due_date: Some(due),
                from_meeting: None,
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
    day: crate::clock::Day,
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
    let ids: Vec<Uuid> = stored.keys().copied().collect();
    let payloads = kit::payloads_of::<inspection::Model>(db, &ids).await?;
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        let id = input.id;
        let result = match stored.remove(&id) {
            Some(existing) => payload_of(&input, caller)
                .and_then(|p| kit::replay(existing, payloads.get(&id), &p, WHAT))
                .map(|stored| (stored, SyncOutcome::AlreadyStored)),
            None => submit(db, actor, input, day).await,
        };
        out.push((id, result));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A WGS-84 location is stored in a submission as releases before datums stored it (their replays
    /// must still match); another datum is stored with it.
    #[test]
    fn stored_locations_read_as_before_datums_unless_another_datum_was_given() {
        let at = |datum| Location { lat: 29.61, lng: 111.87, accuracy_m: Some(8.0), datum };
        let before_datums = json!({ "lat": 29.61, "lng": 111.87, "accuracy_m": 8.0 });
        assert_eq!(serde_json::to_value(at(Datum::Wgs84)).ok(), Some(before_datums));
        let gcj = json!({ "lat": 29.61, "lng": 111.87, "accuracy_m": 8.0, "datum": "GCJ02" });
        assert_eq!(serde_json::to_value(at(Datum::Gcj02)).ok(), Some(gcj));
    }
}
