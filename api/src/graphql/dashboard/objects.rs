//! The leaders' view of a year.

use async_graphql::SimpleObject;
use entity::project::{Industry, Light, ProjectCategory};

use crate::graphql::account::Unit;
use crate::graphql::scalars::Decimal;
use crate::service::dashboard;
use crate::service::money::{fen_to_wan, ratio_percent};

/// Count and money of a group of projects.
#[derive(SimpleObject)]
pub struct InvestmentTotals {
    /// Number of projects.
    pub project_count: i64,
    /// Planned investment for the year, 万元.
    pub planned_investment: Decimal,
    /// Investment reported for the year, 万元.
    pub completed_investment: Decimal,
    /// Completed as a percentage of planned; null when nothing is planned.
    pub completion_rate: Option<Decimal>,
}

impl From<&dashboard::Totals> for InvestmentTotals {
    fn from(t: &dashboard::Totals) -> Self {
        Self {
            project_count: t.projects,
            planned_investment: Decimal(fen_to_wan(t.planned_fen)),
            completed_investment: Decimal(fen_to_wan(t.completed_fen)),
            completion_rate: ratio_percent(t.completed_fen, t.planned_fen).map(Decimal),
        }
    }
}

/// Totals of one project list.
#[derive(SimpleObject)]
pub struct CategoryTotals {
    /// The list.
    pub category: ProjectCategory,
    /// Its totals.
    pub totals: InvestmentTotals,
}

/// Totals of one industry.
#[derive(SimpleObject)]
pub struct IndustryTotals {
    /// The industry.
    pub industry: Industry,
    /// Its totals.
    pub totals: InvestmentTotals,
}

/// How many projects show each light today.
#[derive(SimpleObject)]
pub struct LightCounts {
    /// Projects on track.
    pub green: i64,
    /// Projects slipping.
    pub yellow: i64,
    /// Projects seriously behind.
    pub red: i64,
}

/// How a responsible unit is doing with its projects.
#[derive(SimpleObject)]
pub struct UnitPerformance {
    /// The unit.
    pub unit: Option<Unit>,
    /// Projects it is responsible for.
    pub project_count: i64,
    /// Reports owed for the year's closed periods.
    pub reports_due: i64,
    /// Current reports submitted for the year.
    pub reports_submitted: i64,
    /// Of those, how many arrived by the due day.
    pub reports_on_time: i64,
    /// Mean worst milestone slip of its projects, days (early counts as 0).
    pub average_slip_days: Option<Decimal>,
}

/// The leaders' view of a year.
#[derive(SimpleObject)]
pub struct Dashboard {
    /// The year.
    pub year: i32,
    /// All projects together.
    pub total: InvestmentTotals,
    /// Per list (category).
    pub by_category: Vec<CategoryTotals>,
    /// Per industry.
    pub by_industry: Vec<IndustryTotals>,
    /// Lights today.
    pub lights: LightCounts,
    /// Per responsible unit, most projects first.
    pub by_unit: Vec<UnitPerformance>,
}

impl From<dashboard::Dashboard> for Dashboard {
    fn from(d: dashboard::Dashboard) -> Self {
        let light = |l| d.lights.get(&l).copied().unwrap_or(0);
        Self {
            year: d.year,
            total: (&d.total).into(),
            by_category: d.by_category.iter().map(|(c, t)| CategoryTotals { category: *c, totals: t.into() }).collect(),
            by_industry: d.by_industry.iter().map(|(i, t)| IndustryTotals { industry: *i, totals: t.into() }).collect(),
            lights: LightCounts { green: light(Light::Green), yellow: light(Light::Yellow), red: light(Light::Red) },
            by_unit: d
                .by_unit
                .into_iter()
                .map(|u| UnitPerformance {
                    unit: u.unit.map(Unit),
                    project_count: u.projects,
                    reports_due: u.reports_due,
                    reports_submitted: u.reports_submitted,
                    reports_on_time: u.reports_on_time,
                    average_slip_days: u.average_slip_days.map(Decimal),
                })
                .collect(),
        }
    }
}
