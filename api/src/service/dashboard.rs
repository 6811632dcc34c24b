//! The leaders' dashboard: totals by category, industry and unit, and the lights. Every figure is an
//! exact integer sum underneath (tests compare them with plain SQL aggregates).

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, FixedOffset, NaiveDate};
use entity::project::{self, Industry, Light, ProjectCategory};
use entity::{monthly_report, project_year_plan, unit};
use rust_decimal::Decimal;
use sea_orm::sea_query::{Alias, Expr, Func, JoinType, Query, SimpleExpr};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::report::{self, Period};
use crate::clock::Day;
use crate::db::rows_of;
use crate::error::{AppError, AppResult};

/// Count and money of one group of projects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub projects: i64,
    pub planned_fen: i64,
    pub completed_fen: i64,
}

/// One unit's line.
#[derive(Debug, Clone, Default)]
pub struct UnitLine {
    pub unit: Option<unit::Model>,
    pub projects: i64,
    pub reports_due: i64,
    pub reports_submitted: i64,
    pub reports_on_time: i64,
    /// Mean of the owned projects' worst slips (early counts as 0), in days.
    pub average_slip_days: Option<Decimal>,
}

#[derive(Debug, Clone, Default)]
pub struct Dashboard {
    pub year: i32,
    pub total: Totals,
    pub by_category: Vec<(ProjectCategory, Totals)>,
    pub by_industry: Vec<(Industry, Totals)>,
    pub lights: BTreeMap<Light, i64>,
    pub by_unit: Vec<UnitLine>,
}

/// Per unit: projects, reports owed, and the sum and count of the projects' worst slips.
type UnitSums = (Uuid, i64, i64, i64, i64);

/// Builds the dashboard for `year` as of `today`. Any signed-in caller. Every figure is aggregated in
/// SQL (grouped by category and industry, by light, by unit). This year's figures sum what is kept
/// beside each project's light (made current first, see [`super::lights`]), so the dashboard reads
/// one row per project, not every report of the year; another year's are summed from the rows.
pub async fn build(db: &DatabaseConnection, year: i32, day: Day) -> AppResult<Dashboard> {
    let today = day.date;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "a year between 2000 and 2100"));
    }
    if year != today.year() {
        return from_rows(db, year, day).await;
    }
    super::health::refresh(db, day).await?;
    if super::rollups::refresh(db, day).await? {
        let (summed, units) =
            futures_util::future::try_join(super::rollups::summed(db, year), super::rollups::units(db, year)).await?;
        let totals = |(projects, planned_fen, completed_fen)| Totals { projects, planned_fen, completed_fen };
        let groups = Groups {
            by_category: summed.by_category.into_iter().map(|(c, t)| (c, totals(t))).collect(),
            by_industry: summed.by_industry.into_iter().map(|(i, t)| (i, totals(t))).collect(),
        };
        let (units, reports) = split_units(units);
        return assemble(db, year, groups, summed.lights.into_iter().collect(), units, reports).await;
    }
    let (groups, lights, (units, reports)) =
        futures_util::future::try_join3(kept_groups(db, year), light_counts(db, today), kept_units(db, year)).await?;
    assemble(db, year, groups, lights, units, reports).await
}

/// How many projects owe `period`'s report and have none. For a period of this year, summed from
/// the units' kept rollups (made current first); otherwise, or when a write lands meanwhile, counted
/// from the rows ([`report::count_missing`], which the kept figure always equals).
pub async fn count_missing(db: &DatabaseConnection, period: Period, day: Day) -> AppResult<u64> {
    if period.year == day.date.year() {
        super::health::refresh(db, day).await?;
        if super::rollups::refresh(db, day).await? {
            return Ok(u64::try_from(super::rollups::missing(db, period).await?).unwrap_or(0));
        }
    }
    report::count_missing(db, &period.key(), day.zone).await
}

/// [`build`] for this year computed from the rows, as for another year: what the kept figures must
/// always equal (the tests compare them).
pub async fn build_from_rows(db: &DatabaseConnection, day: Day) -> AppResult<Dashboard> {
    from_rows(db, day.date.year(), day).await
}

/// The dashboard of `year` summed from the rows (the lights are the kept ones of `today`).
async fn from_rows(db: &DatabaseConnection, year: i32, day: Day) -> AppResult<Dashboard> {
    let today = day.date;
    super::health::refresh(db, day).await?;
    let (groups, lights, (units, reports)) = futures_util::future::try_join3(
        totals_by_group(db, year),
        light_counts(db, today),
        futures_util::future::try_join(from_rows_units(db, year, day), reports_by_unit(db, year)),
    )
    .await?;
    assemble(db, year, groups, lights, units, reports).await
}

async fn from_rows_units(db: &DatabaseConnection, year: i32, day: Day) -> AppResult<Vec<UnitSums>> {
    let rules = super::settings::rules(db).await?;
    // Periods of `year` whose due date has passed: each owes one report per existing project.
    let closed: Vec<Period> = (1..=12)
        .map(|month| Period { year, month })
        .filter(|p| p.day_of_next_month(rules.report_due_day) < day.date)
        .collect();
    unit_lines(db, &closed, day.zone).await
}

async fn assemble(
    db: &DatabaseConnection,
    year: i32,
    groups: Groups,
    lights: BTreeMap<Light, i64>,
    units: Vec<UnitSums>,
    reports: HashMap<Uuid, (i64, i64)>,
) -> AppResult<Dashboard> {
    let mut out = Dashboard { year, ..Default::default() };
    for (_, t) in &groups.by_category {
        add(&mut out.total, t);
    }
    out.by_category = by_name(groups.by_category);
    out.by_industry = by_name(groups.by_industry);
    out.lights = lights;
    for light in [Light::Green, Light::Yellow, Light::Red] {
        out.lights.entry(light).or_default();
    }
    let named: HashMap<Uuid, unit::Model> = unit::Entity::find()
        .filter(unit::Column::Id.is_in(units.iter().map(|(id, ..)| *id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let mut lines: Vec<UnitLine> = units
        .into_iter()
        .map(|(unit_id, projects, reports_due, slip_sum, slip_n)| {
            let (reports_submitted, reports_on_time) = reports.get(&unit_id).copied().unwrap_or_default();
            UnitLine {
                unit: named.get(&unit_id).cloned(),
                projects,
                reports_due,
                reports_submitted,
                reports_on_time,
                average_slip_days: (slip_n > 0)
                    .then(|| (Decimal::from(slip_sum) / Decimal::from(slip_n)).round_dp(1).normalize()),
            }
        })
        .collect();
    lines.sort_by(|a, b| b.projects.cmp(&a.projects).then_with(|| name(a).cmp(name(b))));
    out.by_unit = lines;
    Ok(out)
}

fn bigint_sum(e: impl Into<SimpleExpr>) -> SimpleExpr {
    Expr::expr(Func::coalesce([Func::sum(e.into()).into(), Expr::val(0).into()])).cast_as(Alias::new("BIGINT"))
}

/// The current reports of `year`'s periods.
fn reports_of_year(year: i32) -> sea_orm::sea_query::Condition {
    sea_orm::sea_query::Condition::all()
        .add(Expr::col((monthly_report::Entity, monthly_report::Column::IsCurrent)).eq(true))
        .add(
            Expr::col((monthly_report::Entity, monthly_report::Column::Period))
                .between(format!("{year:04}-01"), format!("{year:04}-12")),
        )
}

/// Count, planned and completed investment of `year` per (category, industry).
async fn totals_by_group(db: &DatabaseConnection, year: i32) -> AppResult<Groups> {
    use monthly_report::Column as R;
    use project::Column as P;
    let (plan, done) = (Alias::new("plan"), Alias::new("done"));
    let done_per_project = Query::select()
        .column(R::ProjectId)
        .expr_as(Func::sum(Expr::col(R::InvestmentFen)), Alias::new("fen"))
        .from(monthly_report::Entity)
        .cond_where(reports_of_year(year))
        .group_by_col(R::ProjectId)
        .to_owned();
    let q = Query::select()
        .column((project::Entity, P::Category))
        .column((project::Entity, P::Industry))
        .expr(Func::count(Expr::col((project::Entity, P::Id))))
        .expr(bigint_sum(Expr::col((plan.clone(), project_year_plan::Column::PlannedFen))))
        .expr(bigint_sum(Expr::col((done.clone(), Alias::new("fen")))))
        .from(project::Entity)
        .join_as(
            JoinType::LeftJoin,
            project_year_plan::Entity,
            plan.clone(),
            Expr::col((plan.clone(), project_year_plan::Column::ProjectId))
                .equals((project::Entity, P::Id))
                .and(Expr::col((plan, project_year_plan::Column::Year)).eq(year)),
        )
        .join_subquery(
            JoinType::LeftJoin,
            done_per_project,
            done.clone(),
            Expr::col((done, R::ProjectId)).equals((project::Entity, P::Id)),
        )
        .group_by_col((project::Entity, P::Category))
        .group_by_col((project::Entity, P::Industry))
        .to_owned();
    let rows: Vec<(ProjectCategory, Industry, i64, i64, i64)> = rows_of(db, &q).await?;
    Ok(grouped_totals(rows))
}

/// How many projects show each light on `today` (kept lights, made current by the caller).
async fn light_counts(db: &DatabaseConnection, today: NaiveDate) -> AppResult<BTreeMap<Light, i64>> {
    use entity::project_light::Column as L;
    let q = Query::select()
        .column(L::Light)
        .expr(Func::count(Expr::col(L::ProjectId)))
        .from(entity::project_light::Entity)
        .and_where(Expr::col(L::Day).eq(today))
        .and_where(Expr::col(L::Light).is_not_null())
        .group_by_col(L::Light)
        .to_owned();
    let rows: Vec<(Light, i64)> = rows_of(db, &q).await?;
    Ok(rows.into_iter().collect())
}

/// Per responsible unit: projects, reports owed for the `closed` periods, and the sum and count of
/// the projects' worst slips (early counts as 0).
async fn unit_lines(db: &DatabaseConnection, closed: &[Period], zone: FixedOffset) -> AppResult<Vec<UnitSums>> {
    use entity::project_light::Column as L;
    use project::Column as P;
    let reporting = Expr::col((project::Entity, P::Status)).is_in(report::reporting_statuses());
    // A project owes a period's report when it existed during the period (see `report::owes_report`).
    let mut owed: SimpleExpr = Expr::val(0).into();
    for period in closed {
        let owes = Expr::case(
            reporting.clone().and(Expr::col((project::Entity, P::CreatedAt)).lt(report::period_end(*period, zone))),
            1,
        )
        .finally(0);
        owed = owed.add(Expr::expr(owes));
    }
    let slip = Expr::col((entity::project_light::Entity, L::SlipDays));
    let q = Query::select()
        .column((project::Entity, P::ResponsibleUnitId))
        .expr(Func::count(Expr::col((project::Entity, P::Id))))
        .expr(bigint_sum(owed))
        .expr(bigint_sum(Expr::case(slip.clone().gt(0), slip.clone()).finally(0)))
        .expr(Func::count(slip))
        .from(project::Entity)
        .left_join(
            entity::project_light::Entity,
            Expr::col((entity::project_light::Entity, L::ProjectId)).equals((project::Entity, P::Id)),
        )
        .group_by_col((project::Entity, P::ResponsibleUnitId))
        .to_owned();
    rows_of(db, &q).await
}

/// Per responsible unit: current reports of `year` submitted, and of them on time.
async fn reports_by_unit(db: &DatabaseConnection, year: i32) -> AppResult<HashMap<Uuid, (i64, i64)>> {
    use monthly_report::Column as R;
    use project::Column as P;
    let q = Query::select()
        .column((project::Entity, P::ResponsibleUnitId))
        .expr(Func::count(Expr::col((monthly_report::Entity, R::Id))))
        .expr(bigint_sum(Expr::case(Expr::col((monthly_report::Entity, R::OnTime)).eq(true), 1).finally(0)))
        .from(monthly_report::Entity)
        .inner_join(project::Entity, Expr::col((project::Entity, P::Id)).equals((monthly_report::Entity, R::ProjectId)))
        .cond_where(reports_of_year(year))
        .group_by_col((project::Entity, P::ResponsibleUnitId))
        .to_owned();
    let rows: Vec<(Uuid, i64, i64)> = rows_of(db, &q).await?;
    Ok(rows.into_iter().map(|(unit, submitted, on_time)| (unit, (submitted, on_time))).collect())
}

/// The kept lights' rows of `year` joined to their projects, for the sums below.
fn kept_rows(year: i32) -> sea_orm::sea_query::SelectStatement {
    use entity::project_light::Column as L;
    Query::select()
        .from(entity::project_light::Entity)
        .inner_join(
            project::Entity,
            Expr::col((project::Entity, project::Column::Id)).equals((entity::project_light::Entity, L::ProjectId)),
        )
        .and_where(Expr::col((entity::project_light::Entity, L::Year)).eq(year))
        .to_owned()
}

fn kept(column: entity::project_light::Column) -> SimpleExpr {
    Expr::col((entity::project_light::Entity, column)).into()
}

/// [`totals_by_group`] from the kept figures.
async fn kept_groups(db: &DatabaseConnection, year: i32) -> AppResult<Groups> {
    use entity::project_light::Column as L;
    use project::Column as P;
    let q = kept_rows(year)
        .column((project::Entity, P::Category))
        .column((project::Entity, P::Industry))
        .expr(Func::count(kept(L::ProjectId)))
        .expr(bigint_sum(kept(L::PlanFen)))
        .expr(bigint_sum(kept(L::DoneFen)))
        .group_by_col((project::Entity, P::Category))
        .group_by_col((project::Entity, P::Industry))
        .to_owned();
    let rows: Vec<(ProjectCategory, Industry, i64, i64, i64)> = rows_of(db, &q).await?;
    Ok(grouped_totals(rows))
}

/// [`unit_lines`] and [`reports_by_unit`] from the kept figures.
async fn kept_units(db: &DatabaseConnection, year: i32) -> AppResult<(Vec<UnitSums>, HashMap<Uuid, (i64, i64)>)> {
    use entity::project_light::Column as L;
    use project::Column as P;
    let slip = Expr::col((entity::project_light::Entity, L::SlipDays));
    let q = kept_rows(year)
        .column((project::Entity, P::ResponsibleUnitId))
        .expr(Func::count(kept(L::ProjectId)))
        .expr(bigint_sum(kept(L::ReportsDue)))
        .expr(bigint_sum(Expr::case(slip.clone().gt(0), slip.clone()).finally(0)))
        .expr(Func::count(slip))
        .expr(bigint_sum(kept(L::Reports)))
        .expr(bigint_sum(kept(L::OnTime)))
        .group_by_col((project::Entity, P::ResponsibleUnitId))
        .to_owned();
    let rows: Vec<(Uuid, i64, i64, i64, i64, i64, i64)> = rows_of(db, &q).await?;
    Ok(split_units(rows))
}

/// Rows of (unit, projects, owed, slip sum, slip count, submitted, on time) as the unit sums and the
/// reports by unit.
fn split_units(rows: Vec<(Uuid, i64, i64, i64, i64, i64, i64)>) -> (Vec<UnitSums>, HashMap<Uuid, (i64, i64)>) {
    let mut units = Vec::with_capacity(rows.len());
    let mut reports = HashMap::with_capacity(rows.len());
    for (unit, projects, due, slip_sum, slip_n, submitted, on_time) in rows {
        units.push((unit, projects, due, slip_sum, slip_n));
        if submitted > 0 {
            reports.insert(unit, (submitted, on_time));
        }
    }
    (units, reports)
}

/// The groups with projects, in the order of their names.
fn by_name<G: std::fmt::Debug>(groups: Vec<(G, Totals)>) -> Vec<(G, Totals)> {
    let named: BTreeMap<String, (G, Totals)> =
        groups.into_iter().filter(|(_, t)| t.projects > 0).map(|(g, t)| (format!("{g:?}"), (g, t))).collect();
    named.into_values().collect()
}

/// Totals per category and per industry.
struct Groups {
    by_category: Vec<(ProjectCategory, Totals)>,
    by_industry: Vec<(Industry, Totals)>,
}

/// Rows of (category, industry, projects, planned, completed) summed per category and per industry.
fn grouped_totals(rows: Vec<(ProjectCategory, Industry, i64, i64, i64)>) -> Groups {
    let mut by_category: HashMap<ProjectCategory, Totals> = HashMap::new();
    let mut by_industry: HashMap<Industry, Totals> = HashMap::new();
    for (category, industry, projects, planned_fen, completed_fen) in rows {
        let t = Totals { projects, planned_fen, completed_fen };
        add(by_category.entry(category).or_default(), &t);
        add(by_industry.entry(industry).or_default(), &t);
    }
    Groups { by_category: by_category.into_iter().collect(), by_industry: by_industry.into_iter().collect() }
}

fn name(line: &UnitLine) -> &str {
    line.unit.as_ref().map_or("", |u| u.name.as_str())
}

fn add(into: &mut Totals, t: &Totals) {
    into.projects += t.projects;
    into.planned_fen += t.planned_fen;
    into.completed_fen += t.completed_fen;
}
