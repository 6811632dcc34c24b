//! Which columns of a project's row a selection of [`super::Project`] reads, so that a page reads
//! only those (see [`crate::service::project::Columns`]).

use async_graphql::Lookahead;
use entity::project::{self, Column as C};

use crate::graphql::columns::Reads;
use crate::service::project::Columns;

/// The columns each field of `Project` reads from its row beyond the id. Fields that load through
/// the request's loaders by the project's id read nothing more. A field missing here makes a page
/// read whole rows, so a field added to `Project` is never shown a placeholder; the test
/// `each_field_of_a_page_reads_what_the_whole_row_shows` checks every field against whole rows.
const READS: &Reads<project::Model> = &[
    ("__typename", &[]),
    ("id", &[]),
    ("code", &[C::Code]),
    ("name", &[C::Name]),
    ("category", &[C::Category]),
    ("industry", &[C::Industry]),
    ("status", &[C::Status]),
    ("responsibleUnit", &[C::ResponsibleUnitId]),
    ("leader", &[C::LeaderId]),
    ("pairedUnits", &[]),
    ("pairings", &[]),
    ("totalInvestment", &[C::TotalInvestmentFen]),
    ("plannedInvestment", &[]),
    ("completedInvestment", &[]),
    ("completedInvestmentTotal", &[C::PriorCompletedFen]),
    ("priorCompletedInvestment", &[C::PriorCompletedFen]),
    ("progressPercent", &[C::ProgressBp]),
    ("plannedStart", &[C::PlannedStart]),
    ("plannedCompletion", &[C::PlannedCompletion]),
    ("actualStart", &[C::ActualStart]),
    ("actualCompletion", &[C::ActualCompletion]),
    ("location", &[C::Lat, C::Lng]),
    ("locationDatum", &[C::LocationDatum]),
    ("siteRadiusM", &[C::SiteRadiusM]),
    ("boundary", &[C::Boundary]),
    ("address", &[C::Address]),
    ("description", &[C::Description]),
    ("milestones", &[]),
    ("worstSlipDays", &[]),
    ("scheduleHistory", &[]),
    ("reports", &[]),
    ("health", &[]),
    ("issues", &[]),
    ("cases", &[]),
    ("meetings", &[]),
    ("supervisionTasks", &[]),
    ("funding", &[]),
    ("evidenceGaps", &[]),
    ("inspections", &[]),
    ("photos", &[]),
    ("createdAt", &[C::CreatedAt]),
    ("updatedAt", &[C::UpdatedAt]),
];

/// The columns the fields `node` selects read (whole rows when one of them is not in [`READS`]).
pub fn read_by(node: &Lookahead<'_>) -> Columns {
    crate::graphql::columns::read_by(READS, node.selection_fields().iter().flat_map(|node| node.selection_set()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_field_is_listed_once() {
        assert!(crate::graphql::columns::each_listed_once(super::READS));
    }
}
