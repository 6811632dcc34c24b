//! A monthly report as a unit sends it.

use async_graphql::InputObject;
use uuid::Uuid;

use crate::graphql::scalars::Decimal;

/// A monthly report (每月汇报).
#[derive(InputObject)]
pub struct MonthlyReportInput {
    /// The project reported on.
    pub project_id: Uuid,
    /// The month, `YYYY-MM`.
    pub period: String,
    /// Investment completed in the month, 万元.
    pub investment_this_month: Decimal,
    /// Physical progress at the end of the month, 0 to 100.
    pub progress_percent: Decimal,
    /// What was done, 1 to 5000 characters.
    pub narrative: String,
    /// Problems needing help.
    pub problems: Option<String>,
}
