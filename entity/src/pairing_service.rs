//! Service a paired unit logged for its project (六包服务记录): the day, the duty, what was done and
//! the photos that show it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "pairing_services")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project_id: Uuid,
    pub unit_id: Uuid,
    /// The pairing duty's code.
    pub duty: String,
    /// The day the service was given (the county's calendar).
    pub served_on: Date,
    pub text: String,
    /// The ids of photos of the project that show it, as a JSON array.
    pub photo_ids: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
