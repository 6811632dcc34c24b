//! Which columns of a monthly report a selection of [`super::MonthlyReport`] reads, so that a
//! project's newest reports are read with only those (see [`crate::service::columns`]).

use async_graphql::SelectionField;
use entity::monthly_report::{self, Column as C};

use crate::graphql::columns::Reads;
use crate::service::report::ReportColumns;

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

#[cfg(test)]
mod tests {
    #[test]
    fn each_field_is_listed_once() {
        assert!(crate::graphql::columns::each_listed_once(super::READS));
    }
}
