//! The office's rules as clients read them.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use entity::office_setting;

/// The project office's light and reporting rules.
#[derive(SimpleObject)]
pub struct HealthRules {
    /// Percentage points behind the time-proportional target (序时进度) that make a project YELLOW.
    pub yellow_gap_pp: i32,
    /// Percentage points behind the time-proportional target that make a project RED.
    pub red_gap_pp: i32,
    /// Days of milestone slip beyond which a project is RED (any slip makes it YELLOW).
    pub red_late_days: i32,
    /// Day of the next month by which a period's report is due.
    pub report_due_day: i32,
    /// Day of the next month after which a period's reports are locked.
    pub report_lock_day: i32,
    /// Days before its due date from which an unresolved issue shows YELLOW.
    pub issue_due_soon_days: i32,
    /// Days overdue after which an issue is escalated to the project's linked leader.
    pub issue_leader_after_days: i32,
    /// Days a HIGH issue raised by a failed checklist item has to be resolved.
    pub issue_due_days_high: i32,
    /// Days a MEDIUM issue raised by a failed checklist item has to be resolved.
    pub issue_due_days_medium: i32,
    /// Days a LOW issue raised by a failed checklist item has to be resolved.
    pub issue_due_days_low: i32,
    /// Days past its deadline after which an open action item goes to its meeting's chair.
    pub action_item_chair_after_days: i32,
    /// Months within which every KEY_CONSTRUCTION project needs a TRACKING inspection (0: not required).
    pub tracking_months_construction: i32,
    /// The same for KEY_PRELIMINARY projects.
    pub tracking_months_preliminary: i32,
    /// The same for KEY_DEVELOPMENT projects.
    pub tracking_months_development: i32,
    /// Percentage points by which reported progress may exceed the progress measured on site in the month before it is an evidence gap.
    pub evidence_gap_pp: i32,
    /// Percentage points of reported progress in a month from which the month needs on-site photos.
    pub evidence_rise_pp: i32,
    /// The trust score (0–100) from which an on-site photo counts as evidence.
    pub evidence_photo_trust: i32,
    /// Investment reported for a month, 万元, from which the month needs on-site evidence (a trusted photo or an inspection).
    pub evidence_investment_wan: i32,
    /// When the rules last changed (UTC).
    pub updated_at: DateTime<Utc>,
}

impl From<office_setting::Model> for HealthRules {
    fn from(m: office_setting::Model) -> Self {
        Self {
            yellow_gap_pp: m.yellow_gap_pp,
            red_gap_pp: m.red_gap_pp,
            red_late_days: m.red_late_days,
            report_due_day: m.report_due_day,
            report_lock_day: m.report_lock_day,
            issue_due_soon_days: m.issue_due_soon_days,
            issue_leader_after_days: m.issue_leader_after_days,
            issue_due_days_high: m.issue_due_days_high,
            issue_due_days_medium: m.issue_due_days_medium,
            issue_due_days_low: m.issue_due_days_low,
            action_item_chair_after_days: m.action_item_chair_after_days,
            tracking_months_construction: m.tracking_months_construction,
            tracking_months_preliminary: m.tracking_months_preliminary,
            tracking_months_development: m.tracking_months_development,
            evidence_gap_pp: m.evidence_gap_pp,
            evidence_rise_pp: m.evidence_rise_pp,
            evidence_photo_trust: m.evidence_photo_trust,
            evidence_investment_wan: m.evidence_investment_wan,
            updated_at: m.updated_at,
        }
    }
}
