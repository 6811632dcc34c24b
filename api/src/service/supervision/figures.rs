//! The figures of a supervision bulletin (督导通报), each a plain count over the rows of the period,
//! compiled when the bulletin is published and kept with it unchanged.

use std::collections::HashMap;

use chrono::{FixedOffset, NaiveDate};
use entity::action_item::{self, ActionItemStatus};
use entity::inspection::{self, InspectionKind, InspectionResult};
use entity::issue::{self, IssueKind, IssueSource};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::*;
use crate::clock::midnight;
use crate::service::issue::FINISHED;
use crate::service::period::{Period, period_end};

/// Units a bulletin names for the worst figures.
pub const WORST_UNITS: usize = 3;

/// What a bulletin reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct BulletinFigures {
    /// The day the figures were compiled (overdue counts are as of this day).
    pub as_of: NaiveDate,
    /// Current inspections completed in the period, by kind and result.
    pub inspections: Vec<KindResultCount>,
    /// Issues raised in the period by failed checklist items (source INSPECTION), by kind.
    pub failed_items: Vec<IssueKindCount>,
    /// Issues raised in the period, whatever their source.
    pub issues_raised: u64,
    /// Of them, those not resolved by `asOf`.
    pub issues_still_open: u64,
    /// Issues not resolved past their deadline on `asOf`, by assigned unit, most first.
    pub overdue_issues: Vec<UnitFigure>,
    /// Action items OPEN past their deadline on `asOf`, by owner unit, most first.
    pub overdue_action_items: Vec<UnitFigure>,
    /// The units with the most overdue issues and action items together (通报点名), at most three.
    pub worst_units: Vec<UnitFigure>,
}

/// A count of inspections of one kind and result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct KindResultCount {
    /// The kind of supervision.
    pub kind: InspectionKind,
    /// The checklist's outcome.
    pub result: InspectionResult,
    /// How many.
    pub count: u64,
}

/// A count of issues of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct IssueKindCount {
    /// The kind of issue.
    pub kind: IssueKind,
    /// How many.
    pub count: u64,
}

/// A unit's figure, with its name as it was when the bulletin was compiled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, async_graphql::SimpleObject)]
pub struct UnitFigure {
    /// The unit.
    pub unit_id: Uuid,
    /// Its name when the bulletin was compiled.
    pub unit_name: String,
    /// How many.
    pub count: u64,
}

fn count_of(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Compiles the figures of `period` as of `today`.
pub async fn compile(
    db: &impl ConnectionTrait,
    period: Period,
    today: NaiveDate,
    zone: FixedOffset,
) -> AppResult<BulletinFigures> {
    let (from, to) = (midnight(period.first_day(), zone), period_end(period, zone));
    let inspections: Vec<(InspectionKind, InspectionResult, i64)> = inspection::Entity::find()
        .select_only()
        .columns([inspection::Column::Kind, inspection::Column::Result])
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(inspection::Column::IsCurrent.eq(true))
        .filter(inspection::Column::CompletedAt.gte(from))
        .filter(inspection::Column::CompletedAt.lt(to))
        .group_by(inspection::Column::Kind)
        .group_by(inspection::Column::Result)
        .order_by_asc(inspection::Column::Kind)
        .order_by_asc(inspection::Column::Result)
        .into_tuple()
        .all(db)
        .await?;
    let raised_in_period =
        issue::Entity::find().filter(issue::Column::CreatedAt.gte(from)).filter(issue::Column::CreatedAt.lt(to));
    let failed_items: Vec<(IssueKind, i64)> = raised_in_period
        .clone()
        .select_only()
        .column(issue::Column::Kind)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(issue::Column::Source.eq(IssueSource::Inspection))
        .group_by(issue::Column::Kind)
        .order_by_asc(issue::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let (raised, still_open): (i64, Option<i64>) = raised_in_period
        .select_only()
        .column_as(Expr::col(Asterisk).count(), "n")
        .column_as(
            Expr::expr(Func::sum(Expr::case(issue::Column::Status.is_not_in(FINISHED), 1).finally(0)))
                .cast_as(Alias::new("BIGINT")),
            "still_open",
        )
        .into_tuple()
        .one(db)
        .await?
        .unwrap_or((0, None));
    let overdue_issues: Vec<(Uuid, i64)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::AssignedUnitId)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(issue::Column::AssignedUnitId.is_not_null())
        .filter(issue::Column::DueDate.lt(today))
        .filter(issue::Column::Status.is_not_in(FINISHED))
        .group_by(issue::Column::AssignedUnitId)
        .into_tuple()
        .all(db)
        .await?;
    let overdue_items: Vec<(Uuid, i64)> = action_item::Entity::find()
        .select_only()
        .column(action_item::Column::OwnerUnitId)
        .column_as(Expr::col(Asterisk).count(), "n")
        .filter(action_item::Column::Status.eq(ActionItemStatus::Open))
        .filter(action_item::Column::Deadline.lt(today))
        .group_by(action_item::Column::OwnerUnitId)
        .into_tuple()
        .all(db)
        .await?;
    let names = kit::unit_names(db).await?;
    let named = |rows: &[(Uuid, i64)]| -> Vec<UnitFigure> {
        let mut out: Vec<UnitFigure> = rows
            .iter()
            .map(|(unit, n)| UnitFigure {
                unit_id: *unit,
                unit_name: names.get(unit).cloned().unwrap_or_default(),
                count: count_of(*n),
            })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.unit_name.cmp(&b.unit_name)));
        out
    };
    let mut totals: HashMap<Uuid, i64> = HashMap::new();
    for (unit, n) in overdue_issues.iter().chain(&overdue_items) {
        *totals.entry(*unit).or_default() += n;
    }
    let mut worst_units = named(&totals.into_iter().collect::<Vec<_>>());
    worst_units.truncate(WORST_UNITS);
    Ok(BulletinFigures {
        as_of: today,
        inspections: inspections
            .into_iter()
            .map(|(kind, result, n)| KindResultCount { kind, result, count: count_of(n) })
            .collect(),
        failed_items: failed_items.into_iter().map(|(kind, n)| IssueKindCount { kind, count: count_of(n) }).collect(),
        issues_raised: count_of(raised),
        issues_still_open: count_of(still_open.unwrap_or(0)),
        overdue_issues: named(&overdue_issues),
        overdue_action_items: named(&overdue_items),
        worst_units,
    })
}
