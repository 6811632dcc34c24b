//! One entry of an action item's timeline.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What happened to an action item.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionItemEventKind {
    /// Handed to the owner unit at the meeting.
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    /// The owner reported it done; the text is the report.
    #[sea_orm(string_value = "DONE")]
    Done,
    /// The office accepted it.
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    /// The office sent it back to OPEN; the text is why.
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    /// Past its deadline: a supervision notice (督办通知) to the owner unit.
    #[sea_orm(string_value = "NOTICE")]
    Notice,
    /// Overdue beyond the office's limit: sent to the meeting's chair.
    #[sea_orm(string_value = "ESCALATED")]
    Escalated,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action_item_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub item_id: Uuid,
    pub kind: ActionItemEventKind,
    /// `None` for the system (notices and escalation).
    pub actor_id: Option<Uuid>,
    pub text: Option<String>,
    /// The unit addressed (the owner, for a notice).
    pub unit_id: Option<Uuid>,
    /// The person addressed (the chair, for an escalation).
    pub user_id: Option<Uuid>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
