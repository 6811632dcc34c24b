//! Loaders of what an inspection shows: the issues it raised and its photos.

use uuid::Uuid;

use crate::graphql::children::filtered_children;
use crate::graphql::loaders::keyed_loader;

keyed_loader!(
    /// Issues raised by each inspection (keyed by its root id): (item key, issue id).
    RaisedIssues, Vec<(String, Uuid)>, |db, keys| crate::service::inspection::raised_issues(db, keys).await
);
keyed_loader!(
    /// Photos uploaded for each inspection (keyed by the inspection id the phone gave them).
    InspectionPhotos, Vec<entity::photo::Model>, |db, keys| crate::service::photo::of_inspections(db, keys).await
);

filtered_children!(
    /// `Project.inspections`: each project's inspections as the caller sees them, one page per project.
    InspectionsOfProject, super::InspectionFilter => crate::service::inspection::InspectionFilter,
    entity::inspection::Model,
    pages: |db, q, parents, page| crate::service::inspection::pages_of_projects(db, q.scope, &q.filter, parents, page),
    counts: |db, q, parents| crate::service::inspection::counts_of_projects(db, q.scope, &q.filter, parents),
    cursor: crate::service::inspection::cursor,
);
