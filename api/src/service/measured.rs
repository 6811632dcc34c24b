//! Progress measured on site (形象进度) against the progress a month's report claimed: what the light
//! calls "上报进度与现场核查不符". Reads rows only, so the lights can use it.

use std::collections::HashMap;

use chrono::FixedOffset;
use entity::{inspection, monthly_report};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, Order, Query};
use uuid::Uuid;

use crate::clock::midnight;
use crate::error::AppResult;
use crate::service::period::{Period, period_end};

/// For each of `projects` whose current report of `period` claims more than `gap_pp` percentage
/// points above the latest progress an inspection measured on site in that month: (reported,
/// measured), in basis points. Two statements.
pub async fn over_reported(
    db: &impl ConnectionTrait,
    projects: &[Uuid],
    period: Period,
    gap_pp: i32,
    zone: FixedOffset,
) -> AppResult<HashMap<Uuid, (i32, i32)>> {
    if projects.is_empty() {
        return Ok(HashMap::new());
    }
    use inspection::Column as I;
    use monthly_report::Column as R;
    let q = Query::select()
        .column((inspection::Entity, I::ProjectId))
        .column((inspection::Entity, I::MeasuredProgressBp))
        .column((monthly_report::Entity, R::ProgressBp))
        .from(inspection::Entity)
        .inner_join(
            monthly_report::Entity,
            Expr::col((monthly_report::Entity, R::ProjectId))
                .equals((inspection::Entity, I::ProjectId))
                .and(Expr::col((monthly_report::Entity, R::IsCurrent)).eq(true))
                .and(Expr::col((monthly_report::Entity, R::Period)).eq(period.key())),
        )
        .and_where(Expr::col((inspection::Entity, I::ProjectId)).is_in(projects.iter().copied()))
        .and_where(Expr::col((inspection::Entity, I::IsCurrent)).eq(true))
        .and_where(Expr::col((inspection::Entity, I::MeasuredProgressBp)).is_not_null())
        .and_where(Expr::col((inspection::Entity, I::CompletedAt)).gte(midnight(period.first_day(), zone)))
        .and_where(Expr::col((inspection::Entity, I::CompletedAt)).lt(period_end(period, zone)))
        .order_by((inspection::Entity, I::CompletedAt), Order::Asc)
        .order_by((inspection::Entity, I::Id), Order::Asc)
        .to_owned();
    let mut latest: HashMap<Uuid, (i32, i32)> = HashMap::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let project: Uuid = row.try_get_by_index(0)?;
        let seen: i32 = row.try_get_by_index(1)?;
        let claimed: i32 = row.try_get_by_index(2)?;
        // The latest measurement of each project wins.
        latest.insert(project, (claimed, seen));
    }
    Ok(latest.into_iter().filter(|(_, (claimed, seen))| claimed - seen > gap_pp * 100).collect())
}
