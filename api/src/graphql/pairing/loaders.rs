//! `Project.pairings`, one batch for a page of projects.

use crate::graphql::loaders::keyed_loader;

keyed_loader!(
    /// The pairings of each project.
    ProjectPairings, Vec<entity::project_paired_unit::Model>,
    |db, keys| crate::service::pairing::pairings_of(db, keys).await
);
