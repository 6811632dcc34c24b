//! Demo checklist templates (progress, quality, safety, dust and environment, responsibility) and a
//! few inspections made with them.

use chrono::{NaiveDate, Utc};
use entity::checklist_template::{self, Body, Item, ItemType, Section};
use entity::inspection::{self, InspectionFocus, InspectionKind, ReviewStatus};
use entity::issue::IssueKind;
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use crate::service::inspection::AnswerInput;

use super::demo::demo_id;
use crate::error::{AppError, AppResult};

/// (key, type, label, weight, raise on fail)
type DemoItem = (&'static str, ItemType, &'static str, u32, Option<IssueKind>);

fn item((key, item_type, label, weight, raise): DemoItem) -> Item {
    // A failed PASS/FAIL check needs its evidence; a NO to a yes/no question is its own record.
    let fails = item_type == ItemType::PassFailNa;
    let item = Item {
        key: key.to_owned(),
        label: label.to_owned(),
        item_type,
        required: item_type != ItemType::Photo,
        weight,
        min: (item_type == ItemType::Number).then_some(0.0),
        max: None,
        unit: None,
        options: if item_type == ItemType::Choice {
            ["正常推进", "进度滞后", "停工"].map(str::to_owned).to_vec()
        } else {
            Vec::new()
        },
        min_photos: u32::from(item_type == ItemType::Photo),
        max_photos: Some(9),
        photo_required_on_fail: fails,
        note_required_on_fail: fails,
        raise_issue_on_fail: raise,
        measures_progress: false,
    };
    // The one item measuring the project's progress on site, which reports are checked against.
    if key == "progress.percent" {
        Item { required: false, max: Some(100.0), unit: Some("%".into()), measures_progress: true, ..item }
    } else {
        item
    }
}

/// (key, name, description, [(section title, items)])
type DemoTemplate = (&'static str, &'static str, &'static str, &'static [(&'static str, &'static [DemoItem])]);

const TEMPLATES: &[DemoTemplate] = &[
    (
        "progress",
        "进度督导检查表",
        "跟踪督导：形象进度、节点完成和投资完成。",
        &[
            (
                "形象进度",
                &[
                    ("progress.status", ItemType::Choice, "现场施工状态", 0, None),
                    ("progress.workers", ItemType::Number, "现场施工人数（人）", 0, None),
                    ("progress.percent", ItemType::Number, "形象进度（%）", 0, None),
                    ("progress.milestone", ItemType::PassFailNa, "当月计划节点按期完成", 3, Some(IssueKind::Other)),
                    ("progress.photo", ItemType::Photo, "现场全景照片", 0, None),
                ],
            ),
            (
                "要素保障",
                &[
                    ("progress.land", ItemType::YesNo, "用地手续已办结", 2, Some(IssueKind::LandAcquisition)),
                    ("progress.funds", ItemType::YesNo, "资金按计划到位", 2, Some(IssueKind::Funding)),
                ],
            ),
        ],
    ),
    (
        "quality",
        "质量督导检查表",
        "质量监管：材料、工序和实体质量。",
        &[(
            "实体质量",
            &[
                (
                    "quality.materials",
                    ItemType::PassFailNa,
                    "进场材料有合格证明和复试报告",
                    2,
                    Some(IssueKind::Quality),
                ),
                ("quality.rebar", ItemType::PassFailNa, "钢筋保护层厚度符合设计", 3, Some(IssueKind::Quality)),
                ("quality.concrete", ItemType::Number, "混凝土回弹强度（MPa）", 0, None),
                ("quality.records", ItemType::YesNo, "隐蔽工程验收记录齐全", 1, None),
            ],
        )],
    ),
    (
        "safety",
        "安全生产检查表",
        "安全隐患排查：临边防护、起重机械和用电。",
        &[(
            "安全防护",
            &[
                ("safety.edges", ItemType::PassFailNa, "基坑、临边防护到位", 3, Some(IssueKind::SafetyHazard)),
                ("safety.cranes", ItemType::PassFailNa, "起重机械检验合格并登记", 3, Some(IssueKind::SafetyHazard)),
                ("safety.power", ItemType::PassFailNa, "临时用电一机一闸一漏保", 2, Some(IssueKind::SafetyHazard)),
                ("safety.training", ItemType::YesNo, "班前安全教育有记录", 1, None),
            ],
        )],
    ),
    (
        "dust",
        "扬尘与环境检查表",
        "施工扬尘“六个百分之百”和环境保护。",
        &[(
            "扬尘治理",
            &[
                ("dust.fence", ItemType::PassFailNa, "施工现场围挡到位", 1, Some(IssueKind::ConstructionEnvironment)),
                ("dust.cover", ItemType::PassFailNa, "裸土和物料覆盖", 2, Some(IssueKind::ConstructionEnvironment)),
                ("dust.wash", ItemType::PassFailNa, "出入车辆冲洗", 1, Some(IssueKind::ConstructionEnvironment)),
                ("dust.pm10", ItemType::Number, "PM10 在线监测读数（μg/m³）", 0, None),
                ("dust.date", ItemType::Date, "最近一次洒水降尘日期", 0, None),
            ],
        )],
    ),
    (
        "responsibility",
        "责任落实检查表",
        "责任监察：包保责任、问题整改和信息报送。",
        &[(
            "责任落实",
            &[
                ("resp.leader", ItemType::YesNo, "联系领导本月到现场调度", 2, None),
                ("resp.unit", ItemType::YesNo, "责任单位专人跟踪服务", 2, None),
                ("resp.rectify", ItemType::PassFailNa, "上次督导问题已整改", 3, Some(IssueKind::Other)),
                ("resp.report", ItemType::YesNo, "月度进度按时报送", 1, None),
                ("resp.notes", ItemType::Text, "其他情况", 0, None),
            ],
        )],
    ),
];

/// Loads the demo templates, version 1 each, and a few inspections made with them on `projects`.
pub async fn load(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<usize> {
    let n = load_templates(db).await?;
    load_inspections(db, projects, today).await?;
    super::evidence::load(db, today).await?;
    Ok(n)
}

/// (template, project index, kind, focus, days ago, answers as (item, value))
type DemoInspection =
    (&'static str, usize, InspectionKind, InspectionFocus, i64, &'static [(&'static str, &'static str)]);

const INSPECTIONS: &[DemoInspection] = &[
    (
        "progress",
        0,
        InspectionKind::Tracking,
        InspectionFocus::Progress,
        12,
        &[
            ("progress.status", "正常推进"),
            ("progress.workers", "86"),
            ("progress.milestone", "PASS"),
            ("progress.land", "YES"),
            ("progress.funds", "YES"),
        ],
    ),
    (
        "progress",
        7,
        InspectionKind::Tracking,
        InspectionFocus::Progress,
        9,
        &[
            ("progress.status", "进度滞后"),
            ("progress.workers", "23"),
            ("progress.milestone", "NA"),
            ("progress.land", "YES"),
            ("progress.funds", "YES"),
        ],
    ),
    (
        "quality",
        3,
        InspectionKind::KeyProblem,
        InspectionFocus::Quality,
        7,
        &[
            ("quality.materials", "PASS"),
            ("quality.rebar", "PASS"),
            ("quality.concrete", "32.5"),
            ("quality.records", "YES"),
        ],
    ),
    (
        "safety",
        5,
        InspectionKind::Surprise,
        InspectionFocus::Quality,
        5,
        &[("safety.edges", "PASS"), ("safety.cranes", "PASS"), ("safety.power", "PASS"), ("safety.training", "NO")],
    ),
    (
        "dust",
        11,
        InspectionKind::Surprise,
        InspectionFocus::Quality,
        3,
        &[("dust.fence", "PASS"), ("dust.cover", "PASS"), ("dust.wash", "NA"), ("dust.pm10", "68"), ("dust.date", "-")],
    ),
    (
        "responsibility",
        14,
        InspectionKind::Tracking,
        InspectionFocus::Responsibility,
        2,
        &[
            ("resp.leader", "NO"),
            ("resp.unit", "YES"),
            ("resp.rectify", "PASS"),
            ("resp.report", "NO"),
            ("resp.notes", "联系领导本月尚未到现场"),
        ],
    ),
];

async fn load_inspections(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<()> {
    if projects.is_empty() {
        return Ok(());
    }
    let inspector = demo_id("user", "inspector");
    let templates = checklist_template::Entity::find().all(db).await?;
    let mut rows = Vec::new();
    for (n, (key, project, kind, focus, ago, answers)) in INSPECTIONS.iter().enumerate() {
        let Some(template) = templates.iter().find(|t| t.key == *key) else { continue };
        let body: Body = serde_json::from_value(template.body.clone()).map_err(AppError::internal)?;
        let day = today - chrono::Duration::days(*ago);
        let answers: Vec<AnswerInput> = answers
            .iter()
            .map(|(item, value)| AnswerInput {
                item_key: (*item).to_owned(),
                value: Some(if *value == "-" {
                    (day - chrono::Duration::days(1)).to_string()
                } else {
                    (*value).to_owned()
                }),
                note: None,
                photo_ids: Vec::new(),
            })
            .collect();
        let evaluated = crate::service::inspection::evaluate(&body, template.pass_score, &answers)
            .map_err(|v| AppError::internal(format!("demo inspection {n} breaks its template: {v:?}")))?;
        // The seed raises no issues: a demo failure that should raise one would leave the county inconsistent.
        if evaluated.failures.iter().any(|f| f.raise.is_some()) {
            return Err(AppError::internal(format!("demo inspection {n} fails an item that raises an issue")));
        }
        let id = demo_id("inspection", &n.to_string());
        let at = |h: u32| day.and_hms_opt(1 + h, 0, 0).unwrap_or_default().and_utc();
        let (lat, lng) = (29.60 + (n as f64) * 0.01, 111.88 - (n as f64) * 0.01);
        rows.push(
            inspection::Model {
                id,
                root_id: id,
                revision_of: None,
                revision: 1,
                is_current: true,
                kind: *kind,
                focus: *focus,
                project_id: projects[project % projects.len()].0,
                inspector_id: inspector,
                template_id: template.id,
                started_at: at(0),
                completed_at: at(1),
                received_at: at(2),
                lat: Some(lat),
                lng: Some(lng),
                accuracy_m: Some(8.0),
                location_datum: Some(entity::geo::Datum::Wgs84),
                answers: serde_json::to_value(&evaluated.answers).map_err(AppError::internal)?,
                score: evaluated.score,
                result: evaluated.result,
                review_status: if n % 2 == 0 { ReviewStatus::Approved } else { ReviewStatus::Pending },
                reviewed_by: (n % 2 == 0).then(|| demo_id("user", "admin")),
                reviewed_at: (n % 2 == 0).then(|| at(3)),
                review_note: None,
                task_id: None,
                measured_progress_bp: None,
            }
            .into_active_model(),
        );
    }
    if !rows.is_empty() {
        inspection::Entity::insert_many(rows).exec_without_returning(db).await?;
    }
    Ok(())
}

async fn load_templates(db: &impl ConnectionTrait) -> AppResult<usize> {
    let now = Utc::now();
    let mut rows = Vec::new();
    for (key, name, description, sections) in TEMPLATES {
        let body = Body {
            sections: sections
                .iter()
                .map(|(title, items)| Section {
                    title: (*title).to_owned(),
                    items: items
                        .iter()
                        .map(|i| {
                            let mut it = item(*i);
                            it.required = it.required && it.item_type != ItemType::Text;
                            if it.key == "dust.pm10" {
                                it.max = Some(2000.0);
                                it.unit = Some("μg/m³".into());
                            }
                            it
                        })
                        .collect(),
                })
                .collect(),
        };
        rows.push(
            checklist_template::Model {
                id: demo_id("template", key),
                key: (*key).to_owned(),
                version: 1,
                name: (*name).to_owned(),
                description: (*description).to_owned(),
                pass_score: 80,
                body: serde_json::to_value(body).map_err(AppError::internal)?,
                published_by: None,
                published_at: now,
            }
            .into_active_model(),
        );
    }
    let n = rows.len();
    checklist_template::Entity::insert_many(rows).exec_without_returning(db).await?;
    Ok(n)
}
