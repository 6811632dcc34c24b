//! The ledgers (台账): the issues and the coordination cases, as the caller may see them.

use std::collections::HashMap;

use entity::{case, case_measure, case_unit, issue, project};
use sea_orm::sea_query::{Condition, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::{Cell, MAX_ROWS, Table, bounded, text};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::export::{Column, Kind, ready, streamed};
use crate::service::{case as cases, issue as issues, kit, labels};

const ISSUES: &[Column] = &[
    Column { header: "编号", width: 14.0, kind: Kind::Text },
    Column { header: "项目名称", width: 32.0, kind: Kind::Text },
    Column { header: "问题类型", width: 10.0, kind: Kind::Text },
    Column { header: "问题", width: 40.0, kind: Kind::Text },
    Column { header: "严重程度", width: 8.0, kind: Kind::Text },
    Column { header: "状态", width: 8.0, kind: Kind::Text },
    Column { header: "责任单位", width: 18.0, kind: Kind::Text },
    Column { header: "提出日期", width: 12.0, kind: Kind::Date },
    Column { header: "办结期限", width: 12.0, kind: Kind::Date },
    Column { header: "逾期天数", width: 8.0, kind: Kind::Integer },
];

/// 问题台账: the issues `caller` may see, oldest first; days overdue for the unfinished ones past due.
/// A province holds hundreds of thousands: they are counted, then read as the workbook is written.
pub(super) async fn issues(db: &DatabaseConnection, caller: &Caller, clock: &crate::clock::Clock) -> AppResult<Table> {
    let (today, zone) = (clock.today(), clock.zone());
    let visible = issues::visibility(caller);
    let select = issue::Entity::find().filter(visible.clone());
    let count = select.clone().count(db).await?;
    if count > MAX_ROWS {
        return Err(AppError::bad_input("sheet", format!("more than {MAX_ROWS} issues in one sheet")));
    }
    let select = select.order_by_asc(issue::Column::CreatedAt).order_by_asc(issue::Column::Id).limit(count);
    let names = project_names(db, of_visible(issue::Column::ProjectId, issue::Entity, visible)).await?;
    let units = kit::unit_names(db).await?;
    let subtitle = format!("截至{today} · 共{count}个问题");
    let table_rows = streamed(db.clone(), select, move |i| {
        let open = !issues::FINISHED.contains(&i.status);
        let overdue = i.due_date.filter(|due| open && *due < today).map(|due| (today - due).num_days());
        vec![
            Cell::Text(i.number),
            text(names.get(&i.project_id)),
            Cell::Text(labels::issue_kind(i.kind).to_owned()),
            Cell::Text(i.title),
            Cell::Text(labels::severity(i.severity).to_owned()),
            Cell::Text(labels::issue_status(i.status).to_owned()),
            text(i.assigned_unit_id.and_then(|u| units.get(&u))),
            Cell::Date(i.created_at.with_timezone(&zone).date_naive()),
            i.due_date.map_or(Cell::None, Cell::Date),
            overdue.map_or(Cell::None, Cell::Integer),
        ]
    });
    Ok(Table { title: "问题台账".to_owned(), subtitle, columns: ISSUES, rows: table_rows })
}

const CASES: &[Column] = &[
    Column { header: "序号", width: 6.0, kind: Kind::Integer },
    Column { header: "类型", width: 10.0, kind: Kind::Text },
    Column { header: "事项", width: 32.0, kind: Kind::Text },
    Column { header: "项目名称", width: 32.0, kind: Kind::Text },
    Column { header: "牵头单位", width: 18.0, kind: Kind::Text },
    Column { header: "参与单位", width: 30.0, kind: Kind::Text },
    Column { header: "状态", width: 8.0, kind: Kind::Text },
    Column { header: "措施数", width: 8.0, kind: Kind::Integer },
    Column { header: "已完成措施", width: 10.0, kind: Kind::Integer },
    Column { header: "逾期措施", width: 8.0, kind: Kind::Integer },
    Column { header: "最近措施期限", width: 12.0, kind: Kind::Date },
    Column { header: "议定事项", width: 36.0, kind: Kind::Text },
    Column { header: "议定日期", width: 12.0, kind: Kind::Date },
    Column { header: "议定机构", width: 16.0, kind: Kind::Text },
    Column { header: "提出日期", width: 12.0, kind: Kind::Date },
    Column { header: "办结日期", width: 12.0, kind: Kind::Date },
];

/// A case's measures in figures: how many, how many done, how many unfinished past their deadline,
/// and the nearest deadline of the unfinished ones.
#[derive(Default)]
struct Measures {
    total: i64,
    done: i64,
    overdue: i64,
    next_deadline: Option<chrono::NaiveDate>,
}

/// 一项一策、一事一议台账: the coordination cases `caller` may see, oldest first, with their units,
/// their measures in figures and what was decided.
pub(super) async fn cases(db: &impl ConnectionTrait, caller: &Caller, clock: &crate::clock::Clock) -> AppResult<Table> {
    let (today, zone) = (clock.today(), clock.zone());
    let visible = cases::visibility(caller);
    let rows = case::Entity::find()
        .filter(visible.clone())
        .order_by_asc(case::Column::CreatedAt)
        .order_by_asc(case::Column::Id)
        .limit(MAX_ROWS + 1)
        .all(db)
        .await?;
    let rows = bounded(rows, "cases")?;
    let ids = || of_visible(case::Column::Id, case::Entity, visible.clone());
    let names = project_names(db, of_visible(case::Column::ProjectId, case::Entity, visible.clone())).await?;
    let units = kit::unit_names(db).await?;
    let mut taking_part: HashMap<Uuid, Vec<String>> = HashMap::new();
    let pairs: Vec<(Uuid, Uuid)> = case_unit::Entity::find()
        .select_only()
        .columns([case_unit::Column::CaseId, case_unit::Column::UnitId])
        .filter(case_unit::Column::CaseId.in_subquery(ids()))
        .into_tuple()
        .all(db)
        .await?;
    for (case_id, unit_id) in &pairs {
        if let Some(name) = units.get(unit_id) {
            taking_part.entry(*case_id).or_default().push(name.clone());
        }
    }
    let mut measures: HashMap<Uuid, Measures> = HashMap::new();
    let listed: Vec<(Uuid, Option<chrono::NaiveDate>, Option<chrono::NaiveDate>)> = case_measure::Entity::find()
        .select_only()
        .columns([case_measure::Column::CaseId, case_measure::Column::Deadline, case_measure::Column::DoneOn])
        .filter(case_measure::Column::CaseId.in_subquery(ids()))
        .into_tuple()
        .all(db)
        .await?;
    for (case_id, deadline, done_on) in listed {
        let m = measures.entry(case_id).or_default();
        m.total += 1;
        if done_on.is_some() {
            m.done += 1;
        } else if let Some(deadline) = deadline {
            m.overdue += i64::from(deadline < today);
            m.next_deadline = Some(m.next_deadline.map_or(deadline, |d| d.min(deadline)));
        }
    }
    let subtitle = format!("截至{today} · 共{}件", rows.len());
    let table_rows = rows.into_iter().zip(1..).map(move |(c, n)| {
        let m = measures.get(&c.id);
        let figure = |f: fn(&Measures) -> i64| Cell::Integer(m.map_or(0, f));
        let mut part = taking_part.remove(&c.id).unwrap_or_default();
        part.sort_unstable();
        vec![
            Cell::Integer(n),
            Cell::Text(labels::case_kind(c.kind).to_owned()),
            Cell::Text(c.title),
            text(c.project_id.and_then(|p| names.get(&p))),
            text(units.get(&c.lead_unit_id)),
            if part.is_empty() { Cell::None } else { Cell::Text(part.join("、")) },
            Cell::Text(labels::case_status(c.status).to_owned()),
            figure(|m| m.total),
            figure(|m| m.done),
            figure(|m| m.overdue),
            m.and_then(|m| m.next_deadline).map_or(Cell::None, Cell::Date),
            c.decision.map_or(Cell::None, Cell::Text),
            c.decided_on.map_or(Cell::None, Cell::Date),
            c.decided_by.map_or(Cell::None, Cell::Text),
            Cell::Date(c.created_at.with_timezone(&zone).date_naive()),
            c.closed_at.map_or(Cell::None, |t| Cell::Date(t.with_timezone(&zone).date_naive())),
        ]
    });
    Ok(Table {
        title: "一项一策、一事一议台账".to_owned(), subtitle, columns: CASES, rows: ready(table_rows)
    })
}

/// `column` of the rows of `entity` that `visible` lets through, as a subquery.
fn of_visible<E: EntityTrait>(
    column: impl sea_orm::sea_query::IntoColumnRef,
    entity: E,
    visible: Condition,
) -> SelectStatement {
    Query::select().column(column).from(entity).cond_where(visible).to_owned()
}

/// The names of the projects `ids` (a subquery) names.
async fn project_names(db: &impl ConnectionTrait, ids: SelectStatement) -> AppResult<HashMap<Uuid, String>> {
    let names: Vec<(Uuid, String)> = project::Entity::find()
        .select_only()
        .columns([project::Column::Id, project::Column::Name])
        .filter(project::Column::Id.in_subquery(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(names.into_iter().collect())
}
