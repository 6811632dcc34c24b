//! Reading obstruction cases: lists, a case's investigators and steps.

use std::collections::HashMap;

use entity::obstruction_case::{self, ObstructionStage, ObstructionStatus};
use entity::{obstruction_investigator, obstruction_step};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::{Reach, visibility};
use crate::db::among;
use crate::error::AppResult;
use crate::service::page::{Page, PageRequest, newest_first, time_id_key};

/// Which cases a list shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub status: Option<ObstructionStatus>,
    pub stage: Option<ObstructionStage>,
    pub project_id: Option<Uuid>,
}

fn matching(reach: Reach, f: &CaseFilter) -> Select<obstruction_case::Entity> {
    use obstruction_case::Column as C;
    let mut q = obstruction_case::Entity::find().filter(visibility(reach));
    if let Some(status) = f.status {
        q = q.filter(C::Status.eq(status));
    }
    if let Some(stage) = f.stage {
        q = q.filter(C::Stage.eq(stage));
    }
    if let Some(project) = f.project_id {
        q = q.filter(C::ProjectId.eq(project));
    }
    q
}

/// Cases the caller sees, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &CaseFilter,
    page: &PageRequest,
) -> AppResult<Page<obstruction_case::Model>> {
    use obstruction_case::Column as C;
    let rows = newest_first(matching(reach, f), C::ReportedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(case: &obstruction_case::Model) -> String {
    time_id_key(case.reported_at, case.id)
}

pub async fn count(db: &impl ConnectionTrait, reach: Reach, f: &CaseFilter) -> AppResult<u64> {
    Ok(matching(reach, f).count(db).await?)
}

/// The investigators of each of `cases`.
pub async fn investigators_of(db: &impl ConnectionTrait, cases: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows = obstruction_investigator::Entity::find()
        .filter(among(obstruction_investigator::Column::CaseId, cases.iter().copied(), db.get_database_backend()))
        .order_by_asc(obstruction_investigator::Column::UserId)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.case_id, r.user_id))))
}

/// The steps of each of `cases`, oldest first.
pub async fn steps_of(
    db: &impl ConnectionTrait,
    cases: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<obstruction_step::Model>>> {
    let rows = obstruction_step::Entity::find()
        .filter(among(obstruction_step::Column::CaseId, cases.iter().copied(), db.get_database_backend()))
        .order_by_asc(obstruction_step::Column::ActedAt)
        .order_by_asc(obstruction_step::Column::Id)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.case_id, r))))
}
