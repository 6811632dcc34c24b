//! Each unit's share of the dashboard, kept: the sums of its projects' kept lights and figures
//! ([`super::lights`]), per category and industry too, and per month of the year the projects that
//! owe the month's report and have none; so the dashboard and the count of missing reports of a
//! province sum a row per unit instead of reading every project.
//!
//! The discipline is the lights': a unit's rollup is current when its mark was summed under the
//! mark's `version` for the county's today. Every write that changes a light's inputs bumps the
//! version of the project's unit in the same transaction ([`super::lights::touch`]), and a project
//! that moves to another unit bumps the unit it left ([`touch_units`]). A reader makes the lights
//! current first, then sums the units whose marks are not; it keeps a unit's sums only when every
//! light it read was current, under the version it read before them, so a write landing meanwhile
//! leaves the mark behind and the next reader sums that unit again.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use entity::project::{self, Industry, Light, ProjectCategory};
use entity::project_light::{self, Column as L};
use entity::unit_rollup_mark::{self, Column as M};
use sea_orm::sea_query::{Alias, Expr, Func, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ActiveEnum, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, Iterable, QueryFilter, QuerySelect, Set,
};
use uuid::Uuid;

use super::period::{Period, lacks_report};
use crate::clock::Day;
use crate::error::{AppError, AppResult};

/// How many units one statement sums or writes at once (each id is a bound parameter).
const CHUNK: usize = 200;

/// Marks the rollups of `unit_ids` as not current (giving a unit its mark on its first project).
pub async fn touch_units(db: &impl ConnectionTrait, unit_ids: &[Uuid]) -> AppResult<()> {
    let mut ids = unit_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(());
    }
    let rows = ids.iter().map(|id| unit_rollup_mark::ActiveModel {
        unit_id: Set(*id),
        version: Set(1),
        computed_version: Set(None),
        day: Set(None),
    });
    unit_rollup_mark::Entity::insert_many(rows).on_conflict(bump()).exec_without_returning(db).await?;
    Ok(())
}

/// Marks the rollups of the units responsible for `project_ids` as not current.
pub async fn touch_projects(db: &impl ConnectionTrait, project_ids: &[Uuid]) -> AppResult<()> {
    if project_ids.is_empty() {
        return Ok(());
    }
    touch_units_of(db, project::Column::Id.is_in(project_ids.iter().copied())).await
}

/// Marks every unit's rollup as not current, giving every unit with projects a mark.
pub async fn touch_all(db: &impl ConnectionTrait) -> AppResult<()> {
    touch_units_of(db, Expr::value(true)).await
}

/// Bumps (or gives) the mark of every unit responsible for a project `which` selects, in one
/// statement. (The select has a WHERE even when it takes every project: SQLite needs one before an
/// upsert's ON CONFLICT.)
async fn touch_units_of(db: &impl ConnectionTrait, which: SimpleExpr) -> AppResult<()> {
    let units = Query::select()
        .distinct()
        .column(project::Column::ResponsibleUnitId)
        .expr(Expr::val(1i64))
        .from(project::Entity)
        .and_where(which)
        .to_owned();
    let insert = Query::insert()
        .into_table(unit_rollup_mark::Entity)
        .columns([M::UnitId, M::Version])
        .select_from(units)
        .map_err(|e| AppError::internal(e.to_string()))?
        .on_conflict(bump())
        .to_owned();
    db.execute(db.get_database_backend().build(&insert)).await?;
    Ok(())
}

/// On a unit's existing mark: the next version, not current.
fn bump() -> OnConflict {
    OnConflict::column(M::UnitId)
        .value(M::Version, Expr::col((unit_rollup_mark::Entity, M::Version)).add(1))
        .value(M::ComputedVersion, Option::<i64>::None)
        .to_owned()
}

/// The units whose rollup is not current on `today`, with the version to sum them under.
pub async fn stale(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<Vec<(Uuid, i64)>> {
    let mut units: Vec<(Uuid, i64)> = unit_rollup_mark::Entity::find()
        .select_only()
        .columns([M::UnitId, M::Version])
        .filter(M::ComputedVersion.is_null().or(M::Day.is_null()).or(M::Day.ne(today)))
        .into_tuple()
        .all(db)
        .await?;
    units.sort_unstable();
    Ok(units)
}

/// Sums and keeps the rollup of every unit whose mark is not current on `today`. Make the lights
/// current first. True when every unit's rollup is current afterwards; false when a write made a
/// light stale meanwhile, or a reader keeping the same units at once won (the dashboard then sums the
/// kept lights instead, so it is never wrong, only slower).
pub async fn refresh(db: &DatabaseConnection, day: Day) -> AppResult<bool> {
    let today = day.date;
    let mut all_kept = true;
    for chunk in stale(db, today).await?.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|(id, _)| *id).collect();
        let (rows, unfinished) = sum_units(db, &ids, day).await?;
        let kept: Vec<(Uuid, i64)> = chunk.iter().filter(|(id, _)| !unfinished.contains(id)).copied().collect();
        all_kept &= kept.len() == chunk.len();
        // Keeping is a saving, not the answer: a reader that loses a race to keep still answers.
        if let Err(e) = keep(db, &kept, &rows, today).await {
            tracing::warn!(error = %e, "unit rollups could not be kept");
            all_kept = false;
        }
    }
    Ok(all_kept)
}

/// A unit's figures in its row of `unit_rollups`, in this order.
const FIGURES: [&str; 9] =
    ["projects", "reports_due", "slip_sum", "slip_count", "reports", "on_time", "green", "yellow", "red"];
/// Each category's and industry's figures, named `<stored value in lower case>_<figure>`.
const GROUP_FIGURES: [&str; 3] = ["projects", "plan_fen", "done_fen"];

fn table() -> Alias {
    Alias::new("unit_rollups")
}

fn group_column(value: &str, figure: &str) -> String {
    format!("{}_{figure}", value.to_lowercase())
}

/// The column of the projects that owe month `month`'s report of the year and have none.
fn missing_column(month: u32) -> String {
    format!("missing_{month:02}")
}

/// Every column of a rollup row after the unit and year: the unit's figures, the missing reports
/// of each month, then the categories' and the industries' figures.
pub fn figure_columns() -> Vec<String> {
    let groups: Vec<String> = ProjectCategory::iter()
        .map(|c| c.to_value())
        .chain(Industry::iter().map(|i| i.to_value()))
        .flat_map(|v| GROUP_FIGURES.map(|f| group_column(&v, f)))
        .collect();
    FIGURES.iter().map(|f| (*f).to_owned()).chain((1..=12).map(missing_column)).chain(groups).collect()
}

/// A unit's rollup row as summed: its figures by column name.
type Row = HashMap<String, i64>;

/// The rollup rows of `units` summed from their projects' kept lights, and the units with a light
/// that was not current on `today` (not to be kept).
async fn sum_units(db: &impl ConnectionTrait, units: &[Uuid], day: Day) -> AppResult<(HashMap<Uuid, Row>, Vec<Uuid>)> {
    let today = day.date;
    use project::Column as P;
    let l = |c: L| Expr::col((project_light::Entity, c));
    let sum = |e: SimpleExpr| -> SimpleExpr {
        Expr::expr(Func::coalesce([Func::sum(e).into(), Expr::val(0).into()])).cast_as(Alias::new("BIGINT"))
    };
    let count_if = |cond: SimpleExpr| sum(Expr::case(cond, 1).finally(0).into());
    let current = l(L::ComputedVersion).equals((project_light::Entity, L::Version)).and(l(L::Day).eq(today));
    let slip = l(L::SlipDays);
    // Grouped by category and industry too; folded into one row per unit below.
    let q = Query::select()
        .column((project::Entity, P::ResponsibleUnitId))
        .column((project::Entity, P::Category))
        .column((project::Entity, P::Industry))
        .expr(Func::count(Expr::col((project::Entity, P::Id))))
        .expr(sum(l(L::ReportsDue).into()))
        .expr(sum(Expr::case(slip.clone().gt(0), slip.clone()).finally(0).into()))
        .expr(Func::count(slip))
        .expr(sum(l(L::Reports).into()))
        .expr(sum(l(L::OnTime).into()))
        .expr(count_if(l(L::Light).eq(Light::Green)))
        .expr(count_if(l(L::Light).eq(Light::Yellow)))
        .expr(count_if(l(L::Light).eq(Light::Red)))
        .expr(sum(l(L::PlanFen).into()))
        .expr(sum(l(L::DoneFen).into()))
        .expr(sum(Expr::case(current, 0).finally(1).into()))
        .exprs((1..=12).map(|month| count_if(lacks_report(Period { year: today.year(), month }, day.zone))))
        .from(project::Entity)
        .left_join(project_light::Entity, l(L::ProjectId).equals((project::Entity, P::Id)))
        .and_where(Expr::col((project::Entity, P::ResponsibleUnitId)).is_in(units.iter().copied()))
        .group_by_col((project::Entity, P::ResponsibleUnitId))
        .group_by_col((project::Entity, P::Category))
        .group_by_col((project::Entity, P::Industry))
        .to_owned();
    let found = db.query_all(db.get_database_backend().build(&q)).await?;
    let mut rows: HashMap<Uuid, Row> = HashMap::new();
    let mut unfinished = Vec::new();
    for found in found {
        let (unit_id, category, industry): (Uuid, ProjectCategory, Industry) =
            sea_orm::TryGetableMany::try_get_many_by_index(&found)
                .map_err(|e| AppError::from(sea_orm::DbErr::from(e)))?;
        let mut n = [0i64; 12];
        for (i, slot) in n.iter_mut().enumerate() {
            *slot = found.try_get_by_index(3 + i)?;
        }
        let [projects, .., plan_fen, done_fen, not_current] = n;
        if not_current > 0 {
            unfinished.push(unit_id);
        }
        let row = rows.entry(unit_id).or_default();
        for (figure, value) in FIGURES.iter().zip(n) {
            *row.entry((*figure).to_owned()).or_default() += value;
        }
        for month in 1..=12u32 {
            let missing: i64 = found.try_get_by_index(14 + month as usize)?;
            *row.entry(missing_column(month)).or_default() += missing;
        }
        for group in [category.to_value(), industry.to_value()] {
            for (figure, value) in GROUP_FIGURES.iter().zip([projects, plan_fen, done_fen]) {
                *row.entry(group_column(&group, figure)).or_default() += value;
            }
        }
    }
    Ok((rows, unfinished))
}

/// Replaces the rollups of `units` with `rows` and marks each current under the version read before
/// its lights, unless a write moved the version on meanwhile.
async fn keep(
    db: &DatabaseConnection,
    units: &[(Uuid, i64)],
    rows: &HashMap<Uuid, Row>,
    today: NaiveDate,
) -> AppResult<()> {
    if units.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    let delete = Query::delete()
        .from_table(table())
        .and_where(Expr::col(Alias::new("unit_id")).is_in(units.iter().map(|(id, _)| *id)))
        .to_owned();
    txn.execute(txn.get_database_backend().build(&delete)).await?;
    let columns = figure_columns();
    let kept: Vec<(&Uuid, &Row)> = units.iter().filter_map(|(id, _)| rows.get_key_value(id)).collect();
    // A bound parameter per value: chunks stay under SQLite's limit of 32,766.
    for chunk in kept.chunks(CHUNK) {
        let mut insert = Query::insert();
        insert
            .into_table(table())
            .columns(["unit_id", "year"].into_iter().map(Alias::new).chain(columns.iter().map(Alias::new)));
        for (id, row) in chunk {
            let values = [Expr::val(**id).into(), Expr::val(today.year()).into()]
                .into_iter()
                .chain(columns.iter().map(|c| Expr::val(row.get(c).copied().unwrap_or(0)).into()));
            insert.values(values.collect::<Vec<SimpleExpr>>()).map_err(|e| AppError::internal(e.to_string()))?;
        }
        txn.execute(txn.get_database_backend().build(&insert)).await?;
    }
    let marks = units.iter().map(|(id, version)| unit_rollup_mark::ActiveModel {
        unit_id: Set(*id),
        version: Set(*version),
        computed_version: Set(Some(*version)),
        day: Set(Some(today)),
    });
    unit_rollup_mark::Entity::insert_many(marks)
        .on_conflict(
            OnConflict::column(M::UnitId)
                .value(
                    M::ComputedVersion,
                    super::kit::kept::computed_if_unmoved(unit_rollup_mark::Entity, M::Version, M::ComputedVersion),
                )
                .update_column(M::Day)
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The kept rollups of `year` summed over every unit: each category's and industry's (projects,
/// planned fen, completed fen), and how many projects show each light.
pub struct Summed {
    pub by_category: Vec<(ProjectCategory, (i64, i64, i64))>,
    pub by_industry: Vec<(Industry, (i64, i64, i64))>,
    pub lights: [(Light, i64); 3],
}

/// Sums the kept rollups of `year` in one statement.
pub async fn summed(db: &impl ConnectionTrait, year: i32) -> AppResult<Summed> {
    let columns = figure_columns();
    let q = Query::select()
        .exprs(columns.iter().map(|c| total(c)))
        .from(table())
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .to_owned();
    let row = db.query_one(db.get_database_backend().build(&q)).await?;
    let mut sums: HashMap<&str, i64> = HashMap::with_capacity(columns.len());
    for (i, c) in columns.iter().enumerate() {
        sums.insert(c, row.as_ref().map(|r| r.try_get_by_index(i)).transpose()?.unwrap_or(0));
    }
    let group = |value: String| {
        let get = |f| sums.get(group_column(&value, f).as_str()).copied().unwrap_or(0);
        (get("projects"), get("plan_fen"), get("done_fen"))
    };
    let light = |f: &str| sums.get(f).copied().unwrap_or(0);
    Ok(Summed {
        by_category: ProjectCategory::iter().map(|c| (c, group(c.to_value()))).collect(),
        by_industry: Industry::iter().map(|i| (i, group(i.to_value()))).collect(),
        lights: [(Light::Green, light("green")), (Light::Yellow, light("yellow")), (Light::Red, light("red"))],
    })
}

/// How many projects owe `period`'s report and have none, from the kept rollups of its year.
pub async fn missing(db: &impl ConnectionTrait, period: Period) -> AppResult<i64> {
    let q = Query::select()
        .expr(total(&missing_column(period.month)))
        .from(table())
        .and_where(Expr::col(Alias::new("year")).eq(period.year))
        .to_owned();
    let counted: Vec<i64> = crate::db::rows_of(db, &q).await?;
    Ok(counted.into_iter().next().unwrap_or(0))
}

/// Each unit's kept rollup of `year` with projects: projects, reports owed, slip sum and count,
/// reports submitted and on time.
pub async fn units(db: &impl ConnectionTrait, year: i32) -> AppResult<Vec<(Uuid, i64, i64, i64, i64, i64, i64)>> {
    let q = Query::select()
        .columns(["unit_id", "projects", "reports_due", "slip_sum", "slip_count", "reports", "on_time"].map(Alias::new))
        .from(table())
        .and_where(Expr::col(Alias::new("year")).eq(year))
        .and_where(Expr::col(Alias::new("projects")).gt(0))
        .to_owned();
    crate::db::rows_of(db, &q).await
}

fn total(column: &str) -> SimpleExpr {
    Expr::expr(Func::coalesce([Func::sum(Expr::col(Alias::new(column))).into(), Expr::val(0).into()]))
        .cast_as(Alias::new("BIGINT"))
}
