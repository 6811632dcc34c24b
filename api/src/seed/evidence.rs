//! Demo inspections that measured progress on site (形象进度) in the last closed month (the last
//! whose report was due): three
//! projects whose reports the field bears out and three that reported far more than inspectors
//! measured, so `evidenceGaps` shows both.

use chrono::NaiveDate;
use entity::checklist_template::{self, Body};
use entity::inspection::{self, InspectionFocus, InspectionKind, ReviewStatus};
use entity::monthly_report;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder};

use super::demo::demo_id;
use crate::error::{AppError, AppResult};
use crate::service::inspection::AnswerInput;

/// Percentage points the over-reporting projects claim beyond what was measured.
const OVER_PP: i32 = 25;

pub async fn load(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<()> {
    // The month the lights judge reports by: the last whose report was due.
    let due_day = crate::service::settings::rules(db).await?.report_due_day;
    let period = crate::service::period::last_closed_period(today, due_day);
    let reports = monthly_report::Entity::find()
        .filter(monthly_report::Column::IsCurrent.eq(true))
        .filter(monthly_report::Column::Period.eq(period.key()))
        .filter(monthly_report::Column::ProgressBp.gte(OVER_PP * 100 + 500))
        .order_by_asc(monthly_report::Column::ProjectId)
        .all(db)
        .await?;
    let Some(template) =
        checklist_template::Entity::find().filter(checklist_template::Column::Key.eq("progress")).one(db).await?
    else {
        return Ok(());
    };
    let body: Body = serde_json::from_value(template.body.clone()).map_err(AppError::internal)?;
    let day = NaiveDate::from_ymd_opt(period.year, period.month, 15).unwrap_or(today);
    let mut rows = Vec::new();
    for (n, report) in reports.iter().take(6).enumerate() {
        // Even: honest (measured 2 points under the claim); odd: over-reported.
        let measured_bp = report.progress_bp - if n % 2 == 0 { 200 } else { OVER_PP * 100 };
        let percent = format!("{}", f64::from(measured_bp) / 100.0);
        let answers: Vec<AnswerInput> = [
            ("progress.status", if n % 2 == 0 { "正常推进" } else { "进度滞后" }),
            ("progress.workers", "40"),
            ("progress.percent", percent.as_str()),
            ("progress.milestone", "PASS"),
            ("progress.land", "YES"),
            ("progress.funds", "YES"),
        ]
        .iter()
        .map(|(k, v)| AnswerInput {
            item_key: (*k).to_owned(),
            value: Some((*v).to_owned()),
            note: None,
            photo_ids: Vec::new(),
        })
        .collect();
        let evaluated = crate::service::inspection::evaluate(&body, template.pass_score, &answers)
            .map_err(|v| AppError::internal(format!("demo evidence inspection {n} breaks its template: {v:?}")))?;
        let id = demo_id("inspection", &format!("evidence-{n}"));
        let at = |h: u32| day.and_hms_opt(1 + h, 0, 0).unwrap_or_default().and_utc();
        rows.push(
            inspection::Model {
                id,
                root_id: id,
                revision_of: None,
                revision: 1,
                is_current: true,
                kind: InspectionKind::Tracking,
                focus: InspectionFocus::Progress,
                project_id: report.project_id,
                inspector_id: demo_id("user", "inspector"),
                template_id: template.id,
                started_at: at(0),
                completed_at: at(1),
                received_at: at(2),
                lat: None,
                lng: None,
                accuracy_m: None,
                location_datum: None,
                answers: serde_json::to_value(&evaluated.answers).map_err(AppError::internal)?,
                score: evaluated.score,
                result: evaluated.result,
                review_status: ReviewStatus::Approved,
                reviewed_by: Some(demo_id("user", "admin")),
                reviewed_at: Some(at(3)),
                review_note: None,
                task_id: None,
                measured_progress_bp: evaluated.measured_progress_bp,
            }
            .into_active_model(),
        );
    }
    if !rows.is_empty() {
        inspection::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}
