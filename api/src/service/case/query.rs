//! Reading cases: the filtered list, its count, and the batch lookups behind the loaders.

use std::collections::{BTreeSet, HashMap, HashSet};

use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::{self, LinkTarget};
use entity::issue::{self};
use entity::{case_measure, case_unit};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
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
pub struct CaseFilter {
    pub project_id: Option<Uuid>,
    pub kind: Option<CaseKind>,
    pub status: Option<CaseStatus>,
    /// Cases this unit leads or takes part in.
    pub unit_id: Option<Uuid>,
    pub search: Option<String>,
}

fn matching(scope: Option<crate::service::kit::Units>, f: &CaseFilter) -> Select<case::Entity> {
    use case::Column as C;
    let mut q = case::Entity::find().filter(scoped_visibility(scope));
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(unit) = f.unit_id {
        let takes_part = Query::select()
            .column(case_unit::Column::CaseId)
            .from(case_unit::Entity)
            .and_where(case_unit::Column::UnitId.eq(unit))
            .to_owned();
        q = q.filter(Condition::any().add(C::LeadUnitId.eq(unit)).add(C::Id.in_subquery(takes_part)));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(crate::service::text::contains(C::Title, text));
    }
    q
}

/// Cases the caller can see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &CaseFilter,
    page: &PageRequest,
) -> AppResult<Page<case::Model>> {
    use case::Column as C;
    let q = matching(kit::department_scope(actor.caller()?), f);
    let rows = crate::service::page::newest_first(q, C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(case: &case::Model) -> String {
    crate::service::page::time_id_key(case.created_at, case.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &CaseFilter) -> AppResult<u64> {
    Ok(matching(kit::department_scope(actor.caller()?), f).count(db).await?)
}

/// What [`list`] shows of each of `projects`, one page each, in one statement: a project's cases
/// as a caller of `scope` sees them.
pub async fn pages_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &CaseFilter,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<case::Model>>> {
    use case::Column as C;
    let q = crate::service::page::after_newest(matching(scope, f), C::CreatedAt, C::Id, page)?;
    // Only cases of one of `projects` come back, so each has a project.
    let under = Under::<case::Entity>::newest(C::ProjectId, C::CreatedAt, C::Id, |c| c.project_id.unwrap_or_default());
    crate::service::page::per_parent(db, q, &under, projects, page).await
}

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &CaseFilter,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    crate::service::page::count_per_parent(db, matching(scope, f), case::Column::ProjectId, projects).await
}

/// Participating unit ids of many cases.
pub async fn units_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    kit::joined_units(db, case_unit::Column::CaseId, case_unit::Column::UnitId, ids).await
}

/// Measures of many cases, in order.
pub async fn measures_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<case_measure::Model>>> {
    let rows = case_measure::Entity::find()
        .filter(among(case_measure::Column::CaseId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(case_measure::Column::Position)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|m| (m.case_id, m))))
}

/// Of `ids`, those whose rows satisfy `rule` (a domain's visibility), by `id` of the rows' table.
async fn visible_ids<C>(db: &impl ConnectionTrait, id: C, ids: Vec<Uuid>, rule: Condition) -> AppResult<Vec<Uuid>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(<C::EntityName as EntityTrait>::find()
        .select_only()
        .column(id)
        .filter(among(id, ids, db.get_database_backend()))
        .filter(rule)
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// Links of many cases that a caller in `scope` may open (see [`crate::service::issue::scope`]), oldest
/// first: a link to an issue, inspection or photo the caller may not see is left out, as if it did
/// not exist, by that domain's own visibility rule.
pub async fn links_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<crate::service::kit::Units>,
) -> AppResult<HashMap<Uuid, Vec<case_link::Model>>> {
    let mut rows = case_link::Entity::find()
        .filter(among(case_link::Column::CaseId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(case_link::Column::LinkedAt)
        .order_by_asc(case_link::Column::TargetId)
        .all(db)
        .await?;
    if scope.is_some() {
        let of = |kind: LinkTarget| -> Vec<Uuid> {
            rows.iter().filter(|l| l.target_type == kind).map(|l| l.target_id).collect()
        };
        let (issue_ids, inspection_ids, photo_ids) =
            (of(LinkTarget::Issue), of(LinkTarget::Inspection), of(LinkTarget::Photo));
        let mut visible: HashSet<Uuid> = HashSet::new();
        visible.extend(
            visible_ids(db, issue::Column::Id, issue_ids, crate::service::issue::scoped_visibility(scope)).await?,
        );
        let (inspections, photos) = (entity::inspection::Column::Id, entity::photo::Column::Id);
        let rule = crate::service::inspection::scoped_visibility(scope);
        visible.extend(visible_ids(db, inspections, inspection_ids, rule).await?);
        visible.extend(visible_ids(db, photos, photo_ids, crate::service::photo::scoped_visibility(scope)).await?);
        rows.retain(|l| visible.contains(&l.target_id));
    }
    Ok(crate::service::grouped(rows.into_iter().map(|l| (l.case_id, l))))
}

/// Linked issues of many cases that a caller in `scope` may see (see [`crate::service::issue::scope`]),
/// newest first.
pub async fn linked_issues(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<crate::service::kit::Units>,
) -> AppResult<HashMap<Uuid, Vec<issue::Model>>> {
    let links: Vec<(Uuid, Uuid)> = case_link::Entity::find()
        .select_only()
        .column(case_link::Column::CaseId)
        .column(case_link::Column::TargetId)
        .filter(among(case_link::Column::CaseId, ids.iter().copied(), db.get_database_backend()))
        .filter(case_link::Column::TargetType.eq(LinkTarget::Issue))
        .into_tuple()
        .all(db)
        .await?;
    let issue_ids: BTreeSet<Uuid> = links.iter().map(|(_, i)| *i).collect();
    let issues: HashMap<Uuid, issue::Model> = issue::Entity::find()
        .filter(among(issue::Column::Id, issue_ids, db.get_database_backend()))
        .filter(crate::service::issue::scoped_visibility(scope))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut out = crate::service::grouped(
        links.into_iter().filter_map(|(case, issue)| Some((case, issues.get(&issue)?.clone()))),
    );
    for list in out.values_mut() {
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    }
    Ok(out)
}
