//! Tracking coverage (跟踪督导覆盖): every key project of a category the office names gets a
//! TRACKING inspection within its interval. Counted from inspections, not from plans.

use std::collections::HashMap;

use chrono::FixedOffset;
use entity::inspection::{self, InspectionKind};
use entity::office_setting;
use entity::project::{self, ProjectCategory};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Order, Query, SelectStatement, SimpleExpr, WindowStatement};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, Iterable};
use uuid::Uuid;

use super::*;
use crate::clock::midnight;
use crate::service::period::{Period, period_end, reporting_statuses};

/// Coverage of one period.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    pub period: Period,
    pub required: u64,
    pub covered: u64,
    /// Worst share first.
    pub units: Vec<UnitCoverage>,
}

/// Coverage of one responsible unit's projects.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitCoverage {
    pub unit_id: Uuid,
    pub required: u64,
    pub covered: u64,
    /// Projects not visited, by name, at most the number asked for.
    pub not_visited: Vec<Uuid>,
}

/// Months within which a project of `category` needs a TRACKING inspection (0: not required).
fn months(rules: &office_setting::Model, category: ProjectCategory) -> i32 {
    match category {
        ProjectCategory::KeyConstruction => rules.tracking_months_construction,
        ProjectCategory::KeyPreliminary => rules.tracking_months_preliminary,
        ProjectCategory::KeyDevelopment => rules.tracking_months_development,
    }
}

/// `SELECT project_id FROM inspections WHERE current TRACKING completed in [from, to)`.
fn tracked(from: chrono::DateTime<chrono::Utc>, to: chrono::DateTime<chrono::Utc>) -> SelectStatement {
    use inspection::Column as I;
    Query::select()
        .column(I::ProjectId)
        .from(inspection::Entity)
        .and_where(I::Kind.eq(InspectionKind::Tracking))
        .and_where(I::CompletedAt.gte(from))
        .and_where(I::CompletedAt.lt(to))
        .and_where(I::IsCurrent.eq(true))
        .to_owned()
}

/// The projects that owe a tracking visit in `period` and, apart, those that had one: a project of
/// a category with an interval of n months is visited when a TRACKING inspection was completed in
/// the n months ending with the period.
fn conditions(rules: &office_setting::Model, period: Period, zone: FixedOffset) -> (Condition, Condition) {
    use project::Column as P;
    let end = period_end(period, zone);
    let mut required = Condition::any();
    let mut visited = Condition::any();
    for category in ProjectCategory::iter() {
        let n = months(rules, category);
        if n <= 0 {
            continue;
        }
        let mut first = period;
        for _ in 1..n {
            first = first.previous();
        }
        let start = midnight(first.first_day(), zone);
        required = required.add(P::Category.eq(category));
        visited =
            visited.add(Condition::all().add(P::Category.eq(category)).add(P::Id.in_subquery(tracked(start, end))));
    }
    let owed = Condition::all().add(required).add(P::Status.is_in(reporting_statuses())).add(P::CreatedAt.lt(end));
    (owed, visited)
}

/// Coverage of `period`, per responsible unit (a DEPARTMENT caller sees its own units only), with up
/// to `not_visited_per_unit` (0 to 100) unvisited projects named per unit. Two statements.
pub async fn coverage(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    not_visited_per_unit: u64,
    zone: FixedOffset,
) -> AppResult<Coverage> {
    use project::Column as P;
    let caller = actor.caller()?;
    let rules = crate::service::settings::rules(db).await?;
    if ProjectCategory::iter().all(|c| months(&rules, c) <= 0) {
        return Ok(Coverage { period, required: 0, covered: 0, units: Vec::new() });
    }
    let (mut owed, visited) = conditions(&rules, period, zone);
    if let Some(units) = kit::department_scope(caller) {
        owed = owed.add(P::ResponsibleUnitId.is_in(units.as_slice().iter().copied()));
    }
    let visited_expr: SimpleExpr = visited.clone().into();
    let counts = Query::select()
        .column(P::ResponsibleUnitId)
        .expr_as(Expr::col(Asterisk).count(), Alias::new("required"))
        .expr_as(
            Expr::expr(Func::sum(Expr::case(visited_expr, 1).finally(0))).cast_as(Alias::new("BIGINT")),
            Alias::new("covered"),
        )
        .from(project::Entity)
        .cond_where(owed.clone())
        .group_by_col(P::ResponsibleUnitId)
        .to_owned();
    let backend = db.get_database_backend();
    let mut units: Vec<UnitCoverage> = Vec::new();
    for row in db.query_all(backend.build(&counts)).await? {
        let required: i64 = row.try_get("", "required")?;
        let covered: Option<i64> = row.try_get("", "covered")?;
        units.push(UnitCoverage {
            unit_id: row.try_get("", "responsible_unit_id")?,
            required: u64::try_from(required).unwrap_or(0),
            covered: u64::try_from(covered.unwrap_or(0)).unwrap_or(0),
            not_visited: Vec::new(),
        });
    }
    if not_visited_per_unit > 0 {
        let mut names = not_visited_by_unit(db, owed.add(visited.not()), not_visited_per_unit).await?;
        for u in &mut units {
            u.not_visited = names.remove(&u.unit_id).unwrap_or_default();
        }
    }
    // Worst share first: covered/required ascending, compared without division.
    units.sort_by(|a, b| {
        (u128::from(a.covered) * u128::from(b.required))
            .cmp(&(u128::from(b.covered) * u128::from(a.required)))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    let required = units.iter().map(|u| u.required).sum();
    let covered = units.iter().map(|u| u.covered).sum();
    Ok(Coverage { period, required, covered, units })
}

/// Up to `per_unit` projects matching `cond` per responsible unit, by name.
async fn not_visited_by_unit(
    db: &impl ConnectionTrait,
    cond: Condition,
    per_unit: u64,
) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    use project::Column as P;
    let mut window = WindowStatement::partition_by(P::ResponsibleUnitId);
    window.order_by(P::Name, Order::Asc).order_by(P::Id, Order::Asc);
    let inner = Query::select()
        .columns([P::Id, P::ResponsibleUnitId])
        .expr_window_as(Func::cust(Alias::new("ROW_NUMBER")), window, Alias::new("rank_in_unit"))
        .from(project::Entity)
        .cond_where(cond)
        .to_owned();
    let outer = Query::select()
        .columns([Alias::new("id"), Alias::new("responsible_unit_id")])
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rank_in_unit")).lte(per_unit))
        .order_by(Alias::new("rank_in_unit"), Order::Asc)
        .to_owned();
    let rows = db.query_all(db.get_database_backend().build(&outer)).await?;
    let mut pairs = Vec::with_capacity(rows.len());
    for row in rows {
        pairs.push((row.try_get::<Uuid>("", "responsible_unit_id")?, row.try_get::<Uuid>("", "id")?));
    }
    Ok(crate::service::grouped(pairs))
}
