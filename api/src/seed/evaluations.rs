//! The demo county's environment evaluations (项目建设环境集中测评): the questionnaire (a checklist
//! template scoring efficiency, attitude, integrity and service on 0–10) and the four quarters
//! before the current one, closed, each answered by the enterprises' people; one department had
//! too few responses to be ranked.

use chrono::{Datelike, NaiveDate, Utc};
use entity::checklist_template::{self, Body, Item, ItemType, Section};
use entity::environment_evaluation;
use entity::evaluation_unit::{self, EvaluationRole};
use entity::unit::UnitKind;
use entity::{evaluation_comment, evaluation_response, evaluation_score};
use sea_orm::{ConnectionTrait, IntoActiveModel};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::demo::{ENTERPRISES, demo_id, units};
use super::projects::insert_chunked;
use crate::error::{AppError, AppResult};

/// The questionnaire's criteria.
const CRITERIA: [(&str, &str); 4] =
    [("efficiency", "办事效率"), ("attitude", "服务态度"), ("integrity", "廉洁自律"), ("service", "主动服务")];
/// Responses each quarter, and the fewest a department needs to be ranked.
const RESPONSES: usize = 12;
const MIN_RESPONSES: i32 = 10;

fn criterion((key, label): (&str, &str)) -> Item {
    Item {
        key: key.into(),
        label: label.into(),
        item_type: ItemType::Number,
        required: true,
        weight: 0,
        min: Some(0.0),
        max: Some(10.0),
        unit: Some("分".into()),
        options: Vec::new(),
        min_photos: 0,
        max_photos: None,
        photo_required_on_fail: false,
        note_required_on_fail: false,
        raise_issue_on_fail: None,
        measures_progress: false,
    }
}

/// The first day of the quarter `q` (1–4) of `year`.
fn quarter_start(year: i32, q: i32) -> NaiveDate {
    let month = u32::try_from(3 * (q - 1) + 1).unwrap_or(1);
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

/// Loads the questionnaire and four closed quarters before `today`'s. Returns the responses written.
pub async fn load(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<usize> {
    let now = Utc::now();
    let template = checklist_template::Model {
        id: demo_id("template", "environment"),
        key: "environment".into(),
        version: 1,
        name: "项目建设环境测评问卷".into(),
        description: "项目业主和企业对职能部门的测评，每项 0–10 分".into(),
        pass_score: 0,
        body: serde_json::to_value(Body {
            sections: vec![Section { title: "职能部门测评".into(), items: CRITERIA.map(criterion).to_vec() }],
        })
        .map_err(AppError::internal)?,
        published_by: None,
        published_at: now,
    };
    let template_id = template.id;
    insert_chunked(db, vec![template.into_active_model()]).await?;
    let scored: Vec<Uuid> = units()
        .into_iter()
        .filter(|(_, kind, _)| *kind == UnitKind::Department)
        .map(|(n, _, _)| demo_id("unit", n))
        .collect();
    let respondents: Vec<Uuid> = ENTERPRISES.iter().map(|n| demo_id("unit", n)).collect();
    let (mut year, mut q) = (today.year(), i32::try_from((today.month0() / 3) + 1).unwrap_or(1));
    let admin = demo_id("user", "admin");
    let (mut evaluations, mut members, mut responses, mut scores, mut comments) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..4 {
        (year, q) = if q == 1 { (year - 1, 4) } else { (year, q - 1) };
        let next = if q == 4 { quarter_start(year + 1, 1) } else { quarter_start(year, q + 1) };
        let opens_on = next - chrono::Duration::days(30);
        let closes_on = next - chrono::Duration::days(10);
        let id = demo_id("evaluation", &format!("{year}-Q{q}"));
        evaluations.push(environment_evaluation::Model {
            id,
            year,
            quarter: q,
            title: format!("{year}年第{q}季度项目建设环境集中测评"),
            template_id,
            opens_on,
            closes_on,
            min_responses: MIN_RESPONSES,
            open_key: None,
            closed_at: Some(crate::clock::midnight(closes_on + chrono::Duration::days(1), crate::clock::china())),
            opened_by: admin,
            created_at: crate::clock::midnight(opens_on, crate::clock::china()),
        });
        let roles = scored.iter().map(|u| (*u, EvaluationRole::Scored));
        for (unit_id, role) in roles.chain(respondents.iter().map(|u| (*u, EvaluationRole::Respondent))) {
            members.push(evaluation_unit::Model { evaluation_id: id, unit_id, role });
        }
        for r in 0..RESPONSES {
            let response = demo_id("evaluation_response", &format!("{id}:{r}"));
            responses.push(evaluation_response::Model {
                id: response,
                evaluation_id: id,
                respondent_hash: crate::service::text::hex(&Sha256::digest(format!("demo:{id}:{r}").as_bytes())),
                submitted_at: crate::clock::midnight(
                    opens_on + chrono::Duration::days((r % 15) as i64),
                    crate::clock::china(),
                ),
            });
            for (d, unit) in scored.iter().enumerate() {
                // The sixth department dealt with only half the respondents: too few to be ranked.
                if d == 5 && r >= RESPONSES / 2 {
                    continue;
                }
                let base = 6.0 + ((d * 37 + q as usize) % 40) as f64 / 10.0;
                for (c, (key, _)) in CRITERIA.iter().enumerate() {
                    let wobble = ((r * 13 + d * 7 + c * 3) % 5) as f64 * 0.5 - 1.0;
                    scores.push(evaluation_score::Model {
                        response_id: response,
                        evaluation_id: id,
                        unit_id: *unit,
                        item_key: (*key).into(),
                        score: (base + wobble).clamp(0.0, 10.0),
                    });
                }
            }
            if let Some(unit) = scored.get((r * 5) % scored.len().max(1)) {
                let text = if r % 2 == 0 {
                    "办事效率高，主动上门服务"
                } else {
                    "审批环节仍偏多，希望再压缩时限"
                };
                comments.push(evaluation_comment::Model {
                    response_id: response,
                    evaluation_id: id,
                    unit_id: *unit,
                    text: text.into(),
                });
            }
        }
    }
    let n = responses.len();
    insert_chunked(db, evaluations.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, members.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, responses.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, scores.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(db, comments.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    Ok(n)
}
