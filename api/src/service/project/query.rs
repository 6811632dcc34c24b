//! Reading projects: ordered, filtered pages, counts, and the batch lookups behind the loaders.

use std::collections::HashMap;

use entity::project::{self, Industry, Light, ProjectCategory, ProjectStatus};
use entity::{project_paired_unit, project_year_plan, unit};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::page::{Page, PageRequest, Under};

/// How a project list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderField {
    #[default]
    Name,
    TotalInvestment,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Order {
    pub field: OrderField,
    pub descending: bool,
}

/// A map window, WGS-84.
#[derive(Debug, Clone, Copy)]
pub struct BoundingBox {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub category: Option<ProjectCategory>,
    pub status: Option<ProjectStatus>,
    pub industry: Option<Industry>,
    pub responsible_unit_id: Option<Uuid>,
    pub leader_id: Option<Uuid>,
    /// Only the projects whose kept light on the day is this (see [`super::health::narrow_to_light`]).
    pub showing: Option<(Light, chrono::NaiveDate)>,
    pub search: Option<String>,
    pub bbox: Option<BoundingBox>,
}

fn matching(filter: &ProjectFilter, backend: DbBackend) -> AppResult<Select<project::Entity>> {
    use project::Column as C;
    let mut q = project::Entity::find();
    if let Some(v) = filter.category {
        q = q.filter(C::Category.eq(v));
    }
    if let Some(v) = filter.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = filter.industry {
        q = q.filter(C::Industry.eq(v));
    }
    if let Some(v) = filter.responsible_unit_id {
        q = q.filter(C::ResponsibleUnitId.eq(v));
    }
    if let Some(v) = filter.leader_id {
        q = q.filter(C::LeaderId.eq(v));
    }
    if let Some((light, day)) = filter.showing {
        q = q.filter(crate::service::lights::showing(light, day, backend));
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(crate::service::text::contains(C::Name, text))
                .add(crate::service::text::contains(C::Code, text)),
        );
    }
    if let Some(b) = filter.bbox {
        if !(b.south <= b.north && b.west <= b.east) {
            return Err(AppError::bad_input("bbox", "south ≤ north and west ≤ east"));
        }
        q = q.filter(C::Lat.between(b.south, b.north)).filter(C::Lng.between(b.west, b.east));
    }
    Ok(q)
}

/// The ids of every project `filter` selects.
pub async fn matching_ids(db: &impl ConnectionTrait, filter: &ProjectFilter) -> AppResult<Vec<Uuid>> {
    Ok(matching(filter, db.get_database_backend())?
        .select_only()
        .column(project::Column::Id)
        .into_tuple()
        .all(db)
        .await?)
}

fn cursor_key(order: Order, p: &project::Model) -> String {
    let value = match order.field {
        OrderField::Name => p.name.clone(),
        OrderField::TotalInvestment => p.total_investment_fen.to_string(),
        OrderField::CreatedAt => String::new(),
    };
    format!("{value}\u{1f}{}", p.id)
}

fn after_condition(order: Order, after: &str) -> AppResult<Condition> {
    use project::Column as C;
    let bad = || AppError::bad_input("after", "not a cursor of this list in this order");
    let (value, id) = after.rsplit_once('\u{1f}').ok_or_else(bad)?;
    let id: Uuid = id.parse().map_err(|_| bad())?;
    let (col, value): (C, sea_orm::Value) = match order.field {
        OrderField::Name => (C::Name, value.into()),
        OrderField::TotalInvestment => (C::TotalInvestmentFen, value.parse::<i64>().map_err(|_| bad())?.into()),
        OrderField::CreatedAt => {
            return Ok(Condition::all().add(if order.descending { C::Id.lt(id) } else { C::Id.gt(id) }));
        }
    };
    let (beyond, id_beyond) = if order.descending {
        (Expr::col(col).lt(value.clone()), C::Id.lt(id))
    } else {
        (Expr::col(col).gt(value.clone()), C::Id.gt(id))
    };
    Ok(Condition::any().add(beyond).add(Condition::all().add(Expr::col(col).eq(value)).add(id_beyond)))
}

/// The columns a project list is sorted by, the id last so that every order is total.
fn sort_columns(order: Order) -> Vec<(project::Column, sea_orm::Order)> {
    use project::Column as C;
    let direction = if order.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    let by = match order.field {
        OrderField::Name => Some(C::Name),
        OrderField::TotalInvestment => Some(C::TotalInvestmentFen),
        OrderField::CreatedAt => None,
    };
    by.into_iter().chain([C::Id]).map(|c| (c, direction.clone())).collect()
}

/// The projects `filter` selects, starting after the request's cursor.
fn from_cursor(
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    backend: DbBackend,
) -> AppResult<Select<project::Entity>> {
    let q = matching(filter, backend)?;
    Ok(match &page.after {
        Some(after) => q.filter(after_condition(order, after)?),
        None => q,
    })
}

/// A page of projects. Readable by every signed-in caller.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
) -> AppResult<Page<project::Model>> {
    let mut q = from_cursor(filter, order, page, db.get_database_backend())?;
    for (column, direction) in sort_columns(order) {
        q = q.order_by(column, direction);
    }
    let rows = q.limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// What a project hangs under in a list of another thing's projects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Parent {
    /// The unit responsible for it (部门包项目): `Unit.projects`.
    ResponsibleUnit,
    /// The leader linked to it (领导联项目): `User.projects`.
    Leader,
}

impl Parent {
    fn column(self) -> project::Column {
        match self {
            Self::ResponsibleUnit => project::Column::ResponsibleUnitId,
            Self::Leader => project::Column::LeaderId,
        }
    }

    fn of(self) -> fn(&project::Model) -> Uuid {
        match self {
            Self::ResponsibleUnit => |p| p.responsible_unit_id,
            Self::Leader => |p| p.leader_id,
        }
    }
}

/// What [`list`] shows of the projects under each of `parents`, one page each, in one statement.
pub async fn pages_under(
    db: &DatabaseConnection,
    parent: Parent,
    filter: &ProjectFilter,
    order: Order,
    parents: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<project::Model>>> {
    let under = Under { parent: parent.column(), order: sort_columns(order), parent_of: parent.of() };
    crate::service::page::per_parent(
        db,
        from_cursor(filter, order, page, db.get_database_backend())?,
        &under,
        parents,
        page,
    )
    .await
}

/// What [`count`] counts under each of `parents`, in one statement.
pub async fn counts_under(
    db: &DatabaseConnection,
    parent: Parent,
    filter: &ProjectFilter,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    crate::service::page::count_per_parent(db, matching(filter, db.get_database_backend())?, parent.column(), parents)
        .await
}

pub fn cursor_of(order: Order) -> impl Fn(&project::Model) -> String {
    move |p| cursor_key(order, p)
}

pub async fn count(db: &DatabaseConnection, filter: &ProjectFilter) -> AppResult<u64> {
    Ok(matching(filter, db.get_database_backend())?.count(db).await?)
}

/// Paired units of many projects at once: project id → units, by unit name.
pub async fn paired_units(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<unit::Model>>> {
    let pairs = project_paired_unit::Entity::find()
        .filter(project_paired_unit::Column::ProjectId.is_in(project_ids.iter().copied()))
        .find_also_related(unit::Entity)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<unit::Model>> = HashMap::new();
    for (pair, unit) in pairs {
        if let Some(unit) = unit {
            out.entry(pair.project_id).or_default().push(unit);
        }
    }
    for units in out.values_mut() {
        units.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// Planned investment of many projects for `year`, in fen.
pub async fn year_plans(db: &impl ConnectionTrait, project_ids: &[Uuid], year: i32) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = project_year_plan::Entity::find()
        .select_only()
        .column(project_year_plan::Column::ProjectId)
        .column(project_year_plan::Column::PlannedFen)
        .filter(project_year_plan::Column::ProjectId.is_in(project_ids.iter().copied()))
        .filter(project_year_plan::Column::Year.eq(year))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
