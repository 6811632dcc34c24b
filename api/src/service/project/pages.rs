//! A page of the project library, read with the columns its caller needs.

use std::collections::HashMap;

use entity::project::{self, Light};
use entity::project_light;
use sea_orm::sea_query::{Alias, Expr, SimpleExpr};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseConnection, EntityTrait, JoinType, QuerySelect, QueryTrait, RelationDef,
};
use uuid::Uuid;

use super::columns::Columns;
use super::query::{Order, OrderField, ProjectFilter, page_query};
use crate::error::AppResult;
use crate::service::page::{Page, PageRequest};

/// The columns the cursor of a list in `order` is made of (see `query::cursor_key`).
pub fn cursor_columns(order: Order) -> Columns {
    match order.field {
        OrderField::Name => Columns::id().with(project::Column::Name),
        OrderField::TotalInvestment => Columns::id().with(project::Column::TotalInvestmentFen),
        OrderField::CreatedAt => Columns::id(),
    }
}

/// A page of projects with `columns` (and those of the order's cursor) read. Readable by every
/// signed-in caller.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    columns: Columns,
) -> AppResult<Page<project::Model>> {
    let columns = columns.and(cursor_columns(order));
    let q = columns.select(page_query(filter, order, page, db.get_database_backend())?);
    let rows = db.query_all(q.build(db.get_database_backend())).await?;
    let projects = rows.iter().map(|row| columns.read(row)).collect::<Result<Vec<_>, _>>()?;
    Ok(Page::from_fetched(projects, page))
}

/// [`list`], and the kept light of each project on the page where it is current for `today`, read
/// by the page's own statement (joined to the kept lights): a page that shows lights alone then needs
/// no second statement. A project whose kept light is stale has none here; its light's loader
/// computes and keeps it as before. (Joining the responsible unit and the leader the same way was
/// measured and dropped: a page names few distinct units and leaders, and reading them once each by
/// id costs less than decoding them on every row.)
pub async fn list_lit(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
    columns: Columns,
    today: chrono::NaiveDate,
) -> AppResult<(Page<project::Model>, HashMap<Uuid, Light>)> {
    use project_light::Column as L;
    let backend = db.get_database_backend();
    let columns = columns.and(cursor_columns(order));
    let kept = Alias::new("kept");
    let lit: RelationDef =
        project_light::Entity::belongs_to(project::Entity).from(L::ProjectId).to(project::Column::Id).into();
    let current = Condition::all()
        .add(Expr::col((kept.clone(), L::ComputedVersion)).equals((kept.clone(), L::Version)))
        .add(Expr::col((kept.clone(), L::Day)).eq(today));
    let light = Expr::case(current, Expr::col((kept.clone(), L::Light))).finally(Expr::value(Option::<String>::None));
    let q = columns
        .select(page_query(filter, order, page, backend)?)
        .join_as(JoinType::LeftJoin, lit.rev(), kept)
        .expr_as(SimpleExpr::Case(Box::new(light)), "kept_light");
    let rows = db.query_all(q.build(backend)).await?;
    let mut projects = Vec::with_capacity(rows.len());
    let mut lights = HashMap::with_capacity(rows.len());
    for row in rows {
        let project = columns.read(&row)?;
        if let Some(light) = row.try_get::<Option<Light>>("", "kept_light")? {
            lights.insert(project.id, light);
        }
        projects.push(project);
    }
    Ok((Page::from_fetched(projects, page), lights))
}
