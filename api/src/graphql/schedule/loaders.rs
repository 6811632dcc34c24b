//! Loaders of schedules: the current milestones and every version of each project's schedule.

use crate::graphql::loaders::keyed_loader;

keyed_loader!(
    /// Milestones of each project's current schedule.
    CurrentMilestones, Vec<entity::milestone::Model>, |db, keys| crate::service::schedule::current_milestones(db, keys).await
);
keyed_loader!(
    /// Every schedule version of each project, newest first.
    ScheduleHistory, Vec<(entity::schedule_plan::Model, Vec<entity::milestone::Model>)>, |db, keys| {
        crate::service::schedule::histories(db, keys).await
    }
);
