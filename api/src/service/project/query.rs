//! Reading projects: ordered, filtered pages, counts, and the batch lookups behind the loaders.

use std::collections::HashMap;

use entity::project::{self, Industry, Light, ProjectCategory, ProjectStatus};
use entity::{project_light, project_paired_unit, project_year_plan, unit};
use sea_orm::sea_query::{Expr, SimpleExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, IntoSimpleExpr, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef, Select,
};
use uuid::Uuid;

use crate::db::among;
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
                .add(crate::service::text::contains((project::Entity, C::Name), text))
                .add(crate::service::text::contains((project::Entity, C::Code), text)),
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

/// Every project `filter` selects, by name, at most `limit` (the caller tells "more" by asking one more).
pub async fn all_matching(
    db: &impl ConnectionTrait,
    filter: &ProjectFilter,
    limit: u64,
) -> AppResult<Vec<project::Model>> {
    Ok(matching(filter, db.get_database_backend())?
        .order_by_asc(project::Column::Name)
        .order_by_asc(project::Column::Id)
        .limit(limit)
        .all(db)
        .await?)
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

/// The sort value and id a cursor holds.
fn parse_cursor(after: &str) -> AppResult<(&str, Uuid)> {
    let bad = || AppError::bad_input("after", "not a cursor of this list in this order");
    let (value, id) = after.rsplit_once('\u{1f}').ok_or_else(bad)?;
    Ok((value, id.parse().map_err(|_| bad())?))
}

/// The rows after (`value`, `id`) in the order of `column`, then `id_column`.
fn beyond(column: SimpleExpr, value: sea_orm::Value, id_column: SimpleExpr, id: Uuid, descending: bool) -> Condition {
    let (after, id_after) = if descending {
        (Expr::expr(column.clone()).lt(value.clone()), Expr::expr(id_column).lt(id))
    } else {
        (Expr::expr(column.clone()).gt(value.clone()), Expr::expr(id_column).gt(id))
    };
    Condition::any().add(after).add(Condition::all().add(Expr::expr(column).eq(value)).add(id_after))
}

fn after_condition(order: Order, after: &str) -> AppResult<Condition> {
    use project::Column as C;
    let (value, id) = parse_cursor(after)?;
    let (col, value): (C, sea_orm::Value) = match order.field {
        OrderField::Name => (C::Name, value.into()),
        OrderField::TotalInvestment => (
            C::TotalInvestmentFen,
            value
                .parse::<i64>()
                .map_err(|_| AppError::bad_input("after", "not a cursor of this list in this order"))?
                .into(),
        ),
        OrderField::CreatedAt => {
            return Ok(Condition::all().add(if order.descending { C::Id.lt(id) } else { C::Id.gt(id) }));
        }
    };
    Ok(beyond(col.into_simple_expr(), value, C::Id.into_simple_expr(), id, order.descending))
}

/// The columns a project list is sorted by, the id last so that every order is total.
pub(super) fn sort_columns(order: Order) -> Vec<(project::Column, sea_orm::Order)> {
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

/// The statement of a page of projects, ordered and bounded.
pub(super) fn page_query(
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    backend: DbBackend,
) -> AppResult<Select<project::Entity>> {
    let q = match filter.showing {
        Some(showing) if order.field == OrderField::Name => showing_by_name(filter, showing, order, page, backend)?,
        _ => sort_columns(order)
            .into_iter()
            .fold(from_cursor(filter, order, page, backend)?, |q, (column, direction)| q.order_by(column, direction)),
    };
    Ok(q.limit(page.fetch()))
}

/// The projects showing a light, in name order: walks the kept lights' index of (day, light, name,
/// id) from the cursor and reads just the page's projects by id, however many show the light and
/// wherever they fall in name order. A kept light holds its project's name as of its computation,
/// and every rename makes the light stale, so a reader (which makes the lights current first) sorts
/// by the names the projects have.
fn showing_by_name(
    filter: &ProjectFilter,
    (light, day): (Light, chrono::NaiveDate),
    order: Order,
    page: &PageRequest,
    backend: DbBackend,
) -> AppResult<Select<project::Entity>> {
    use project_light::Column as L;
    let rest = ProjectFilter { showing: None, ..filter.clone() };
    let lit: RelationDef =
        project_light::Entity::belongs_to(project::Entity).from(L::ProjectId).to(project::Column::Id).into();
    let mut q = matching(&rest, backend)?
        .join(JoinType::InnerJoin, lit.rev())
        .filter(L::Day.eq(day))
        .filter(L::Light.eq(light));
    let (name, id) = (L::Name.into_simple_expr(), L::ProjectId.into_simple_expr());
    if let Some(after) = &page.after {
        let (value, after_id) = parse_cursor(after)?;
        q = q.filter(beyond(name.clone(), value.into(), id.clone(), after_id, order.descending));
    }
    let direction = if order.descending { sea_orm::Order::Desc } else { sea_orm::Order::Asc };
    Ok(q.order_by(name, direction.clone()).order_by(id, direction))
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
    if let ProjectFilter {
        showing: Some((light, day)),
        category: None,
        status: None,
        industry: None,
        responsible_unit_id: None,
        leader_id: None,
        search: None,
        bbox: None,
    } = filter
    {
        // Every kept light is a project's: the index of lights counts them alone.
        use project_light::Column as L;
        return Ok(project_light::Entity::find().filter(L::Day.eq(*day)).filter(L::Light.eq(*light)).count(db).await?);
    }
    Ok(matching(filter, db.get_database_backend())?.count(db).await?)
}

/// Paired units of many projects at once: project id → units, by unit name.
pub async fn paired_units(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<unit::Model>>> {
    let pairs = project_paired_unit::Entity::find()
        .filter(among(project_paired_unit::Column::ProjectId, project_ids.iter().copied(), db.get_database_backend()))
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

/// Planned investment of many projects for `year`, in fen; in chunks of bound ids, so a province's
/// map or spreadsheet asks for all of them at once.
pub async fn year_plans(db: &impl ConnectionTrait, project_ids: &[Uuid], year: i32) -> AppResult<HashMap<Uuid, i64>> {
    let mut out = HashMap::with_capacity(project_ids.len());
    for ids in project_ids.chunks(crate::service::lights::CHUNK) {
        let rows: Vec<(Uuid, i64)> = project_year_plan::Entity::find()
            .select_only()
            .column(project_year_plan::Column::ProjectId)
            .column(project_year_plan::Column::PlannedFen)
            .filter(among(project_year_plan::Column::ProjectId, ids.iter().copied(), db.get_database_backend()))
            .filter(project_year_plan::Column::Year.eq(year))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}
