//! Unit assessment (考核) with rewards and the one-vote veto (一票否决): versioned schemes of weighted
//! metrics computed from what the API holds, runs that freeze every unit's figures, vetoes found in
//! the data or recorded by the office, and awards a vetoed unit or its head cannot receive. Who
//! sees which run and scorecard is decided by [`Reach`], here and nowhere else.

mod awards;
mod measure;
mod rank;
mod run;
mod scheme;
mod sources;
mod vetoes;

pub use awards::{AwardTotals, NewAward, award_cursor, award_totals, awards, grant_award};
pub use run::{
    FrozenMetric, FrozenVeto, StandingFilter, count_standings, find_run, frozen_metrics, frozen_vetoes, latest_run,
    publish, run, run_in, runs, scorecard, standing_cursor, standings,
};
pub use scheme::{
    AssessmentMetric, NewScheme, SchemeMetric, SchemeVeto, find_scheme, metrics_of, publish_scheme, schemes, vetoes_of,
};
pub use vetoes::{NewVeto, head_eligible, lift_veto, veto_unit, vetoes_for};

use chrono::NaiveDate;
use entity::user::Role;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// What a run is over: a year (`2026`) or a quarter of it (`2026-Q3`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AssessPeriod {
    pub year: i32,
    /// 1 to 4; none for the whole year.
    pub quarter: Option<u32>,
}

impl AssessPeriod {
    /// Parses `YYYY` or `YYYY-Qn`, naming `field` on failure.
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let bad = || AppError::bad_input(field, "a period is a year (2026) or a quarter (2026-Q3)");
        let raw = raw.trim();
        let (y, q) = match raw.split_once("-Q") {
            Some((y, q)) if q.len() == 1 => (y, Some(q.parse::<u32>().map_err(|_| bad())?)),
            Some(_) => return Err(bad()),
            None => (raw, None),
        };
        if y.len() != 4 {
            return Err(bad());
        }
        let year = y.parse::<i32>().map_err(|_| bad())?;
        if !(2000..=2100).contains(&year) || q.is_some_and(|q| !(1..=4).contains(&q)) {
            return Err(bad());
        }
        Ok(Self { year, quarter: q })
    }

    /// The quarter holding `day`.
    pub fn quarter_of(day: NaiveDate) -> Self {
        use chrono::Datelike;
        Self { year: day.year(), quarter: Some((day.month() - 1) / 3 + 1) }
    }

    /// The quarter before this one (a year's Q4 before the next year's Q1).
    pub fn previous_quarter(&self) -> Self {
        match self.quarter {
            Some(1) | None => Self { year: self.year - 1, quarter: Some(4) },
            Some(q) => Self { year: self.year, quarter: Some(q - 1) },
        }
    }

    pub fn key(&self) -> String {
        match self.quarter {
            Some(q) => format!("{:04}-Q{q}", self.year),
            None => format!("{:04}", self.year),
        }
    }

    /// The first and last months, 1 to 12.
    pub fn months(&self) -> (u32, u32) {
        match self.quarter {
            Some(q) => (q * 3 - 2, q * 3),
            None => (1, 12),
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.months().0, 1).unwrap_or_default()
    }

    pub fn last_day(&self) -> NaiveDate {
        let last = crate::service::period::Period { year: self.year, month: self.months().1 };
        last.last_day()
    }

    /// Whether the period ends the year (a year, or its fourth quarter).
    pub fn ends_year(&self) -> bool {
        self.months().1 == 12
    }

    /// The keys of this period and those it lies in or holds (`2026` and its four quarters for
    /// either): a veto of any of them bears on the year's honours.
    pub fn year_keys(year: i32) -> Vec<String> {
        std::iter::once(format!("{year:04}")).chain((1..=4).map(|q| format!("{year:04}-Q{q}"))).collect()
    }
}

/// How far a caller sees assessments: the office and leaders everything, including runs not yet
/// published; anyone else the published runs' standings and their own units' scorecards at once.
#[derive(Debug, Clone, Copy)]
pub enum Reach {
    All,
    Own(crate::service::kit::Units),
}

impl Reach {
    pub fn of(caller: &Caller) -> Self {
        match caller.role() {
            Role::Admin | Role::Leader => Self::All,
            _ => Self::Own(caller.units()),
        }
    }

    pub fn sees_drafts(&self) -> bool {
        matches!(self, Self::All)
    }

    /// Whether the caller sees `unit`'s scorecard.
    pub fn sees_unit(&self, unit: uuid::Uuid) -> bool {
        match self {
            Self::All => true,
            Self::Own(units) => units.contains(unit),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_parse_as_years_and_quarters() -> AppResult<()> {
        let q = AssessPeriod::parse("p", "2026-Q3")?;
        assert_eq!(
            (q.key(), q.months(), q.first_day().to_string(), q.last_day().to_string()),
            ("2026-Q3".into(), (7, 9), "2026-07-01".into(), "2026-09-30".into())
        );
        let y = AssessPeriod::parse("p", " 2026 ")?;
        assert_eq!((y.key(), y.ends_year(), y.last_day().to_string()), ("2026".into(), true, "2026-12-31".into()));
        for bad in ["2026-Q5", "2026-Q0", "26", "2026-3", "2026-Q12", "1999", "2026-Q", "２０２６"] {
            assert!(AssessPeriod::parse("p", bad).is_err(), "{bad}");
        }
        assert_eq!(AssessPeriod::parse("p", "2026-Q1")?.previous_quarter().key(), "2025-Q4");
        Ok(())
    }
}
