//! A webhook (事件推送): where events of the office are pushed as they happen — a third-party system
//! (signed by the Standard Webhooks scheme) or a DingTalk or WeCom group robot (a message for people).

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// Who receives a webhook's messages, and so their form.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Target {
    /// A system: JSON `{ type, timestamp, data }` signed by the Standard Webhooks scheme
    /// (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
    #[sea_orm(string_value = "STANDARD")]
    Standard,
    /// A DingTalk (钉钉) group robot: a markdown message, the URL signed with the robot's secret.
    #[sea_orm(string_value = "DINGTALK")]
    Dingtalk,
    /// A WeCom (企业微信) group robot: a markdown message (the robot's key is in its URL).
    #[sea_orm(string_value = "WECOM")]
    Wecom,
}

/// What happened, as a webhook subscribes to it. Each comes from the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum EventType {
    /// An issue (问题) was raised.
    IssueRaised,
    /// An issue was given to a unit (交办).
    IssueAssigned,
    /// An open issue passed its deadline (逾期).
    IssueOverdue,
    /// An issue overdue beyond the office's limit was escalated to its leader (提级督办).
    IssueEscalated,
    /// A unit reported an issue done (办结).
    IssueResolved,
    /// An issue was closed off.
    IssueClosed,
    /// A coordination case was opened.
    CaseOpened,
    /// A one-matter-one-discussion case was decided.
    CaseDecided,
    /// A case was closed off.
    CaseClosed,
    /// An inspection was submitted.
    InspectionSubmitted,
    /// An inspection was submitted with the result FAIL.
    InspectionFailed,
    /// A photo was uploaded.
    PhotoUploaded,
    /// A photo was uploaded whose evidence does not place it on its project's site.
    PhotoFlagged,
    /// A project was created.
    ProjectCreated,
    /// A unit submitted a monthly report.
    ReportSubmitted,
    /// A project's report for the last closed month was not in by its due day.
    ReportMissing,
    /// A project's light (红黄绿灯) changed.
    ProjectLightChanged,
}

impl EventType {
    /// Every event type.
    pub const ALL: [Self; 17] = [
        Self::IssueRaised,
        Self::IssueAssigned,
        Self::IssueOverdue,
        Self::IssueEscalated,
        Self::IssueResolved,
        Self::IssueClosed,
        Self::CaseOpened,
        Self::CaseDecided,
        Self::CaseClosed,
        Self::InspectionSubmitted,
        Self::InspectionFailed,
        Self::PhotoUploaded,
        Self::PhotoFlagged,
        Self::ProjectCreated,
        Self::ReportSubmitted,
        Self::ReportMissing,
        Self::ProjectLightChanged,
    ];

    /// The name in messages (`type`) and in storage, e.g. `issue.raised`.
    pub fn name(self) -> &'static str {
        match self {
            Self::IssueRaised => "issue.raised",
            Self::IssueAssigned => "issue.assigned",
            Self::IssueOverdue => "issue.overdue",
            Self::IssueEscalated => "issue.escalated",
            Self::IssueResolved => "issue.resolved",
            Self::IssueClosed => "issue.closed",
            Self::CaseOpened => "case.opened",
            Self::CaseDecided => "case.decided",
            Self::CaseClosed => "case.closed",
            Self::InspectionSubmitted => "inspection.submitted",
            Self::InspectionFailed => "inspection.failed",
            Self::PhotoUploaded => "photo.uploaded",
            Self::PhotoFlagged => "photo.flagged",
            Self::ProjectCreated => "project.created",
            Self::ReportSubmitted => "report.submitted",
            Self::ReportMissing => "report.missing",
            Self::ProjectLightChanged => "project.light_changed",
        }
    }

    /// The event type named `name`, if any.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhooks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub url: String,
    pub target: Target,
    /// Event type names, comma-separated, sorted.
    pub event_types: String,
    /// The signing secret: `whsec_` and base64 for STANDARD, the robot's `SEC…` secret for DINGTALK
    /// (empty: the robot checks keywords or addresses instead), empty for WECOM.
    pub secret: String,
    /// The account whose view of the records applies (the ADMIN, or the integration key's account,
    /// that made the webhook).
    pub owner_id: Uuid,
    /// Narrowed to a unit: only events a user of that unit may see.
    pub unit_id: Option<Uuid>,
    /// The last audit sequence number already considered for this webhook.
    pub after_seq: i64,
    pub active: bool,
    pub disabled_reason: Option<String>,
    /// Since when every attempt has failed; none while deliveries succeed.
    pub failing_since: Option<DateTimeUtc>,
    /// The instance working the webhook now, and until when its lease holds.
    pub lease_owner: Option<Uuid>,
    pub lease_until: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

impl Model {
    /// The event types subscribed to (names no longer known are skipped).
    pub fn event_type_list(&self) -> Vec<EventType> {
        self.event_types.split(',').filter_map(EventType::parse).collect()
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
