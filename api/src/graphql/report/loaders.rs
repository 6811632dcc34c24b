//! Loaders of monthly reports.

use crate::graphql::loaders::param_loader;
use crate::service::report::ReportColumns;

/// How many of a project's newest reports a list shows, and which of their columns it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Recent {
    pub first: u32,
    pub columns: ReportColumns,
}

param_loader!(
    /// The newest N current monthly reports of each project, newest period first, with the columns
    /// the list reads (rows read with other columns are other keys); keyed by (project, N and columns).
    RecentReports, Recent, Vec<entity::monthly_report::Model>,
    |db, ids, recent| crate::service::report::recent_reports(db, ids, recent.first, recent.columns).await
);
