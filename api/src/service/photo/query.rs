//! Reading photos: the filtered list, its count, and the batch lookups behind the loaders.

use std::collections::HashMap;

use entity::photo;
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;
use crate::service::page::{Page, PageRequest, Under};

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct PhotoFilter {
    pub project_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    pub issue_id: Option<Uuid>,
}

fn matching(scope: Option<crate::service::kit::Units>, f: &PhotoFilter) -> Select<photo::Entity> {
    let mut q = photo::Entity::find().filter(scoped_visibility(scope));
    if let Some(v) = f.project_id {
        q = q.filter(photo::Column::ProjectId.eq(v));
    }
    if let Some(v) = f.inspection_id {
        q = q.filter(photo::Column::InspectionId.eq(v));
    }
    if let Some(v) = f.issue_id {
        q = q.filter(photo::Column::IssueId.eq(v));
    }
    q
}

/// Photos the caller can see, newest received first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &PhotoFilter,
    page: &PageRequest,
) -> AppResult<Page<photo::Model>> {
    use photo::Column as C;
    let q = matching(kit::department_scope(actor.caller()?), f);
    let rows = crate::service::page::newest_first(q, C::ReceivedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(p: &photo::Model) -> String {
    crate::service::page::time_id_key(p.received_at, p.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &PhotoFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(matching(kit::department_scope(actor.caller()?), f).count(db).await?)
}

/// What [`list`] shows of each of `projects`, one page each, in one statement: a project's photos
/// as a caller of `scope` sees them.
pub async fn pages_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &PhotoFilter,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<photo::Model>>> {
    use photo::Column as C;
    let q = crate::service::page::after_newest(matching(scope, f), C::ReceivedAt, C::Id, page)?;
    let under = Under::<photo::Entity>::newest(C::ProjectId, C::ReceivedAt, C::Id, |row| row.project_id);
    crate::service::page::per_parent(db, q, &under, projects, page).await
}

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &PhotoFilter,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    crate::service::page::count_per_parent(db, matching(scope, f), photo::Column::ProjectId, projects).await
}

/// Of `ids`, those that name a stored photo.
pub async fn existing(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<std::collections::HashSet<Uuid>> {
    Ok(photo::Entity::find()
        .select_only()
        .column(photo::Column::Id)
        .filter(among(photo::Column::Id, ids.iter().copied(), db.get_database_backend()))
        .into_tuple::<Uuid>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Photos uploaded naming each of `ids` in `column` (`InspectionId` or `IssueId`), oldest first, and
/// of the same project as what they name (`owner`'s project), so a photo cannot be slipped into
/// another project's evidence by naming its issue or inspection.
async fn linked_to<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: photo::Column,
    ids: &[Uuid],
    link: fn(&photo::Model) -> Option<Uuid>,
    owner: (E, E::Column, E::Column),
) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use sea_orm::sea_query::Expr;
    let (table, id, project) = owner;
    let same_project = Query::select()
        .column((table, project))
        .from(table)
        .and_where(Expr::col((table, id)).equals((photo::Entity, column)))
        .to_owned();
    let rows = photo::Entity::find()
        .filter(among(column, ids.iter().copied(), db.get_database_backend()))
        .filter(photo::Column::ProjectId.in_subquery(same_project))
        .order_by_asc(photo::Column::ReceivedAt)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().filter_map(|p| Some((link(&p)?, p)))))
}

/// Photos uploaded for each of `inspection_ids`, oldest first.
pub async fn of_inspections(
    db: &impl ConnectionTrait,
    inspection_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use entity::inspection::{Column, Entity};
    linked_to(
        db,
        photo::Column::InspectionId,
        inspection_ids,
        |p| p.inspection_id,
        (Entity, Column::Id, Column::ProjectId),
    )
    .await
}

/// Photos documenting each of `issue_ids`, oldest first.
pub async fn of_issues(db: &impl ConnectionTrait, issue_ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<photo::Model>>> {
    use entity::issue::{Column, Entity};
    linked_to(db, photo::Column::IssueId, issue_ids, |p| p.issue_id, (Entity, Column::Id, Column::ProjectId)).await
}
