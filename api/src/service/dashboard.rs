//! The leaders' dashboard: totals by category, industry and unit, and the lights. Every figure is an
//! exact integer sum underneath (tests compare them with plain SQL aggregates).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use entity::project::{self, Industry, Light, ProjectCategory};
use entity::{monthly_report, unit};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::report::{self, Period};
use super::{health, schedule};
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

/// Builds the dashboard for `year` as of `today`. Any signed-in caller.
pub async fn build(db: &DatabaseConnection, year: i32, today: NaiveDate) -> AppResult<Dashboard> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::bad_input("year", "a year between 2000 and 2100"));
    }
    let projects = project::Entity::find().all(db).await?;
    let ids: Vec<Uuid> = projects.iter().map(|p| p.id).collect();
    let plans = super::project::year_plans(db, &ids, year).await?;
    let done = report::reported_investment(db, &ids, year).await?;
    let lights = health::compute(db, &ids, today).await?;
    let milestones = schedule::current_milestones(db, &ids).await?;
    let rules = super::settings::rules(db).await?;
    let reports = monthly_report::Entity::find()
        .filter(monthly_report::Column::IsCurrent.eq(true))
        .filter(monthly_report::Column::Period.between(format!("{year:04}-01"), format!("{year:04}-12")))
        .all(db)
        .await?;
    let units: HashMap<Uuid, unit::Model> =
        unit::Entity::find().all(db).await?.into_iter().map(|u| (u.id, u)).collect();

    let mut out = Dashboard { year, ..Default::default() };
    let mut by_category: BTreeMap<String, (ProjectCategory, Totals)> = BTreeMap::new();
    let mut by_industry: BTreeMap<String, (Industry, Totals)> = BTreeMap::new();
    let mut by_unit: HashMap<Uuid, (UnitLine, i64, i64)> = HashMap::new();
    // Periods of `year` whose due date has passed: each owes one report per existing project.
    let closed: Vec<Period> = (1..=12)
        .map(|month| Period { year, month })
        .filter(|p| p.day_of_next_month(rules.report_due_day) < today)
        .collect();
    for p in &projects {
        let t = Totals {
            projects: 1,
            planned_fen: plans.get(&p.id).copied().unwrap_or(0),
            completed_fen: done.get(&p.id).map_or(0, |d| d.0),
        };
        add(&mut out.total, &t);
        add(&mut by_category.entry(format!("{:?}", p.category)).or_insert((p.category, Totals::default())).1, &t);
        add(&mut by_industry.entry(format!("{:?}", p.industry)).or_insert((p.industry, Totals::default())).1, &t);
        if let Some(h) = lights.get(&p.id) {
            *out.lights.entry(h.light).or_default() += 1;
        }
        let line = by_unit.entry(p.responsible_unit_id).or_default();
        line.0.projects += 1;
        if report::reports_monthly(p.status) {
            let owed = closed.iter().filter(|period| report::owes_report(p.created_at, **period)).count();
            line.0.reports_due += owed as i64;
        }
        if let Some(slip) = milestones.get(&p.id).and_then(|m| schedule::worst_slip(m, today)) {
            line.1 += slip.max(0);
            line.2 += 1;
        }
    }
    let owner: HashMap<Uuid, Uuid> = projects.iter().map(|p| (p.id, p.responsible_unit_id)).collect();
    for r in &reports {
        if let Some(unit_id) = owner.get(&r.project_id) {
            let line = by_unit.entry(*unit_id).or_default();
            line.0.reports_submitted += 1;
            line.0.reports_on_time += i64::from(r.on_time);
        }
    }
    for light in [Light::Green, Light::Yellow, Light::Red] {
        out.lights.entry(light).or_default();
    }
    out.by_category = by_category.into_values().collect();
    out.by_industry = by_industry.into_values().collect();
    let mut lines: Vec<UnitLine> = by_unit
        .into_iter()
        .map(|(unit_id, (mut line, slip_sum, slip_n))| {
            line.unit = units.get(&unit_id).cloned();
            line.average_slip_days =
                (slip_n > 0).then(|| (Decimal::from(slip_sum) / Decimal::from(slip_n)).round_dp(1).normalize());
            line
        })
        .collect();
    lines.sort_by(|a, b| b.projects.cmp(&a.projects).then_with(|| name(a).cmp(name(b))));
    out.by_unit = lines;
    Ok(out)
}

fn name(line: &UnitLine) -> &str {
    line.unit.as_ref().map_or("", |u| u.name.as_str())
}

fn add(into: &mut Totals, t: &Totals) {
    into.projects += t.projects;
    into.planned_fen += t.planned_fen;
    into.completed_fen += t.completed_fen;
}
