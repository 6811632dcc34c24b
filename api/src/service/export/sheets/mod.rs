//! The sheets: what each one holds, read with the same rules (and visibility) as the API, and the
//! parameters each takes.

mod dashboard;
mod ledgers;
mod missing;
mod monthly;

use sea_orm::DatabaseConnection;

use super::{Cell, Sheet, Table};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::period::Period;

/// Most rows one worksheet holds: what Excel opens (1,048,576 rows) less the title, subtitle and
/// header rows.
pub const MAX_ROWS: u64 = 1_048_576 - 3;

/// What a sheet may be narrowed by; which sheet takes which is checked by [`Params::new`].
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Params {
    /// `YYYY-MM`: the monthly report's or the missing reports' period.
    pub period: Option<String>,
    /// The dashboard's year.
    pub year: Option<i32>,
}

impl Params {
    /// `sheet`'s parameters, each checked: a period only for the monthly report and the missing
    /// reports, a year only for the dashboard.
    pub fn new(sheet: Sheet, period: Option<String>, year: Option<i32>) -> AppResult<Self> {
        if let Some(p) = &period {
            if !matches!(sheet, Sheet::MonthlyReport | Sheet::MissingReports) {
                return Err(AppError::bad_input(
                    "period",
                    "only the monthly report and the missing reports have a period",
                ));
            }
            Period::parse("period", p)?;
        }
        if let Some(y) = year {
            if sheet != Sheet::Dashboard {
                return Err(AppError::bad_input("year", "only the dashboard has a year"));
            }
            if !(2000..=2100).contains(&y) {
                return Err(AppError::bad_input("year", "a year between 2000 and 2100"));
            }
        }
        Ok(Self { period, year })
    }

    /// `sheet`'s parameters from a URL query's pairs; a name the sheet does not take is refused, so a
    /// typo is not a silent no-op.
    pub fn from_pairs(sheet: Sheet, pairs: Vec<(String, String)>) -> AppResult<Self> {
        let (mut period, mut year) = (None, None);
        for (name, value) in pairs {
            match name.as_str() {
                "period" => period = Some(value),
                "year" => year = Some(value.parse().map_err(|_| AppError::bad_input("year", "a year, e.g. 2026"))?),
                _ => return Err(AppError::bad_input(name, "not a parameter of this sheet")),
            }
        }
        Self::new(sheet, period, year)
    }

    /// The parameters as the URL query [`Params::from_pairs`] reads.
    pub fn query(&self) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        if let Some(period) = &self.period {
            pairs.push(("period", period.clone()));
        }
        if let Some(year) = self.year {
            pairs.push(("year", year.to_string()));
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }
}

/// The worksheets of `sheet` as `caller` may see it.
pub async fn build(
    db: &DatabaseConnection,
    caller: &Caller,
    sheet: Sheet,
    params: &Params,
    clock: &crate::clock::Clock,
) -> AppResult<Vec<Table>> {
    let today = clock.today();
    let period = || async {
        match &params.period {
            Some(raw) => Period::parse("period", raw),
            None => Ok(crate::service::period::last_closed_period(
                today,
                crate::service::settings::rules(db).await?.report_due_day,
            )),
        }
    };
    Ok(match sheet {
        Sheet::MonthlyReport => vec![monthly::monthly_report(db, period().await?, clock.day()).await?],
        Sheet::Issues => vec![ledgers::issues(db, caller, clock).await?],
        Sheet::Cases => vec![ledgers::cases(db, caller, clock).await?],
        Sheet::MissingReports => missing::by_unit(db, period().await?, clock.zone()).await?,
        Sheet::Dashboard => {
            use chrono::Datelike;
            dashboard::tables(db, params.year.unwrap_or(today.year()), clock.day()).await?
        }
    })
}

/// Refuses a sheet of more than [`MAX_ROWS`] rows (the caller fetched one more to tell).
fn bounded<T>(rows: Vec<T>, what: &str) -> AppResult<Vec<T>> {
    if rows.len() as u64 > MAX_ROWS {
        return Err(AppError::bad_input("sheet", format!("more than {MAX_ROWS} {what} in one sheet")));
    }
    Ok(rows)
}

fn text(s: Option<&String>) -> Cell {
    s.map_or(Cell::None, |s| Cell::Text(s.clone()))
}
