//! Loaders of monthly reports.

use crate::graphql::loaders::param_loader;

param_loader!(
    /// The newest N current monthly reports of each project, newest period first; keyed by (project, N).
    RecentReports, u32, Vec<entity::monthly_report::Model>,
    |db, ids, n| crate::service::report::recent_reports(db, ids, n).await
);
