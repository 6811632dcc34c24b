//! A project's light (红黄绿灯) as last computed, kept so that lists filter and the dashboard counts
//! by light in SQL. The row is current when `computed_version == version` and `day` is the county's
//! today: every write to what the light is computed from (the project, its plans, reports and
//! schedule, the office's rules) bumps `version` in its own transaction.

use sea_orm::entity::prelude::*;

use crate::project::Light;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "project_lights")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub project_id: Uuid,
    /// Bumped by every write that changes the light's inputs.
    pub version: i64,
    /// The `version` whose inputs the stored light was computed from; none before the first.
    pub computed_version: Option<i64>,
    /// The day the light was computed for.
    pub day: Option<Date>,
    pub light: Option<Light>,
    /// The worst slip of the project's current milestones on `day`, in days (whatever its status).
    pub slip_days: Option<i64>,
    /// The year of `day`, which the figures below are of.
    pub year: Option<i32>,
    /// The year's planned investment, fen.
    pub plan_fen: Option<i64>,
    /// Investment reported for the year's periods, fen.
    pub done_fen: Option<i64>,
    /// Current reports for the year's periods, and of them those submitted on time.
    pub reports: Option<i64>,
    pub on_time: Option<i64>,
    /// Reports owed for the year's periods already due on `day`.
    pub reports_due: Option<i64>,
    /// The light's reasons and figures, as the API shows them: JSON, kept as text so that reading
    /// it parses once, straight into what the API shows.
    #[sea_orm(column_type = "Text", nullable)]
    pub detail: Option<String>,
    /// The project's name when the light was computed: a light's projects are listed in name order
    /// from the index of lights alone.
    pub name: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
