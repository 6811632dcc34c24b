//! Changes to the office's rules.

use async_graphql::InputObject;

/// Changes to the light rules; omitted fields stay.
#[derive(InputObject, Default)]
pub struct HealthRulesInput {
    /// Percentage points behind the time-proportional target that make a project YELLOW.
    pub yellow_gap_pp: Option<i32>,
    /// Percentage points behind the time-proportional target that make a project RED.
    pub red_gap_pp: Option<i32>,
    /// Days of milestone slip beyond which a project is RED (any slip makes it YELLOW).
    pub red_late_days: Option<i32>,
    /// Day of the next month by which a period's report is due.
    pub report_due_day: Option<i32>,
    /// Day of the next month after which a period's reports are locked.
    pub report_lock_day: Option<i32>,
    /// Days before its due date from which an unresolved issue shows YELLOW.
    pub issue_due_soon_days: Option<i32>,
    /// Days overdue after which an issue is escalated to the project's linked leader.
    pub issue_leader_after_days: Option<i32>,
    /// Days a HIGH issue raised by a failed checklist item has to be resolved, 1 to 365.
    pub issue_due_days_high: Option<i32>,
    /// Days a MEDIUM issue raised by a failed checklist item has to be resolved, 1 to 365.
    pub issue_due_days_medium: Option<i32>,
    /// Days a LOW issue raised by a failed checklist item has to be resolved, 1 to 365.
    pub issue_due_days_low: Option<i32>,
    /// Days past its deadline after which an open action item goes to its meeting's chair, 0 to 365.
    pub action_item_chair_after_days: Option<i32>,
    /// Months within which every KEY_CONSTRUCTION project needs a TRACKING inspection, 0 (not
    /// required) to 12.
    pub tracking_months_construction: Option<i32>,
    /// The same for KEY_PRELIMINARY projects, 0 to 12.
    pub tracking_months_preliminary: Option<i32>,
    /// The same for KEY_DEVELOPMENT projects, 0 to 12.
    pub tracking_months_development: Option<i32>,
    /// Percentage points by which reported progress may exceed the progress measured on site in the month before it is an evidence gap, 0 to 100.
    pub evidence_gap_pp: Option<i32>,
    /// Percentage points of reported progress in a month from which the month needs on-site photos, 0 to 100.
    pub evidence_rise_pp: Option<i32>,
    /// The trust score (0–100) from which an on-site photo counts as evidence, 0 to 100.
    pub evidence_photo_trust: Option<i32>,
    /// Investment reported for a month, 万元, from which the month needs on-site evidence (a trusted photo or an inspection), 0 to 1000000.
    pub evidence_investment_wan: Option<i32>,
}
