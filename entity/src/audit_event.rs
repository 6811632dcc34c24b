//! One change to stored data, written in the same transaction as the change. `seq` only ever grows:
//! the change feed, webhooks and subscriptions read the trail by it.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// The kinds of record the audit trail and the change feed speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum EntityType {
    /// A project (重点项目).
    Project,
    /// A monthly report.
    MonthlyReport,
    /// A schedule milestone.
    Milestone,
    /// A reporting period (its lock).
    ReportingPeriod,
    /// The county's settings (health rules, deadlines).
    County,
    /// An issue (问题).
    Issue,
    /// A coordination case (一项一策 / 一事一议).
    Case,
    /// An inspection.
    Inspection,
    /// A checklist template.
    ChecklistTemplate,
    /// A photo.
    Photo,
    /// An account.
    User,
    /// A unit.
    Unit,
    /// An integration key.
    IntegrationKey,
    /// A webhook.
    Webhook,
    /// A scheduling meeting (调度会), with its agenda, minutes and decisions.
    Meeting,
    /// An action item (交办事项).
    ActionItem,
    /// An item of funding work (争资、招商、融资) with its stages and money.
    FundingItem,
    /// A year's funding targets (the event's id is the year).
    FundingTarget,
    /// A funding campaign.
    FundingCampaign,
}

impl EntityType {
    pub const ALL: [Self; 19] = [
        Self::Project,
        Self::MonthlyReport,
        Self::Milestone,
        Self::ReportingPeriod,
        Self::County,
        Self::Issue,
        Self::Case,
        Self::Inspection,
        Self::ChecklistTemplate,
        Self::Photo,
        Self::User,
        Self::Unit,
        Self::IntegrationKey,
        Self::Webhook,
        Self::Meeting,
        Self::ActionItem,
        Self::FundingItem,
        Self::FundingTarget,
        Self::FundingCampaign,
    ];

    /// The stored name.
    pub fn stored(self) -> &'static str {
        match self {
            Self::Project => "project",
            Self::MonthlyReport => "monthly_report",
            Self::Milestone => "milestone",
            Self::ReportingPeriod => "reporting_period",
            Self::County => "county",
            Self::Issue => "issue",
            Self::Case => "case",
            Self::Inspection => "inspection",
            Self::ChecklistTemplate => "checklist_template",
            Self::Photo => "photo",
            Self::User => "user",
            Self::Unit => "unit",
            Self::IntegrationKey => "integration_key",
            Self::Webhook => "webhook",
            Self::Meeting => "meeting",
            Self::ActionItem => "action_item",
            Self::FundingItem => "funding_item",
            Self::FundingTarget => "funding_target",
            Self::FundingCampaign => "funding_campaign",
        }
    }

    /// The kind stored as `stored`, if any.
    pub fn parse(stored: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.stored() == stored)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub seq: i64,
    pub occurred_at: DateTimeUtc,
    /// `None` for changes made by the system itself (seeding, the command line).
    pub actor_id: Option<Uuid>,
    /// Dotted verb, e.g. `user.create`.
    pub action: String,
    pub entity_type: String,
    pub entity_id: String,
    /// `{ field: { "before": .., "after": .. } }`; secrets are never included.
    pub changes: Json,
    pub request_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
