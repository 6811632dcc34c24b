//! Demo checklist templates: progress, quality, safety, dust and environment, responsibility.

use chrono::Utc;
use entity::checklist_template::{self, Body, Item, ItemType, Section};
use entity::issue::IssueKind;
use sea_orm::{ConnectionTrait, EntityTrait, IntoActiveModel};

use super::demo::demo_id;
use crate::error::{AppError, AppResult};

/// (key, type, label, weight, raise on fail)
type DemoItem = (&'static str, ItemType, &'static str, u32, Option<IssueKind>);

fn item((key, item_type, label, weight, raise): DemoItem) -> Item {
    let fails = matches!(item_type, ItemType::PassFailNa | ItemType::YesNo);
    Item {
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

/// Loads the demo templates, version 1 each.
pub async fn load(db: &impl ConnectionTrait) -> AppResult<usize> {
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
