//! A scheduling meeting (调度会): where projects are dispatched, decisions taken and action items
//! handed to units.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

use crate::project::Industry;

/// Which body meets.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingKind {
    /// The leading group of key projects (领导小组会议).
    #[sea_orm(string_value = "LEADING_GROUP")]
    LeadingGroup,
    /// Scheduling by the party and government heads (党政主要负责人调度).
    #[sea_orm(string_value = "TOP_LEADERS")]
    TopLeaders,
    /// Scheduling by the leader linked to an industry (联产业领导调度).
    #[sea_orm(string_value = "INDUSTRY")]
    Industry,
    /// Scheduling by the project office (项目办调度).
    #[sea_orm(string_value = "PROJECT_OFFICE")]
    ProjectOffice,
    /// The government's executive meeting (政府常务会议).
    #[sea_orm(string_value = "EXECUTIVE")]
    Executive,
    /// A meeting held on site (现场办公会).
    #[sea_orm(string_value = "ON_SITE")]
    OnSite,
}

/// Where a meeting stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MeetingStatus {
    /// Planned, not yet held.
    #[sea_orm(string_value = "SCHEDULED")]
    Scheduled,
    /// Held: its agenda is recorded; decisions and action items are being written down.
    #[sea_orm(string_value = "HELD")]
    Held,
    /// Its minutes (纪要) are published: the record is closed; corrections are new versions.
    #[sea_orm(string_value = "MINUTES_PUBLISHED")]
    MinutesPublished,
    /// Called off, with a reason.
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "meetings")]
pub struct Model {
    /// Chosen by the client that scheduled it.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: MeetingKind,
    pub title: String,
    pub chair_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub place: String,
    /// The industry an INDUSTRY meeting schedules.
    pub industry: Option<Industry>,
    pub status: MeetingStatus,
    pub cancel_reason: Option<String>,
    /// Minutes being written while the meeting is HELD; published versions are `meeting_minutes`.
    pub minutes_draft: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub held_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
