//! A page of the project library, read with the columns its caller needs.

use entity::project::{self, Light};
use entity::{project_light, unit, user};
use sea_orm::sea_query::{Alias, Asterisk, Expr, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, QuerySelect, QueryTrait, RelationDef, Select,
};

use super::columns::Columns;
use super::query::{Order, OrderField, ProjectFilter, page_query, sort_columns};
use crate::error::AppResult;
use crate::service::account::{UnitColumns, UserColumns};
use crate::service::page::{Page, PageRequest};

/// The columns the cursor of a list in `order` is made of (see `query::cursor_key`).
pub fn cursor_columns(order: Order) -> Columns {
    match order.field {
        OrderField::Name => Columns::id().with(project::Column::Name),
        OrderField::TotalInvestment => Columns::id().with(project::Column::TotalInvestmentFen),
        OrderField::CreatedAt => Columns::id(),
    }
}

/// What a page of projects reads besides the columns of its projects: each one's kept light when
/// it is current for `light_on`, and the columns of its responsible unit and leader that their
/// selections show.
#[derive(Clone, Copy, Default)]
pub struct Reads {
    pub light_on: Option<chrono::NaiveDate>,
    pub unit: Option<UnitColumns>,
    pub leader: Option<UserColumns>,
}

/// A project on a page with what [`Reads`] read with it.
pub struct ProjectRead {
    pub project: project::Model,
    /// Its kept light, when asked for and current; otherwise its light's loader computes it.
    pub light: Option<Light>,
    pub unit: Option<unit::Model>,
    pub leader: Option<user::Model>,
}

/// A page of projects with `columns` (and those of the order's cursor) read, and with each project
/// what `reads` asks, read by the page's own statement (joined to the kept lights, the units and the
/// accounts): a page that shows lights, unit names and leaders' names needs no second statement for
/// them. A project whose kept light is stale has none here; its light's loader computes and keeps it
/// as before. Readable by every signed-in caller.
pub async fn list_read(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    columns: Columns,
    reads: Reads,
) -> AppResult<Page<ProjectRead>> {
    use project_light::Column as L;
    let backend = db.get_database_backend();
    let columns = columns.and(cursor_columns(order));
    let mut q = columns.select(page_query(filter, order, page, backend)?);
    if reads.light_on.is_some() || reads.unit.is_some() || reads.leader.is_some() {
        q = joined_to_the_page(q, order);
    }
    if let Some(today) = reads.light_on {
        let kept = Alias::new("kept");
        let lit: RelationDef =
            project_light::Entity::belongs_to(project::Entity).from(L::ProjectId).to(project::Column::Id).into();
        let current = Condition::all()
            .add(Expr::col((kept.clone(), L::ComputedVersion)).equals((kept.clone(), L::Version)))
            .add(Expr::col((kept.clone(), L::Day)).eq(today));
        let light =
            Expr::case(current, Expr::col((kept.clone(), L::Light))).finally(Expr::value(Option::<String>::None));
        q = q.join_as(JoinType::LeftJoin, lit.rev(), kept).expr_as(SimpleExpr::Case(Box::new(light)), "kept_light");
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
    let rows = db.query_all(q.build(backend)).await?;
    let mut read = Vec::with_capacity(rows.len());
    for row in rows {
        let light = match reads.light_on {
            Some(_) => row.try_get::<Option<Light>>("", "kept_light")?,
            None => None,
        };
        let unit = match reads.unit {
            Some(c) if UnitColumns::found_as(&row, UNIT_)? => Some(c.read_as(&row, UNIT_)?),
            _ => None,
        };
        let leader = match reads.leader {
            Some(c) if UserColumns::found_as(&row, LEADER_)? => Some(c.read_as(&row, LEADER_)?),
            _ => None,
        };
        read.push(ProjectRead { project: columns.read(&row)?, light, unit, leader });
    }
    Ok(Page::from_fetched(read, page))
}

/// `page` (filtered, ordered, limited) read first and then named like the projects table for the
/// joins that follow, in the same order: the joins meet the page's rows alone. Joined to the whole
/// table before the limit, PostgreSQL hashed every project's light (or unit, or leader) to keep fifty.
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

/// The aliases of the joined unit and leader, and the prefixes of their columns.
const UNIT: &str = "ru";
const UNIT_: &str = "ru_";
const LEADER: &str = "ld";
const LEADER_: &str = "ld_";
