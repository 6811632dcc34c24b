//! The reports a period is still owed: the projects that existed during it, still report monthly,
//! and have no current report for it.

use chrono::FixedOffset;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::Period;
use crate::error::{AppError, AppResult};
use crate::service::page::{Page, PageRequest};
use entity::project;

/// Projects that owe `period`'s report and have none: an anti-join on the current reports' index, so
/// a page stops at its last row instead of reading the whole period.
fn missing_query(period: Period, zone: FixedOffset) -> Select<project::Entity> {
    project::Entity::find().filter(crate::service::period::lacks_report(period, zone))
}

/// Projects that owe a report for `period` (its months in the county's `zone`) and have none, by id.
/// Any signed-in caller.
pub async fn missing(
    db: &DatabaseConnection,
    raw_period: &str,
    zone: FixedOffset,
    page: &PageRequest,
) -> AppResult<Page<project::Model>> {
    let period = Period::parse("period", raw_period)?;
    let mut q = missing_query(period, zone);
    if let Some(after) = &page.after {
        let id: Uuid = after.parse().map_err(|_| AppError::bad_input("after", "not a cursor of this list"))?;
        q = q.filter(project::Column::Id.gt(id));
    }
    let rows = q.order_by_asc(project::Column::Id).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// Every project that owes `period`'s report and has none.
pub async fn missing_ids(
    db: &impl sea_orm::ConnectionTrait,
    period: Period,
    zone: FixedOffset,
) -> AppResult<Vec<Uuid>> {
    Ok(missing_query(period, zone).select_only().column(project::Column::Id).into_tuple().all(db).await?)
}

pub async fn count_missing(db: &DatabaseConnection, raw_period: &str, zone: FixedOffset) -> AppResult<u64> {
    Ok(missing_query(Period::parse("period", raw_period)?, zone).count(db).await?)
}
