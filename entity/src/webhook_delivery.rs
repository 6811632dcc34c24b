//! One message for one webhook: queued when its event is read from the trail, sent in order, retried
//! until it is answered with a 2xx or its retries run out.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Where a delivery stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeliveryStatus {
    /// Not delivered yet: waiting for its turn or its next attempt.
    #[sea_orm(string_value = "PENDING")]
    Pending,
    /// Answered with a 2xx.
    #[sea_orm(string_value = "DELIVERED")]
    Delivered,
    /// Every retry failed (about a day of them), or the webhook was deleted or disabled meanwhile.
    #[sea_orm(string_value = "FAILED")]
    Failed,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_deliveries")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub webhook_id: Uuid,
    /// The audit event it carries; none for a ping.
    pub seq: Option<i64>,
    /// `issue.raised`, …, or `webhook.ping`.
    pub event_type: String,
    /// The body sent, fixed when queued so every attempt sends the same bytes.
    pub payload: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub next_attempt_at: DateTimeUtc,
    pub last_attempt_at: Option<DateTimeUtc>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
