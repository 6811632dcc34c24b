//! Reading inspections: the filtered list, its count, and the batch lookups behind the loaders.

use std::collections::HashMap;

use entity::inspection::{self, InspectionFocus, InspectionKind, InspectionResult, ReviewStatus};
use entity::inspection_issue;
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;
use crate::service::page::{Page, PageRequest, Under};

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub project_id: Option<Uuid>,
    pub inspector_id: Option<Uuid>,
    pub kind: Option<InspectionKind>,
    pub focus: Option<InspectionFocus>,
    pub result: Option<InspectionResult>,
    pub review_status: Option<ReviewStatus>,
    /// Replaced revisions too.
    pub all_revisions: bool,
}

fn matching(scope: Option<crate::service::kit::Units>, f: &InspectionFilter) -> Select<inspection::Entity> {
    use inspection::Column as C;
    let mut q = inspection::Entity::find().filter(scoped_visibility(scope));
    if !f.all_revisions {
        q = q.filter(C::IsCurrent.eq(true));
    }
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.inspector_id {
        q = q.filter(C::InspectorId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.focus {
        q = q.filter(C::Focus.eq(v));
    }
    if let Some(v) = f.result {
        q = q.filter(C::Result.eq(v));
    }
    if let Some(v) = f.review_status {
        q = q.filter(C::ReviewStatus.eq(v));
    }
    q
}

/// Inspections the caller can see, newest received first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &InspectionFilter,
    page: &PageRequest,
) -> AppResult<Page<inspection::Model>> {
    use inspection::Column as C;
    let q = matching(kit::department_scope(actor.caller()?), f);
    let rows = crate::service::page::newest_first(q, C::ReceivedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(i: &inspection::Model) -> String {
    crate::service::page::time_id_key(i.received_at, i.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &InspectionFilter) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(matching(kit::department_scope(actor.caller()?), f).count(db).await?)
}

/// What [`list`] shows of each of `projects`, one page each, in one statement: a project's inspections
/// as a caller of `scope` sees them.
pub async fn pages_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &InspectionFilter,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<inspection::Model>>> {
    use inspection::Column as C;
    let q = crate::service::page::after_newest(matching(scope, f), C::ReceivedAt, C::Id, page)?;
    let under = Under::<inspection::Entity>::newest(C::ProjectId, C::ReceivedAt, C::Id, |row| row.project_id);
    crate::service::page::per_parent(db, q, &under, projects, page).await
}

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &InspectionFilter,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    crate::service::page::count_per_parent(db, matching(scope, f), inspection::Column::ProjectId, projects).await
}

/// Issues raised by each inspection (across its revisions): root id → (item key, issue id).
pub async fn raised_issues(db: &impl ConnectionTrait, roots: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<(String, Uuid)>>> {
    let rows = inspection_issue::Entity::find()
        .filter(among(inspection_issue::Column::RootId, roots.iter().copied(), db.get_database_backend()))
        .order_by_asc(inspection_issue::Column::ItemKey)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.root_id, (r.item_key, r.issue_id)))))
}

/// The inspection and item that raised each of `issue_ids`, where one did.
pub async fn origins(db: &impl ConnectionTrait, issue_ids: &[Uuid]) -> AppResult<HashMap<Uuid, (Uuid, String)>> {
    Ok(inspection_issue::Entity::find()
        .filter(among(inspection_issue::Column::IssueId, issue_ids.iter().copied(), db.get_database_backend()))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.issue_id, (r.inspection_id, r.item_key)))
        .collect())
}
