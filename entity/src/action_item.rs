//! An action item (交办事项) a meeting hands to a unit, chased until the office has verified it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where an action item stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionItemStatus {
    /// Handed to the owner unit and not yet reported done (or sent back).
    #[sea_orm(string_value = "OPEN")]
    Open,
    /// The owner unit reported what was done; awaiting the office's check.
    #[sea_orm(string_value = "DONE")]
    Done,
    /// Checked and accepted by the office.
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub meeting_id: Uuid,
    /// The decision it carries out, when there is one.
    pub decision_id: Option<Uuid>,
    /// Order within the meeting, from 0.
    pub position: i32,
    pub task: String,
    pub owner_unit_id: Uuid,
    pub project_id: Option<Uuid>,
    pub deadline: Date,
    pub status: ActionItemStatus,
    /// What the owner reported done (the latest report).
    pub done_report: Option<String>,
    /// The county's day the owner reported it done.
    pub done_on: Option<Date>,
    pub done_at: Option<DateTimeUtc>,
    pub verified_at: Option<DateTimeUtc>,
    /// When the supervision notice (督办通知) went to the owner unit.
    pub noticed_at: Option<DateTimeUtc>,
    /// When it went to the meeting's chair.
    pub escalated_at: Option<DateTimeUtc>,
    pub escalated_to: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
