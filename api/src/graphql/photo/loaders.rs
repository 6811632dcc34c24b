//! Loaders of photos under what they document.

use crate::graphql::children::filtered_children;

filtered_children!(
    /// `Project.photos`: each project's photos as the caller sees them, one page per project.
    PhotosOfProject, super::PhotoFilter => crate::service::photo::PhotoFilter, entity::photo::Model,
    pages: |db, q, parents, page| crate::service::photo::pages_of_projects(db, q.scope, &q.filter, parents, page),
    counts: |db, q, parents| crate::service::photo::counts_of_projects(db, q.scope, &q.filter, parents),
    cursor: crate::service::photo::cursor,
);
