//! One entry on an issue's timeline: a transition, a comment, an instruction or an escalation.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What happened on an issue.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum IssueEventKind {
    /// The issue was raised.
    #[sea_orm(string_value = "RAISED")]
    Raised,
    /// The office gave it to a unit (交办).
    #[sea_orm(string_value = "ASSIGNED")]
    Assigned,
    /// The unit signed for it (签收).
    #[sea_orm(string_value = "ACCEPTED")]
    Accepted,
    /// The unit sent it back as not theirs (退回).
    #[sea_orm(string_value = "RETURNED")]
    Returned,
    /// Work started.
    #[sea_orm(string_value = "STARTED")]
    Started,
    /// The unit reported it done (办结).
    #[sea_orm(string_value = "RESOLVED")]
    Resolved,
    /// Checked and found done (核实通过).
    #[sea_orm(string_value = "VERIFIED")]
    Verified,
    /// Checked and found not done; back to the unit (核实未通过).
    #[sea_orm(string_value = "REOPENED")]
    Reopened,
    /// Closed off (销号).
    #[sea_orm(string_value = "CLOSED")]
    Closed,
    /// A comment.
    #[sea_orm(string_value = "COMMENT")]
    Comment,
    /// A leader's instruction (批示).
    #[sea_orm(string_value = "INSTRUCTION")]
    Instruction,
    /// Overdue long enough to go to the project's linked leader.
    #[sea_orm(string_value = "ESCALATED")]
    Escalated,
    /// The office changed the deadline; the text says why and from what.
    #[sea_orm(string_value = "DUE_CHANGED")]
    DueChanged,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "issue_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub issue_id: Uuid,
    pub kind: IssueEventKind,
    /// `None` for the system (escalation).
    pub actor_id: Option<Uuid>,
    pub text: Option<String>,
    /// The unit concerned (assigned to, returned from), when there is one.
    pub unit_id: Option<Uuid>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
