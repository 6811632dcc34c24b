//! The demo county's 六包 pairing and obstruction cases: every responsible unit paired with at
//! least one project, service logged over the last three closed months (some units idle, some
//! projects left unserved in a month), and two obstruction cases — one answered and upheld, one
//! under investigation.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use entity::obstruction_case::{self, ObstructionStage, ObstructionStatus};
use entity::{obstruction_investigator, obstruction_step, pairing_service, project_paired_unit};
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};
use serde_json::json;
use uuid::Uuid;

use super::demo::{demo_id, responsible_units};
use super::projects::insert_chunked;
use crate::error::AppResult;
use crate::service::pairing::DEFAULT_DUTY_CODES;
use crate::service::period::Period;

/// The `n`th pairing of the demo projects, made at `at`: two of the default six duties, in turn (no
/// draw, so the rest of the demo county stays as it was).
pub fn in_turn(project: Uuid, unit: Uuid, n: usize, at: chrono::DateTime<Utc>) -> project_paired_unit::Model {
    let duties = json!([DEFAULT_DUTY_CODES[n % 6], DEFAULT_DUTY_CODES[(n + 3) % 6]]).to_string();
    project_paired_unit::Model { project_id: project, unit_id: unit, duties, paired_at: Some(at) }
}

/// What a unit did for its project, by duty.
fn service_text(duty: &str) -> &'static str {
    match duty {
        "POLICY" => "上门宣讲惠企政策，协助企业申报技改补助",
        "APPROVAL" => "全程代办施工许可手续，协调并联审批",
        "LAND" => "现场协调征地拆迁遗留问题，落实用地指标",
        "UTILITIES" => "协调供电、供水接入，督促管网施工",
        "FINANCING" => "组织银企对接，推荐项目进入融资名单",
        _ => "现场调处施工矛盾纠纷，维护施工秩序",
    }
}

/// Loads the demo pairings' service and the obstruction cases. `projects` are (project, responsible
/// unit). Returns how many service logs it wrote.
pub async fn load(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<usize> {
    let now = Utc::now();
    let mut pairings: BTreeMap<(Uuid, Uuid), Vec<String>> = project_paired_unit::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|p| ((p.unit_id, p.project_id), crate::service::pairing::duties_of(&p)))
        .collect();
    // Every responsible unit serves at least one project it does not answer for.
    let mut added = Vec::new();
    for (i, name) in responsible_units().into_iter().enumerate() {
        let unit = demo_id("unit", name);
        if pairings.keys().any(|(u, _)| *u == unit) || projects.is_empty() {
            continue;
        }
        let start = (i * 7) % projects.len();
        let Some(&(project, _)) = (0..projects.len())
            .map(|k| &projects[(start + k) % projects.len()])
            .find(|(_, responsible)| *responsible != unit)
        else {
            continue;
        };
        let duties = vec![DEFAULT_DUTY_CODES[i % 6].to_owned(), DEFAULT_DUTY_CODES[(i + 2) % 6].to_owned()];
        added.push(project_paired_unit::Model {
            project_id: project,
            unit_id: unit,
            duties: json!(duties).to_string(),
            paired_at: Some(now),
        });
        pairings.insert((unit, project), duties);
    }
    insert_chunked(db, added.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    // Units by index: every ninth logs nothing in the last month, every thirteenth nothing at all.
    let index: BTreeMap<Uuid, usize> =
        responsible_units().into_iter().enumerate().map(|(i, n)| (demo_id("unit", n), i)).collect();
    let last = Period::of(today).previous();
    let months = [last.previous().previous(), last.previous(), last];
    let mut logs = Vec::new();
    for (m, month) in months.iter().enumerate() {
        for (k, ((unit, project), duties)) in pairings.iter().enumerate() {
            let i = index.get(unit).copied().unwrap_or(0);
            let idle_unit = i % 13 == 0 || (m == 2 && i % 9 == 0);
            // A unit serving several projects leaves one in four unserved in a month.
            if idle_unit || (k + m) % 4 == 3 {
                continue;
            }
            let duty = duties.get(m % duties.len().max(1)).cloned().unwrap_or_else(|| DEFAULT_DUTY_CODES[0].into());
            let served_on = month.first_day() + chrono::Duration::days(((k * 3 + m) % 25) as i64);
            let id = demo_id("pairing_service", &format!("{unit}:{project}:{}", month.key()));
            logs.push(pairing_service::Model {
                id,
                project_id: *project,
                unit_id: *unit,
                text: service_text(&duty).into(),
                duty,
                served_on,
                photo_ids: "[]".into(),
                // Entered by the office from the units' paper ledgers (台账).
                recorded_by: demo_id("user", "admin"),
                recorded_at: crate::clock::midnight(served_on, crate::clock::china()) + chrono::Duration::hours(10),
            });
        }
    }
    let n = logs.len();
    insert_chunked(db, logs.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    obstructions(db, projects, today).await?;
    Ok(n)
}

/// Two obstruction cases: a township's village cadres holding up a start (answered, upheld), and a
/// power-supply station stalling a plant's connection before production (under investigation).
async fn obstructions(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<()> {
    let pick = |avoid: Uuid, from: usize| {
        (0..projects.len()).map(|k| projects[(from + k) % projects.len()]).find(|(_, r)| *r != avoid).map(|(p, _)| p)
    };
    let admin = demo_id("user", "admin");
    let inspector = demo_id("user", "inspector");
    let fgj = demo_id("user", "fgj");
    let town = demo_id("unit", "新洲镇");
    let power = demo_id("unit", "供电公司");
    let at = |days: i64| crate::clock::midnight(today - chrono::Duration::days(days), crate::clock::china());
    let (Some(first), Some(second)) = (pick(town, 3), pick(power, 11)) else {
        return Ok(());
    };
    let cases = [
        (
            obstruction_case::Model {
                id: demo_id("obstruction", "新洲镇阻工"),
                project_id: first,
                stage: ObstructionStage::Start,
                accused_unit_id: Some(town),
                accused_text: Some("新洲镇某村村干部".into()),
                description: "村干部以协调费为由多次阻挠施工队进场，项目开工推迟二十余天。".into(),
                evidence: "施工日志、现场视频三段、企业书面情况说明".into(),
                status: ObstructionStatus::Answered,
                outcome: Some("查实，责令退还协调费，对相关村干部立案调查并通报".into()),
                upheld: Some(true),
                feedback: Some("已查实处理，施工队已进场，请继续监督".into()),
                reported_by: fgj,
                reported_at: at(60),
                updated_at: at(20),
            },
            vec![
                (ObstructionStatus::Reported, None, fgj, 60),
                (ObstructionStatus::Accepted, Some("受理，转纪检督查组"), admin, 58),
                (ObstructionStatus::Investigating, Some("调取施工日志，约谈村组干部"), inspector, 50),
                (ObstructionStatus::Handled, Some("查实，移交县纪委监委"), inspector, 30),
                (ObstructionStatus::Answered, Some("书面反馈报告单位"), admin, 20),
            ],
        ),
        (
            obstruction_case::Model {
                id: demo_id("obstruction", "供电接入拖延"),
                project_id: second,
                stage: ObstructionStage::Production,
                accused_unit_id: Some(power),
                accused_text: Some("某供电所工作人员".into()),
                description: "企业设备安装完毕，供电接入申请三个月未批复，工作人员暗示另找施工队。".into(),
                evidence: "接入申请回执、往来短信截图".into(),
                status: ObstructionStatus::Investigating,
                outcome: None,
                upheld: None,
                feedback: None,
                reported_by: admin,
                reported_at: at(15),
                updated_at: at(10),
            },
            vec![
                (ObstructionStatus::Reported, None, admin, 15),
                (ObstructionStatus::Accepted, Some("受理"), admin, 14),
                (ObstructionStatus::Investigating, Some("调阅接入申请办理记录"), inspector, 10),
            ],
        ),
    ];
    let mut rows = Vec::new();
    let mut steps = Vec::new();
    let mut investigators = BTreeSet::new();
    for (case, trail) in cases {
        for (n, (status, note, by, days)) in trail.into_iter().enumerate() {
            steps.push(obstruction_step::Model {
                id: demo_id("obstruction_step", &format!("{}:{n}", case.id)),
                case_id: case.id,
                status,
                note: note.map(str::to_owned),
                acted_by: by,
                acted_at: at(days),
            });
        }
        investigators.insert((case.id, inspector));
        rows.push(case.into_active_model());
    }
    insert_chunked(db, rows).await?;
    let investigators = investigators
        .into_iter()
        .map(|(case_id, user_id)| obstruction_investigator::Model { case_id, user_id }.into_active_model())
        .collect();
    insert_chunked(db, investigators).await?;
    insert_chunked(db, steps.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    Ok(())
}
