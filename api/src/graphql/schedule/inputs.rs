//! The steps of a backward schedule.

use async_graphql::InputObject;

/// One step to lay back from the deadline.
#[derive(InputObject, Clone)]
pub struct ScheduleStepInput {
    /// Step name, unique within the schedule, e.g. `土地报批`.
    pub name: String,
    /// Length in days, 1 to 3650.
    pub duration_days: i32,
}
