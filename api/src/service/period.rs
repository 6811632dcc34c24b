//! Reporting months (每月汇报的期) and what a project owes for them: a period, its end, whether a
//! project reports monthly, and — in SQL — which projects owe a period's report and have none. The
//! reports (`super::report`), the lights and the units' rollups all count by these.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use entity::{monthly_report, project};
use sea_orm::sea_query::{Expr, Query, SimpleExpr};

use crate::error::{AppError, AppResult};

/// A reporting month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    pub month: u32,
}

impl Period {
    /// Parses `YYYY-MM`, naming `field` on failure.
    pub fn parse(field: &str, raw: &str) -> AppResult<Self> {
        let bad = || AppError::bad_input(field, "a period is written YYYY-MM, e.g. 2026-10");
        let (y, m) = raw.trim().split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        let (year, month) = (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?);
        if !(2000..=2100).contains(&year) || !(1..=12).contains(&month) {
            return Err(bad());
        }
        Ok(Self { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    pub fn key(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    pub fn first_day(&self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(&self) -> Self {
        if self.month == 12 {
            Self { year: self.year + 1, month: 1 }
        } else {
            Self { year: self.year, month: self.month + 1 }
        }
    }

    pub fn previous(&self) -> Self {
        if self.month == 1 {
            Self { year: self.year - 1, month: 12 }
        } else {
            Self { year: self.year, month: self.month - 1 }
        }
    }

    pub fn last_day(&self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or_default()
    }

    /// Day `day` of the following month (clamped to its length): deadlines are expressed so.
    pub fn day_of_next_month(&self, day: i32) -> NaiveDate {
        let next = self.next();
        let day = u32::try_from(day.clamp(1, 28)).unwrap_or(1);
        NaiveDate::from_ymd_opt(next.year, next.month, day).unwrap_or_default()
    }
}

/// The latest period whose due date has passed: the one whose report the lights ask about.
pub fn last_closed_period(today: NaiveDate, due_day: i32) -> Period {
    let mut p = Period::of(today).previous();
    while p.day_of_next_month(due_day) >= today {
        p = p.previous();
    }
    p
}

/// Whether a project existed during `period` (in the county's `zone`) and so owes a report for it.
pub fn owes_report(created_at: DateTime<Utc>, period: Period, zone: FixedOffset) -> bool {
    created_at < period_end(period, zone)
}

/// Whether a project in `status` still reports monthly: a project finished (竣工, in operation) or
/// suspended (停缓建) owes no reports.
pub fn reports_monthly(status: project::ProjectStatus) -> bool {
    use project::ProjectStatus as S;
    !matches!(status, S::Completed | S::InOperation | S::Suspended)
}

/// The statuses of projects that report monthly.
pub fn reporting_statuses() -> Vec<project::ProjectStatus> {
    use sea_orm::Iterable;
    project::ProjectStatus::iter().filter(|s| reports_monthly(*s)).collect()
}

/// The instant a period ends in the county's `zone` (the midnight starting the next month there): a
/// project created before it owes the period's report. One entered at 02:00 on the 1st in China
/// (18:00 UTC the day before) did not exist during the month before.
pub fn period_end(period: Period, zone: FixedOffset) -> DateTime<Utc> {
    crate::clock::midnight(period.next().first_day(), zone)
}

/// The condition that a project owes `period`'s report and has no current one: it existed during the
/// period, still reports monthly, and no current report of the period names it (an anti-join on
/// the current reports' index).
pub fn lacks_report(period: Period, zone: FixedOffset) -> SimpleExpr {
    use monthly_report::Column as R;
    let reported = Query::select()
        .expr(Expr::val(1))
        .from(monthly_report::Entity)
        .and_where(Expr::col((monthly_report::Entity, R::ProjectId)).equals((project::Entity, project::Column::Id)))
        .and_where(Expr::col((monthly_report::Entity, R::IsCurrent)).eq(true))
        .and_where(Expr::col((monthly_report::Entity, R::Period)).eq(period.key()))
        .to_owned();
    Expr::exists(reported)
        .not()
        .and(Expr::col((project::Entity, project::Column::CreatedAt)).lt(period_end(period, zone)))
        .and(Expr::col((project::Entity, project::Column::Status)).is_in(reporting_statuses()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_ends_at_the_county_midnight() {
        let china = crate::clock::china();
        let october = Period { year: 2026, month: 10 };
        assert_eq!(period_end(october, china).to_rfc3339(), "2026-10-31T16:00:00+00:00");
        let utc = FixedOffset::east_opt(0).expect("UTC");
        assert_eq!(period_end(october, utc).to_rfc3339(), "2026-11-01T00:00:00+00:00");
        let december = Period { year: 2026, month: 12 };
        assert_eq!(period_end(december, china).to_rfc3339(), "2026-12-31T16:00:00+00:00");
        for (created, owes) in [
            ("2026-10-31T15:59:59Z", true),
            ("2026-10-31T16:00:00Z", false),
            ("2026-10-31T18:00:00Z", false),
            ("2026-09-30T16:00:00Z", true),
        ] {
            let created: DateTime<Utc> = created.parse().expect("an instant");
            assert_eq!(owes_report(created, october, china), owes, "{created}");
        }
    }
}
