//! A page of the project library, read with the columns its caller needs.

use entity::project::{self, Carried, Light};
use entity::{monthly_report, unit, user};
use sea_orm::sea_query::{Alias, Asterisk, Expr};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, JoinType, QuerySelect, QueryTrait, RelationDef,
    Select, Statement,
};

use super::columns::Columns;
use super::query::{Order, OrderField, ProjectFilter, page_query, sort_columns};
use crate::error::AppResult;
use crate::service::account::{UnitColumns, UserColumns};
use crate::service::columns::Reader;
use crate::service::page::{Page, PageRequest};
use crate::service::report::Newest;

/// The columns the cursor of a list in `order` is made of (see `query::cursor_key`).
pub fn cursor_columns(order: Order) -> Columns {
    match order.field {
        OrderField::Name => Columns::id().with(project::Column::Name),
        OrderField::TotalInvestment => Columns::id().with(project::Column::TotalInvestmentFen),
        OrderField::CreatedAt => Columns::id(),
    }
}

/// What a page of projects reads besides the columns of its projects: each one's kept light when
/// it is current for `light_on`, the columns of its responsible unit and leader that their
/// selections show, and its newest reports.
#[derive(Clone, Copy, Default)]
pub struct Reads {
    pub light_on: Option<chrono::NaiveDate>,
    pub unit: Option<UnitColumns>,
    pub leader: Option<UserColumns>,
    pub reports: Option<Newest>,
}

/// A project on a page with what [`Reads`] read with it.
pub struct ProjectRead {
    pub project: project::Model,
    /// Its kept light, when asked for and current; otherwise its light's loader computes it.
    pub light: Option<Light>,
    pub unit: Option<unit::Model>,
    pub leader: Option<user::Model>,
    /// Its newest reports as [`Reads::reports`] asked, newest first.
    pub reports: Option<(Newest, Vec<monthly_report::Model>)>,
}

/// A page of projects with `columns` (and those of the order's cursor) read, and with each project
/// what `reads` asks, read by the page's own statement ([`page_statement`]): a page that shows
/// lights, unit names and leaders' names needs no second statement for them. A project whose kept
/// light is stale has none here; its light's loader computes and keeps it as before. Readable by
/// every signed-in caller.
pub async fn list_read(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    columns: Columns,
    reads: Reads,
) -> AppResult<Page<ProjectRead>> {
    let backend = db.get_database_backend();
    let statement = page_statement(backend, filter, order, page, columns, reads)?;
    let columns = read_columns(columns, order, reads);
    let rows = db.query_all(statement).await?;
    let Some(first) = rows.first() else {
        return Ok(Page::from_fetched(Vec::new(), page));
    };
    let names = first.column_names();
    let projects = columns.reader(&names, "")?;
    let units = reads.unit.map(|c| c.reader(&names, UNIT_)).transpose()?;
    let leaders = reads.leader.map(|c| c.reader(&names, LEADER_)).transpose()?;
    let place = |name: &str| {
        names.iter().position(|n| n == name).ok_or_else(|| DbErr::Type(format!("the page's statement reads no {name}")))
    };
    let light_at = reads.light_on.map(|_| place(CURRENT_LIGHT)).transpose()?;
    let reports = match reads.reports {
        Some(newest) if Newest::joined(backend) => {
            Some((newest, Reports::Joined(Box::new(newest.read().reader(&names, REPORT_)?))))
        }
        Some(newest) => Some((newest, Reports::Json(place(NEWEST_REPORTS)?))),
        None => None,
    };
    let mut read: Vec<ProjectRead> = Vec::with_capacity(rows.len());
    for row in &rows {
        let joined = match &reports {
            Some((_, Reports::Joined(reader))) if reader.found(row)? => Some(reader.read(row)?),
            _ => None,
        };
        // Joined, each project's rows follow one another (the page is ordered by id last).
        if let Some((_, Reports::Joined(_))) = &reports
            && let Some(last) = read.last_mut()
            && Some(last.project.id) == projects.key(row)?
        {
            if let (Some(report), Some((_, of_last))) = (joined, &mut last.reports) {
                of_last.push(report);
            }
            continue;
        }
        let light = match light_at {
            Some(at) => row.try_get_by_index::<Option<Light>>(at)?,
            None => None,
        };
        let unit = match &units {
            Some(units) if units.found(row)? => Some(units.read(row)?),
            _ => None,
        };
        let leader = match &leaders {
            Some(leaders) if leaders.found(row)? => Some(leaders.read(row)?),
            _ => None,
        };
        let project = projects.read(row)?;
        let reports = match &reports {
            Some((newest, Reports::Joined(_))) => Some((*newest, joined.into_iter().collect())),
            Some((newest, Reports::Json(at))) => {
                let text = row.try_get_by_index::<Option<String>>(*at)?;
                Some((*newest, newest.from_json(project.id, text.as_deref())?))
            }
            None => None,
        };
        read.push(ProjectRead { project, light, unit, leader, reports });
    }
    for (_, reports) in read.iter_mut().filter_map(|p| p.reports.as_mut()) {
        reports.sort_unstable_by(|a, b| b.period.cmp(&a.period));
    }
    Ok(Page::from_fetched(read, page))
}

/// Where the rows of a page hold its projects' newest reports (see [`Newest::joined`]).
enum Reports {
    /// In columns of their own, one row per report.
    Joined(Box<Reader<monthly_report::Model>>),
    /// As JSON in this column.
    Json(usize),
}

/// The statement of a page of projects in `order` with `columns` (and those of the order's cursor
/// and the keys of its joins) read, and with each project what `reads` asks: its current kept light
/// (the copy on its row), its unit and leader by joins to the page's rows, its newest reports by a
/// lateral join (PostgreSQL: one row per report, the project's columns repeated) or a subquery of
/// JSON (SQLite; see [`Newest::joined`]).
pub fn page_statement(
    backend: DbBackend,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    columns: Columns,
    reads: Reads,
) -> AppResult<Statement> {
    let columns = read_columns(columns, order, reads);
    let mut q = columns.select(page_query(filter, order, page, backend)?);
    if let Some(today) = reads.light_on {
        // The copy of its kept light each project carries (see `lights::store`), where current
        // today: no statement or search beyond the page's rows. (Searched in the kept lights, once
        // per row, it cost PostgreSQL half as much again as the page's names.)
        let carried = |column| Expr::col((project::Entity, column));
        let light = Expr::case(carried(Carried::KeptLightDay).eq(today), carried(Carried::KeptLight))
            .finally(Expr::value(Option::<String>::None));
        q = q.expr_as(light, CURRENT_LIGHT);
    }
    if (reads.unit.is_some() || reads.leader.is_some() || reads.reports.is_some()) && backend == DbBackend::Postgres {
        q = joined_to_the_page(q, order);
    }
    if let Some(newest) = reads.reports {
        let of_the_project = Expr::col((project::Entity, project::Column::Id)).into();
        if Newest::joined(backend) {
            let alias = Alias::new(REPORT);
            QueryTrait::query(&mut q).join_lateral(
                JoinType::LeftJoin,
                newest.lateral(of_the_project),
                alias,
                Expr::cust("TRUE"),
            );
            q = newest.read().select_as(q, REPORT, REPORT_);
        } else {
            q = q.expr_as(Expr::cust(newest.as_json(of_the_project)), NEWEST_REPORTS);
        }
    }
    if let Some(unit) = reads.unit {
        let on: RelationDef = project::Entity::belongs_to(unit::Entity)
            .from(project::Column::ResponsibleUnitId)
            .to(unit::Column::Id)
            .into();
        q = unit.select_as(q.join_as(JoinType::LeftJoin, on, Alias::new(UNIT)), UNIT, UNIT_);
    }
    if let Some(leader) = reads.leader {
        let on: RelationDef =
            project::Entity::belongs_to(user::Entity).from(project::Column::LeaderId).to(user::Column::Id).into();
        q = leader.select_as(q.join_as(JoinType::LeftJoin, on, Alias::new(LEADER)), LEADER, LEADER_);
    }
    Ok(q.build(backend))
}

/// The columns of its projects a page reads: those asked for, those of the order's cursor, and the
/// keys its joins follow.
fn read_columns(columns: Columns, order: Order, reads: Reads) -> Columns {
    let mut columns = columns.and(cursor_columns(order));
    if reads.unit.is_some() {
        columns = columns.with(project::Column::ResponsibleUnitId);
    }
    if reads.leader.is_some() {
        columns = columns.with(project::Column::LeaderId);
    }
    columns
}

/// `page` (filtered, ordered, limited) read first and then named like the projects table for the
/// joins that follow, in the same order: the joins meet the page's rows alone (and the limit counts
/// projects, not their reports). Joined to the whole table before the limit, PostgreSQL hashed every
/// project's unit (or leader) to keep fifty. (SQLite
/// joins row by row in the index's order and stops at the limit as it is; wrapped, it sorted the
/// page again, not knowing the inner order holds.)
fn joined_to_the_page(page: Select<project::Entity>, order: Order) -> Select<project::Entity> {
    let mut outer = project::Entity::find();
    let statement = QueryTrait::query(&mut outer);
    statement
        .clear_selects()
        .from_clear()
        .column((project::Entity, Asterisk))
        .from_subquery(page.into_query(), project::Entity);
    for (column, direction) in sort_columns(order) {
        statement.order_by((project::Entity, column), direction);
    }
    outer
}

/// The name of the column holding a project's current kept light.
const CURRENT_LIGHT: &str = "current_light";
/// The name of the column holding a project's newest reports as JSON.
const NEWEST_REPORTS: &str = "newest_reports";
/// The alias of the joined newest reports, and the prefix of their columns.
const REPORT: &str = "nr";
const REPORT_: &str = "nr_";

/// The aliases of the joined unit and leader, and the prefixes of their columns.
const UNIT: &str = "ru";
const UNIT_: &str = "ru_";
const LEADER: &str = "ld";
const LEADER_: &str = "ld_";
