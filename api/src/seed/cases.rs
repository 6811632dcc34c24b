//! Demo coordination cases: 一项一策 and 一事一议 in every status, linked to demo issues.

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::{self, LinkTarget};
use entity::{case_measure, case_unit};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait, IntoActiveModel};
use uuid::Uuid;

use super::demo::demo_id;
use crate::error::AppResult;

/// One demo case: the demo issue whose project it concerns (none for a county-wide matter), and the
/// demo issues it links.
struct DemoCase {
    kind: CaseKind,
    issue: Option<usize>,
    title: &'static str,
    policy: &'static str,
    lead: &'static str,
    units: &'static [&'static str],
    /// (measure, owner, deadline in days from today, done days ago)
    measures: &'static [(&'static str, &'static str, i64, Option<i64>)],
    status: CaseStatus,
    decision: Option<(&'static str, &'static str)>,
    links: &'static [usize],
}

const CASES: &[DemoCase] = &[
    DemoCase {
        kind: CaseKind::OneProjectOnePolicy,
        issue: Some(0),
        title: "征地清零攻坚一项一策",
        policy: "由自然资源局牵头，街道包户做工作，财政局保障补偿资金，确保月底前完成剩余两户签约交地。",
        lead: "自然资源局",
        units: &["襄阳街街道", "财政局"],
        measures: &[
            ("核实剩余两户补偿标准", "自然资源局", -10, Some(12)),
            ("包户上门做思想工作", "襄阳街街道", 5, None),
            ("补偿资金拨付到位", "财政局", 15, None),
        ],
        status: CaseStatus::InProgress,
        decision: None,
        links: &[0],
    },
    DemoCase {
        kind: CaseKind::OneProjectOnePolicy,
        issue: Some(1),
        title: "环评审批提速一项一策",
        policy: "生态环境局提前介入，指导企业补充监测数据，开辟绿色通道并联审批。",
        lead: "生态环境局",
        units: &["发改局"],
        measures: &[("指导补充环境监测数据", "生态环境局", 20, None), ("组织技术评审会", "生态环境局", 40, None)],
        status: CaseStatus::Open,
        decision: None,
        links: &[1],
    },
    DemoCase {
        kind: CaseKind::OneProjectOnePolicy,
        issue: Some(6),
        title: "规划许可并联办理一项一策",
        policy: "自然资源局与住建局并联审查，容缺受理，限时办结。",
        lead: "自然资源局",
        units: &["住建局"],
        measures: &[("容缺受理规划许可申请", "自然资源局", -30, Some(31)), ("施工图并联审查", "住建局", -15, Some(16))],
        status: CaseStatus::Resolved,
        decision: None,
        links: &[6],
    },
    DemoCase {
        kind: CaseKind::OneMatterOneDiscussion,
        issue: None,
        title: "全县重点项目用地指标统筹",
        policy: "年内重点项目用地指标缺口较大，提请县政府统筹安排新增建设用地指标。",
        lead: "自然资源局",
        units: &["发改局", "财政局"],
        measures: &[],
        status: CaseStatus::InProgress,
        decision: Some(("优先保障省市重点项目用地，缺口部分通过增减挂钩解决。", "县政府常务会议")),
        links: &[],
    },
    DemoCase {
        kind: CaseKind::OneMatterOneDiscussion,
        issue: Some(4),
        title: "项目配套资金缺口",
        policy: "项目县级配套资金尚有缺口，提请研究资金筹措方案。",
        lead: "财政局",
        units: &["发改局"],
        measures: &[],
        status: CaseStatus::Open,
        decision: None,
        links: &[4],
    },
    DemoCase {
        kind: CaseKind::OneMatterOneDiscussion,
        issue: Some(13),
        title: "安全评价报告评审组织",
        policy: "安全预评价报告评审专家不足，提请协调市级专家支持。",
        lead: "应急管理局",
        units: &[],
        measures: &[],
        status: CaseStatus::Closed,
        decision: Some(("由应急管理局商请市应急管理局派专家参加评审。", "县重点项目建设指挥部")),
        links: &[13],
    },
];

/// Loads the demo cases. `projects` is what the project seed returned, `issues` how many demo
/// issues were loaded (issue `n` belongs to project `(n * 7) % projects.len()`).
pub async fn load(
    db: &impl ConnectionTrait,
    projects: &[(Uuid, Uuid)],
    issues: usize,
    today: NaiveDate,
) -> AppResult<usize> {
    if projects.is_empty() {
        return Ok(0);
    }
    let admin = demo_id("user", "admin");
    let now = Utc::now();
    let (mut cases, mut units, mut measures, mut links) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, c) in CASES.iter().enumerate() {
        if c.issue.is_some_and(|i| i >= issues) || c.links.iter().any(|i| *i >= issues) {
            continue;
        }
        let id = demo_id("case", &n.to_string());
        let lead = demo_id("unit", c.lead);
        let opened = now - chrono::Duration::days(40 - n as i64);
        cases.push(
            case::Model {
                id,
                kind: c.kind,
                project_id: c.issue.map(|i| projects[(i * 7) % projects.len()].0),
                title: c.title.to_owned(),
                policy: c.policy.to_owned(),
                lead_unit_id: lead,
                status: c.status,
                decision: c.decision.map(|(d, _)| d.to_owned()),
                decided_on: c.decision.map(|_| today - chrono::Duration::days(20)),
                decided_by: c.decision.map(|(_, by)| by.to_owned()),
                decided_at_meeting_id: None,
                opened_by: admin,
                created_at: opened,
                updated_at: now,
                closed_at: (c.status == CaseStatus::Closed).then_some(now),
            }
            .into_active_model(),
        );
        let mut participants: Vec<Uuid> =
            c.units.iter().chain(c.measures.iter().map(|m| &m.1)).map(|u| demo_id("unit", u)).collect();
        participants.sort();
        participants.dedup();
        participants.retain(|u| *u != lead);
        units.extend(participants.into_iter().map(|u| case_unit::ActiveModel { case_id: Set(id), unit_id: Set(u) }));
        for (position, (text, owner, deadline, done)) in c.measures.iter().enumerate() {
            measures.push(case_measure::ActiveModel {
                id: Set(demo_id("case-measure", &format!("{n}-{position}"))),
                case_id: Set(id),
                position: Set(position as i32),
                description: Set((*text).to_owned()),
                owner_unit_id: Set(demo_id("unit", owner)),
                deadline: Set(Some(today + chrono::Duration::days(*deadline))),
                done_on: Set(done.map(|d| today - chrono::Duration::days(d))),
            });
        }
        links.extend(c.links.iter().map(|i| case_link::ActiveModel {
            case_id: Set(id),
            target_type: Set(LinkTarget::Issue),
            target_id: Set(demo_id("issue", &i.to_string())),
            linked_by: Set(Some(admin)),
            linked_at: Set(opened),
        }));
    }
    let n = cases.len();
    if n > 0 {
        case::Entity::insert_many(cases).exec_without_returning(db).await?;
    }
    if !units.is_empty() {
        case_unit::Entity::insert_many(units).exec_without_returning(db).await?;
    }
    if !measures.is_empty() {
        case_measure::Entity::insert_many(measures).exec_without_returning(db).await?;
    }
    if !links.is_empty() {
        case_link::Entity::insert_many(links).exec_without_returning(db).await?;
    }
    Ok(n)
}
