//! Which columns of a monthly report a selection of [`super::MonthlyReport`] reads, so that a
//! project's newest reports are read with only those (see [`crate::service::columns`]).

use async_graphql::SelectionField;
use entity::monthly_report::{self, Column as C};

use super::objects::{DEFAULT_REPORTS, MAX_REPORTS};
use crate::graphql::columns::Reads;
use crate::graphql::prefetch::int_argument;
use crate::service::report::{Newest, ReportColumns};

/// The columns each field of `MonthlyReport` reads beyond the id. A field missing here makes the
/// reports read whole rows; the test `each_field_of_recent_reports_reads_what_the_whole_row_shows`
/// checks every field against whole rows.
const READS: &Reads<monthly_report::Model> = &[
    ("__typename", &[]),
    ("id", &[]),
    ("project", &[C::ProjectId]),
    ("period", &[C::Period]),
    ("version", &[C::Version]),
    ("investmentThisMonth", &[C::InvestmentFen]),
    ("progressPercent", &[C::ProgressBp]),
    ("narrative", &[C::Narrative]),
    ("problems", &[C::Problems]),
    ("unit", &[C::UnitId]),
    ("submittedBy", &[C::SubmittedBy]),
    ("submittedAt", &[C::SubmittedAt]),
    ("onTime", &[C::OnTime]),
];

/// The columns the list of reports `field` selects reads.
pub fn read_by(field: &SelectionField<'_>) -> ReportColumns {
    crate::graphql::columns::read_by(READS, field.selection_set())
}

/// The reports a list of a project's reports (`field`, a selection of `Project.reports`) shows: as
/// many as its `first` asks (the default when absent; clamped, an out-of-range size being refused
/// by the field itself) with the columns it reads.
pub fn newest_by(field: &SelectionField<'_>) -> Newest {
    let first =
        int_argument(field, "first").map_or(DEFAULT_REPORTS as u32, |n| n.clamp(0, i64::from(MAX_REPORTS)) as u32);
    Newest { first, columns: read_by(field) }
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_field_is_listed_once() {
        assert!(crate::graphql::columns::each_listed_once(super::READS));
    }
}
