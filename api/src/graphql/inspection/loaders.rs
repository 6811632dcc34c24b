//! Loaders of what an inspection shows: the issues it raised and its photos.

use uuid::Uuid;

use crate::graphql::loaders::keyed_loader;

keyed_loader!(
    /// Issues raised by each inspection (keyed by its root id): (item key, issue id).
    RaisedIssues, Vec<(String, Uuid)>, |db, keys| crate::service::inspection::raised_issues(db, keys).await
);
keyed_loader!(
    /// Photos uploaded for each inspection (keyed by the inspection id the phone gave them).
    InspectionPhotos, Vec<entity::photo::Model>, |db, keys| crate::service::photo::of_inspections(db, keys).await
);
