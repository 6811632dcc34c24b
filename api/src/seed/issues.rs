//! Demo issues: every kind, every status, some overdue and escalated, each with the timeline its
//! status implies, handled by the functional department a county would send it to.

use chrono::{Datelike, NaiveDate, Utc};
use entity::issue::{self, IssueKind, IssueSource, IssueStatus, Severity};
use entity::issue_event::{self, IssueEventKind};
use entity::{issue_counter, issue_unit, project};
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::demo::demo_id;
use crate::error::AppResult;

/// (kind, title, the unit that handles it)
const PROBLEMS: &[(IssueKind, &str, &str)] = &[
    (IssueKind::LandAcquisition, "征地尚余两户未签约", "自然资源局"),
    (IssueKind::EnvironmentalAssessment, "环评批复未取得", "生态环境局"),
    (IssueKind::SafetyAssessment, "安全预评价报告待评审", "应急管理局"),
    (IssueKind::Logistics, "原料运输道路限高", "交通运输局"),
    (IssueKind::Funding, "配套资金未到位", "财政局"),
    (IssueKind::Utilities, "施工用电未接入", "供电公司"),
    (IssueKind::PlanningPermit, "建设工程规划许可证待办", "自然资源局"),
    (IssueKind::ConstructionEnvironment, "周边村民阻工", "襄阳街街道"),
    (IssueKind::Quality, "钢筋保护层厚度不足", "住建局"),
    (IssueKind::SafetyHazard, "基坑临边防护缺失", "应急管理局"),
    (IssueKind::Other, "项目用工招聘困难", "人社局"),
];

const STATUSES: [IssueStatus; 7] = [
    IssueStatus::Open,
    IssueStatus::Assigned,
    IssueStatus::Accepted,
    IssueStatus::InProgress,
    IssueStatus::Resolved,
    IssueStatus::Verified,
    IssueStatus::Closed,
];

/// Demo issues the county starts with.
pub const DEMO_ISSUES: usize = 77;

/// Loads the demo issues for `projects` (id, linked leader) as of `today`.
pub async fn load(db: &impl ConnectionTrait, projects: &[(Uuid, Uuid)], today: NaiveDate) -> AppResult<usize> {
    generate(db, projects, today, 0..projects.len().min(DEMO_ISSUES)).await
}

/// Adds `count` more issues of the same pattern to a seeded county, for benchmarks: spread over
/// every project, with their timelines. Returns how many there are now.
pub async fn add_generated(db: &DatabaseConnection, count: usize) -> AppResult<usize> {
    let projects: Vec<(Uuid, Uuid)> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::LeaderId)
        .order_by_asc(project::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let have = issue::Entity::find().count(db).await? as usize;
    let txn = crate::db::begin_write(db).await?;
    let n = generate(&txn, &projects, crate::clock::Clock::default().today(), have..have + count).await?;
    txn.commit().await?;
    Ok(have + n)
}

/// Inserts issues number `range` of the pattern, in batches the databases' parameter limits allow.
async fn generate(
    db: &impl ConnectionTrait,
    projects: &[(Uuid, Uuid)],
    today: NaiveDate,
    range: std::ops::Range<usize>,
) -> AppResult<usize> {
    if projects.is_empty() || range.is_empty() {
        return Ok(0);
    }
    let admin = demo_id("user", "admin");
    let inspector = demo_id("user", "inspector");
    let year = today.year();
    let mut issues = Vec::new();
    let mut events = Vec::new();
    let mut co_units = Vec::new();
    let last = range.end;
    for n in range {
        let (project_id, leader) = projects[(n * 7) % projects.len()];
        let (kind, title, unit_name) = PROBLEMS[n % PROBLEMS.len()];
        let status = STATUSES[n % STATUSES.len()];
        let unit = demo_id("unit", unit_name);
        let raised = today - chrono::Duration::days(5 + (n as i64 * 3) % 60);
        // Some are due well past, some soon, some later.
        let due = raised + chrono::Duration::days([10, 20, 45, 90][n % 4]);
        let id = demo_id("issue", &format!("{n}"));
        let at = |d: NaiveDate, h: u32| d.and_hms_opt(9 + h, 0, 0).unwrap_or_default().and_utc();
        let mut push = |kind: IssueEventKind, actor: Option<Uuid>, text: Option<&str>, unit: Option<Uuid>, h: u32| {
            events.push(issue_event::ActiveModel {
                issue_id: Set(id),
                kind: Set(kind),
                actor_id: Set(actor),
                text: Set(text.map(str::to_owned)),
                unit_id: Set(unit),
                at: Set(at(raised, h)),
                ..Default::default()
            });
        };
        push(IssueEventKind::Raised, Some(inspector), None, None, 0);
        let rank = STATUSES.iter().position(|s| *s == status).unwrap_or(0);
        let steps = [
            (IssueEventKind::Assigned, Some(admin), None, Some(unit)),
            (IssueEventKind::Accepted, None, None, None),
            (IssueEventKind::Started, None, None, None),
            (IssueEventKind::Resolved, None, Some("已协调解决"), None),
            (IssueEventKind::Verified, Some(inspector), Some("现场核实已解决"), None),
            (IssueEventKind::Closed, Some(admin), None, None),
        ];
        for (i, (kind, actor, text, unit)) in steps.iter().take(rank).enumerate() {
            push(*kind, actor.or(Some(admin)), *text, *unit, 1 + i as u32);
        }
        if n % 5 == 0 {
            push(IssueEventKind::Instruction, Some(leader), Some("请相关单位限期解决，确保项目按期推进"), None, 8);
        }
        let finished = matches!(status, IssueStatus::Resolved | IssueStatus::Verified | IssueStatus::Closed);
        let escalate = !finished && (today - due).num_days() > 7;
        if escalate {
            push(IssueEventKind::Escalated, None, Some("逾期未办结，提级至联系领导督办"), None, 9);
        }
        if n % 3 == 0 {
            let co = demo_id("unit", "发改局");
            if co != unit {
                co_units.push(issue_unit::ActiveModel { issue_id: Set(id), unit_id: Set(co) });
            }
        }
        let number = format!("{year}-{:04}", n + 1);
        issues.push(
            issue::Model {
                id,
                number,
                project_id,
                kind,
                title: title.to_owned(),
                description: format!("{title}，影响项目推进，需{unit_name}协调。"),
                severity: [Severity::Low, Severity::Medium, Severity::High][n % 3],
                source: [IssueSource::Inspection, IssueSource::Meeting, IssueSource::Report, IssueSource::Manual]
                    [n % 4],
                status,
                reporter_id: inspector,
                assigned_unit_id: (rank >= 1).then_some(unit),
                due_date: Some(due),
                resolution: (rank >= 4).then(|| "已协调解决".to_owned()),
                escalated_at: escalate.then(|| at(raised, 9)),
                escalated_to: escalate.then_some(leader),
                meeting_id: None,
                meeting_decision_id: None,
                created_at: at(raised, 0),
                updated_at: Utc::now(),
                closed_at: (status == IssueStatus::Closed).then(|| at(raised, 6)),
            }
            .into_active_model(),
        );
    }
    let n = issues.len();
    for chunk in chunks(issues) {
        issue::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    for chunk in chunks(events) {
        issue_event::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    for chunk in chunks(co_units) {
        issue_unit::Entity::insert_many(chunk).exec_without_returning(db).await?;
    }
    let last = i32::try_from(last).unwrap_or(i32::MAX);
    issue_counter::Entity::insert(issue_counter::ActiveModel { year: Set(year), last: Set(last) })
        .on_conflict(
            OnConflict::column(issue_counter::Column::Year).update_column(issue_counter::Column::Last).to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(n)
}

/// Rows in batches of 500, well within SQLite's and PostgreSQL's bound-parameter limits.
fn chunks<T>(rows: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        out.push(rows.by_ref().take(500).collect());
    }
    out
}
