//! Decisions taken at a meeting: each may decide a 一事一议 case and raise issues that point back.

use chrono::{DateTime, NaiveDate, Utc};
use entity::issue::IssueSource;
use entity::meeting::{self, MeetingStatus};
use entity::meeting_decision;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::case::{self as cases, Decision};
use crate::service::issue::{self as issues, NewIssue};
use crate::service::kit;
use crate::service::text;

/// What [`add_decision`] needs.
#[derive(Debug, Clone)]
pub struct NewDecision {
    pub text: String,
    /// The 一事一议 case it decides.
    pub case_id: Option<Uuid>,
    /// Issues it raises; their source is MEETING and they point back to the decision.
    pub issues: Vec<NewIssue>,
}

/// Records a decision of a HELD meeting. The office or the chair. Deciding a case records the
/// decision on the case as [`cases::decide`] does, with the meeting as where it was decided; every
/// issue is raised as [`issues::raise`] does. All of it is one transaction.
pub async fn add_decision(
    db: &DatabaseConnection,
    actor: &Actor,
    meeting_id: Uuid,
    input: NewDecision,
    day: Day,
    now: DateTime<Utc>,
) -> AppResult<meeting_decision::Model> {
    let today = day.date;
    let caller = actor.caller()?.clone();
    let body = text::required("text", &input.text, 1, 5000)?;
    if input.issues.len() > MAX_DECISION_ISSUES {
        return Err(AppError::bad_input("issues", format!("at most {MAX_DECISION_ISSUES} issues a decision")));
    }
    let txn = crate::db::begin_write(db).await?;
    let meeting = lock_for(&txn, actor, meeting_id).await?;
    kit::workflow::authorize::<MeetingWorkflow>(actor, &meeting, MeetingAction::Decide)?;
    let position =
        meeting_decision::Entity::find().filter(meeting_decision::Column::MeetingId.eq(meeting_id)).count(&txn).await?;
    if position as usize >= MAX_DECISIONS {
        return Err(AppError::bad_input("meetingId", format!("a meeting records at most {MAX_DECISIONS} decisions")));
    }
    let decision = meeting_decision::Model {
        id: Uuid::now_v7(),
        meeting_id,
        position: i32::try_from(position).unwrap_or(i32::MAX),
        text: body.clone(),
        case_id: input.case_id,
        recorded_by: caller.id(),
        created_at: now,
    };
    meeting_decision::Entity::insert(decision.clone().into_active_model()).exec_without_returning(&txn).await?;
    if let Some(case_id) = input.case_id {
        let decided =
            Decision { text: body, decided_on: meeting_day(&meeting, day), decided_by: meeting.title.clone() };
        let decided = cases::check_decision(decided, today)?;
        cases::decide_in(&txn, actor, case_id, decided, Some(meeting_id), now).await?;
    }
    let mut raised = Vec::with_capacity(input.issues.len());
    for issue in input.issues {
        if issue.source != IssueSource::Meeting {
            return Err(AppError::bad_input("issues.source", "an issue a decision raises has the source MEETING"));
        }
        let issue = NewIssue { from_meeting: Some((meeting_id, decision.id)), ..issue };
        raised.push(issues::raise(&txn, actor, issue).await?.id);
    }
    let mut changes = audit::diff(None, Some(&decision))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("issue_ids".into(), json!({ "before": null, "after": raised }));
    }
    let change =
        Change { action: "meeting.decide", entity_type: "meeting", entity_id: meeting_id.to_string(), changes };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(decision)
}

/// The county's day the meeting started, or today for a meeting held ahead of its planned time.
fn meeting_day(meeting: &meeting::Model, day: Day) -> NaiveDate {
    meeting.starts_at.with_timezone(&day.zone).date_naive().min(day.date)
}

/// `decideCase` with a `meetingId`: the decision is recorded on the case as [`cases::decide`] does,
/// and the case shows the meeting as where it was decided. The meeting must be one the caller sees
/// and must have been held.
pub async fn decide_case(
    db: &DatabaseConnection,
    actor: &Actor,
    case_id: Uuid,
    decision: Decision,
    meeting_id: Uuid,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> AppResult<entity::case::Model> {
    actor.caller()?;
    let decision = cases::check_decision(decision, today)?;
    let txn = crate::db::begin_write(db).await?;
    let meeting = find_for(&txn, actor, meeting_id).await?;
    if !matches!(meeting.status, MeetingStatus::Held | MeetingStatus::MinutesPublished) {
        return Err(AppError::bad_input("meetingId", "a case is decided at a meeting that was held"));
    }
    let after = cases::decide_in(&txn, actor, case_id, decision, Some(meeting_id), now).await?;
    txn.commit().await?;
    Ok(after)
}
