//! Loaders of what an issue shows: co-operating units, its timeline, where it was found, photos.

use uuid::Uuid;

use crate::graphql::children::filtered_children;
use crate::graphql::loaders::{keyed_loader, param_loader};

keyed_loader!(
    /// Co-operating unit ids of each issue.
    IssueCoUnits, Vec<Uuid>, |db, keys| crate::service::issue::co_units(db, keys).await
);
param_loader!(
    /// The newest N timeline entries of each issue, oldest first; keyed by (issue, N).
    IssueTimelines, u32, Vec<entity::issue_event::Model>,
    |db, ids, n| crate::service::issue::recent_events(db, ids, n).await
);

keyed_loader!(
    /// The inspection and checklist item that raised each issue, where one did.
    IssueOrigins, (Uuid, String), |db, keys| crate::service::inspection::origins(db, keys).await
);
keyed_loader!(
    /// Photos uploaded for each issue, oldest first.
    IssuePhotos, Vec<entity::photo::Model>, |db, keys| crate::service::photo::of_issues(db, keys).await
);

filtered_children!(
    /// `Project.issues`: each project's issues as the caller sees them, one page per project.
    IssuesOfProject, super::IssueFilter => crate::service::issue::IssueFilter, entity::issue::Model,
    pages: |db, q, parents, page| crate::service::issue::pages_of_projects(db, q.scope, &q.filter, q.today, parents, page),
    counts: |db, q, parents| crate::service::issue::counts_of_projects(db, q.scope, &q.filter, q.today, parents),
    cursor: crate::service::issue::cursor,
);
