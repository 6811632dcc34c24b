//! Loaders of monthly reports.

use crate::graphql::loaders::param_loader;
use crate::service::report::Newest;

param_loader!(
    /// The newest N current monthly reports of each project, newest period first, with the columns
    /// the list reads (rows read with other columns are other keys); keyed by (project, N and columns).
    RecentReports, Newest, Vec<entity::monthly_report::Model>,
    |db, ids, newest| crate::service::report::recent_reports(db, ids, newest.first, newest.columns).await
);
