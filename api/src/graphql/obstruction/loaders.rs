//! Loaders of what an obstruction case shows.

use crate::graphql::loaders::keyed_loader;

keyed_loader!(
    /// The investigators of each case, by user id.
    CaseInvestigators, Vec<uuid::Uuid>, |db, keys| crate::service::obstruction::investigators_of(db, keys).await
);
keyed_loader!(
    /// The steps of each case, oldest first.
    CaseSteps, Vec<entity::obstruction_step::Model>, |db, keys| crate::service::obstruction::steps_of(db, keys).await
);
