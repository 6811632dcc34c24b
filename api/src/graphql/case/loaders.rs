//! Loaders of what a case shows: units, measures, links, linked issues.

use uuid::Uuid;

use crate::graphql::children::filtered_children;
use crate::graphql::loaders::{keyed_loader, param_loader};

keyed_loader!(
    /// Participating unit ids of each case.
    CaseUnits, Vec<Uuid>, |db, keys| crate::service::case::units_of(db, keys).await
);
keyed_loader!(
    /// Measures of each case, in order.
    CaseMeasures, Vec<entity::case_measure::Model>, |db, keys| crate::service::case::measures_of(db, keys).await
);
param_loader!(
    /// Links of each case that the caller may open, oldest first; keyed by (case, the caller's scope).
    CaseLinks, Option<crate::service::kit::Units>, Vec<entity::case_link::Model>,
    |db, ids, scope| crate::service::case::links_of(db, ids, scope).await
);

param_loader!(
    /// Linked issues of each case that the caller may see, newest first; keyed by (case, the caller's
    /// issue scope), so the one visibility rule of issues decides.
    CaseIssues, Option<crate::service::kit::Units>, Vec<entity::issue::Model>,
    |db, ids, scope| crate::service::case::linked_issues(db, ids, scope).await
);

filtered_children!(
    /// `Project.cases`: each project's cases as the caller sees them, one page per project.
    CasesOfProject, super::CaseFilter => crate::service::case::CaseFilter, entity::case::Model,
    pages: |db, q, parents, page| crate::service::case::pages_of_projects(db, q.scope, &q.filter, parents, page),
    counts: |db, q, parents| crate::service::case::counts_of_projects(db, q.scope, &q.filter, parents),
    cursor: crate::service::case::cursor,
);
