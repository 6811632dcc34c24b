//! One try at sending a delivery: what the receiver answered, and how long it took.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub delivery_id: i64,
    pub attempted_at: DateTimeUtc,
    /// The HTTP status answered; none when no answer came (refused, timed out).
    pub status_code: Option<i32>,
    pub duration_ms: i32,
    /// The answer's first bytes (at most 1,000), as text.
    pub response: Option<String>,
    /// Why the attempt failed, when it did without an answer or with a refusal in the body.
    pub error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
