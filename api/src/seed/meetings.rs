//! Demo scheduling meetings for the year so far: the heads' monthly scheduling, each industry's
//! leader scheduling their industry (some more often than others), executive and on-site meetings
//! and the office's own; with agendas, minutes (one corrected), decisions (one deciding a demo
//! 一事一议 case) and action items in every state, some overdue, noticed and escalated, so that
//! `leaderActivity` shows real differences between leaders.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::action_item_event::{self, ActionItemEventKind};
use entity::meeting::{self, MeetingKind, MeetingStatus};
use entity::project::{self, Industry};
use entity::{case, meeting_agenda, meeting_decision, meeting_minutes, meeting_unit};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::demo::demo_id;
use crate::error::AppResult;

/// (chair, kind, industry, every how many months, title)
const SERIES: &[(&str, MeetingKind, Option<Industry>, u32, &str)] = &[
    ("leader", MeetingKind::TopLeaders, None, 1, "全县重点项目调度会"),
    ("leader2", MeetingKind::Executive, None, 3, "县政府常务会议（重点项目专题）"),
    ("deputy.auto", MeetingKind::Industry, Some(Industry::AutoParts), 1, "汽配产业项目调度会"),
    ("deputy.salt", MeetingKind::Industry, Some(Industry::SaltChemical), 2, "盐化产业项目调度会"),
    ("deputy.textile", MeetingKind::Industry, Some(Industry::Textile), 3, "纺织产业项目调度会"),
    ("deputy.paper", MeetingKind::Industry, Some(Industry::Paper), 4, "造纸产业项目调度会"),
    ("deputy.food", MeetingKind::Industry, Some(Industry::Food), 5, "食品产业项目调度会"),
    ("admin", MeetingKind::ProjectOffice, None, 2, "项目办周调度会"),
    ("leader", MeetingKind::OnSite, None, 4, "重点项目现场办公会"),
];

const OPINIONS: &[&str] = &[
    "加快施工进度，确保月度投资计划完成。",
    "要素保障部门现场办公，限期解决用地问题。",
    "倒排工期，挂图作战，每周报送进展。",
    "协调供电部门提前接入施工用电。",
];

const TASKS: &[&str] = &[
    "完成剩余地块征收补偿协议签订",
    "协调办理施工许可证",
    "落实配套道路建设资金",
    "组织设备进场并报送安装计划",
    "完成环评批复前置条件整改",
];

/// The county's 09:00 on `day` (China's time), as an instant.
fn nine_am(day: NaiveDate) -> DateTime<Utc> {
    crate::clock::midnight(day, crate::clock::china()) + Duration::hours(9)
}

#[derive(Default)]
struct Rows {
    meetings: Vec<meeting::Model>,
    units: Vec<meeting_unit::Model>,
    agenda: Vec<meeting_agenda::Model>,
    minutes: Vec<meeting_minutes::Model>,
    decisions: Vec<meeting_decision::Model>,
    items: Vec<action_item::Model>,
    events: Vec<action_item_event::ActiveModel>,
}

async fn project_pool(db: &impl ConnectionTrait) -> AppResult<Vec<(Uuid, Industry, Uuid)>> {
    Ok(project::Entity::find()
        .select_only()
        .columns([project::Column::Id, project::Column::Industry, project::Column::ResponsibleUnitId])
        .order_by_asc(project::Column::Name)
        .into_tuple()
        .all(db)
        .await?)
}

/// The projects a series dispatches: its industry's, or every project.
fn pool_for(projects: &[(Uuid, Industry, Uuid)], industry: Option<Industry>) -> Vec<&(Uuid, Industry, Uuid)> {
    let pool: Vec<_> = projects.iter().filter(|p| industry.is_none_or(|i| p.1 == i)).collect();
    if pool.is_empty() { projects.iter().collect() } else { pool }
}

/// Loads the demo meetings; returns how many.
pub async fn load(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<usize> {
    let projects = project_pool(db).await?;
    if projects.is_empty() {
        return Ok(0);
    }
    let admin = demo_id("user", "admin");
    let mut rows = Rows::default();
    let mut n: usize = 0;
    for (series, (chair, kind, industry, every, title)) in SERIES.iter().enumerate() {
        let chair = demo_id("user", chair);
        let pool = pool_for(&projects, *industry);
        // Held meetings over the last eleven months, the latest first; then one to come.
        for months_ago in (0..11u32).filter(|m| m % every == 0) {
            let day = today - Duration::days(i64::from(months_ago) * 30 + 3 + series as i64);
            let id = demo_id("meeting", &format!("{series}:{months_ago}"));
            let status =
                if months_ago == 0 && series < 2 { MeetingStatus::Held } else { MeetingStatus::MinutesPublished };
            add_meeting(&mut rows, n, id, (*kind, *industry, chair, admin), title, day, status, &pool, today);
            n += 1;
        }
    }
    // One to come and one called off.
    let leader = demo_id("user", "leader");
    for (key, status, days) in [("next", MeetingStatus::Scheduled, 7), ("off", MeetingStatus::Cancelled, 2)] {
        let at = nine_am(today + Duration::days(days));
        rows.meetings.push(meeting::Model {
            id: demo_id("meeting", key),
            kind: MeetingKind::TopLeaders,
            title: "全县重点项目调度会".into(),
            chair_id: leader,
            starts_at: at,
            place: "县政府三楼会议室".into(),
            industry: None,
            status,
            cancel_reason: (status == MeetingStatus::Cancelled).then(|| "与省重点项目观摩活动时间冲突，顺延".into()),
            minutes_draft: None,
            created_by: admin,
            created_at: at - Duration::days(10),
            updated_at: at - Duration::days(10),
            held_at: None,
        });
    }
    // A 一事一议 matter the executive meeting decided (the demo case decided by 县政府常务会议).
    let matter = demo_id("case", "3");
    let executive = rows.meetings.iter().find(|m| m.kind == MeetingKind::Executive).map(|m| m.id);
    if let Some(executive) = executive
        && case::Entity::find_by_id(matter).one(db).await?.is_some_and(|c| c.decision.is_some())
    {
        let position = rows.decisions.iter().filter(|d| d.meeting_id == executive).count() as i32;
        let text = "优先保障省市重点项目用地，缺口部分通过增减挂钩解决。".to_owned();
        let at = rows.meetings.iter().find(|m| m.id == executive).map_or_else(Utc::now, |m| m.starts_at);
        rows.decisions.push(meeting_decision::Model {
            id: demo_id("decision", "matter"),
            meeting_id: executive,
            position,
            text,
            case_id: Some(matter),
            recorded_by: admin,
            created_at: at,
        });
        case::Entity::update_many()
            .col_expr(case::Column::DecidedAtMeetingId, Expr::value(executive))
            .filter(case::Column::Id.eq(matter))
            .exec(db)
            .await?;
    }
    let count = rows.meetings.len();
    insert(db, rows).await?;
    Ok(count)
}

/// Adds `count` more held meetings of the demo series to a seeded county, spread over the last
/// year, with their agendas, minutes, decisions and items, for benchmarks. Returns how many
/// meetings there are now.
pub async fn add_generated(db: &sea_orm::DatabaseConnection, count: usize) -> AppResult<usize> {
    use sea_orm::PaginatorTrait;
    let today = crate::clock::Clock::default().today();
    let projects = project_pool(db).await?;
    if projects.is_empty() {
        return Ok(0);
    }
    let admin = demo_id("user", "admin");
    let mut rows = Rows::default();
    for n in 0..count {
        let (chair, kind, industry, _, title) = SERIES[n % SERIES.len()];
        let pool = pool_for(&projects, industry);
        let day = today - Duration::days((n % 360) as i64 + 1);
        let id = demo_id("meeting", &format!("generated:{n}"));
        let parts = (kind, industry, demo_id("user", chair), admin);
        add_meeting(&mut rows, n, id, parts, title, day, MeetingStatus::MinutesPublished, &pool, today);
    }
    let txn = crate::db::begin_write(db).await?;
    insert(&txn, rows).await?;
    txn.commit().await?;
    Ok(meeting::Entity::find().count(db).await? as usize)
}

#[expect(clippy::too_many_arguments, reason = "one demo meeting from its series' parts")]
fn add_meeting(
    rows: &mut Rows,
    n: usize,
    id: Uuid,
    (kind, industry, chair, admin): (MeetingKind, Option<Industry>, Uuid, Uuid),
    title: &str,
    day: NaiveDate,
    status: MeetingStatus,
    pool: &[&(Uuid, Industry, Uuid)],
    today: NaiveDate,
) {
    let at = nine_am(day);
    let size = 2 + n % 3;
    let agenda: Vec<&(Uuid, Industry, Uuid)> =
        (0..size.min(pool.len())).map(|k| pool[(n * 3 + k * 5) % pool.len()]).collect();
    let mut seen = std::collections::HashSet::new();
    let agenda: Vec<_> = agenda.into_iter().filter(|p| seen.insert(p.0)).collect();
    for (position, p) in (0..).zip(&agenda) {
        rows.agenda.push(meeting_agenda::Model {
            meeting_id: id,
            project_id: p.0,
            position,
            opinion: OPINIONS[(n + position as usize) % OPINIONS.len()].into(),
        });
    }
    let mut units: Vec<Uuid> = agenda.iter().map(|p| p.2).collect();
    units.sort();
    units.dedup();
    rows.units.extend(units.iter().map(|u| meeting_unit::Model { meeting_id: id, unit_id: *u }));
    let minutes = format!(
        "{title}纪要：会议听取了{}个项目推进情况汇报，研究解决了存在的问题，明确了责任单位和完成时限。",
        agenda.len()
    );
    rows.meetings.push(meeting::Model {
        id,
        kind,
        title: title.into(),
        chair_id: chair,
        starts_at: at,
        place: if kind == MeetingKind::OnSite { "项目现场".into() } else { "县政府会议室".into() },
        industry,
        status,
        cancel_reason: None,
        minutes_draft: (status == MeetingStatus::Held).then(|| minutes.clone()),
        created_by: admin,
        created_at: at - Duration::days(5),
        updated_at: at + Duration::hours(4),
        held_at: Some(at + Duration::hours(3)),
    });
    if status == MeetingStatus::MinutesPublished {
        let first = demo_id("minutes", &format!("{id}:1"));
        rows.minutes.push(meeting_minutes::Model {
            id: first,
            meeting_id: id,
            version: 1,
            text: minutes.clone(),
            replaces_id: None,
            published_by: admin,
            published_at: at + Duration::days(1),
        });
        // Every seventh meeting's minutes were corrected once.
        if n % 7 == 3 {
            rows.minutes.push(meeting_minutes::Model {
                id: demo_id("minutes", &format!("{id}:2")),
                meeting_id: id,
                version: 2,
                text: format!("{minutes}（更正：完成时限以交办单为准。）"),
                replaces_id: Some(first),
                published_by: admin,
                published_at: at + Duration::days(3),
            });
        }
    }
    let decision = demo_id("decision", &id.to_string());
    rows.decisions.push(meeting_decision::Model {
        id: decision,
        meeting_id: id,
        position: 0,
        text: "会议议定：各责任单位按交办事项限期办结，项目办跟踪督办，逾期提请主持领导督办。".into(),
        case_id: None,
        recorded_by: admin,
        created_at: at + Duration::hours(3),
    });
    for (position, p) in (0..).zip(agenda.iter().take(1 + n % 3)) {
        let k = n * 7 + position as usize;
        let item = demo_id("action_item", &format!("{id}:{position}"));
        let deadline = day + Duration::days(14 + (k % 3) as i64 * 8);
        let (status, done_on) = match (deadline < today, k % 5) {
            (true, 0..=2) => (ActionItemStatus::Verified, Some(deadline - Duration::days((k % 4) as i64))),
            (true, 3) => (ActionItemStatus::Done, Some(deadline + Duration::days(3))),
            (true, _) => (ActionItemStatus::Open, None),
            (false, 0) => (ActionItemStatus::Done, Some(today.min(deadline))),
            (false, _) => (ActionItemStatus::Open, None),
        };
        let done_on = done_on.map(|d| d.min(today));
        let overdue = status == ActionItemStatus::Open && deadline < today;
        let noticed = overdue.then(|| nine_am(deadline + Duration::days(1)));
        let escalated = (overdue && (today - deadline).num_days() > 7).then(|| nine_am(deadline + Duration::days(8)));
        let created = at + Duration::hours(3);
        let events = &mut rows.events;
        let mut event =
            |kind: ActionItemEventKind, at: DateTime<Utc>, actor: Option<Uuid>, text: Option<&str>, unit, user| {
                events.push(action_item_event::ActiveModel {
                    id: NotSet,
                    item_id: Set(item),
                    kind: Set(kind),
                    actor_id: Set(actor),
                    text: Set(text.map(str::to_owned)),
                    unit_id: Set(unit),
                    user_id: Set(user),
                    at: Set(at),
                });
            };
        event(ActionItemEventKind::Assigned, created, Some(admin), None, Some(p.2), None);
        if let Some(done) = done_on {
            event(ActionItemEventKind::Done, nine_am(done), None, Some("已按要求办结。"), None, None);
        }
        if status == ActionItemStatus::Verified {
            let on = done_on.map_or(created, |d| nine_am(d + Duration::days(1)));
            event(ActionItemEventKind::Verified, on, Some(admin), None, Some(p.2), None);
        }
        if let Some(noticed) = noticed {
            event(ActionItemEventKind::Notice, noticed, None, Some("逾期未办结，督办通知"), Some(p.2), None);
        }
        if let Some(escalated) = escalated {
            event(ActionItemEventKind::Escalated, escalated, None, Some("逾期提交会议主持领导督办"), None, Some(chair));
        }
        rows.items.push(action_item::Model {
            id: item,
            meeting_id: id,
            decision_id: Some(decision),
            position,
            task: TASKS[k % TASKS.len()].into(),
            owner_unit_id: p.2,
            project_id: Some(p.0),
            deadline,
            status,
            done_report: done_on.map(|_| "已按要求办结。".into()),
            done_on,
            done_at: done_on.map(nine_am),
            verified_at: (status == ActionItemStatus::Verified)
                .then(|| done_on.map_or(created, |d| nine_am(d + Duration::days(1)))),
            noticed_at: noticed,
            escalated_at: escalated,
            escalated_to: escalated.map(|_| chair),
            created_at: created,
            updated_at: created,
        });
    }
}

async fn insert(db: &impl ConnectionTrait, rows: Rows) -> AppResult<()> {
    for chunk in rows.meetings.chunks(200) {
        meeting::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.units.chunks(500) {
        meeting_unit::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.agenda.chunks(500) {
        meeting_agenda::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.minutes.chunks(200) {
        meeting_minutes::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.decisions.chunks(200) {
        meeting_decision::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.items.chunks(200) {
        action_item::Entity::insert_many(chunk.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(db)
            .await?;
    }
    for chunk in rows.events.chunks(500) {
        action_item_event::Entity::insert_many(chunk.iter().cloned()).exec_without_returning(db).await?;
    }
    Ok(())
}
