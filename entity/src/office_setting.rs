//! The project office's settings that several domains read: the thresholds of the red/yellow/green
//! lights, the reporting due and lock days, and when issues show as due soon and are escalated. One
//! row (`id = 1`), so every instance reads the same settings.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "office_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    /// Percentage points behind the time-proportional target that make a project YELLOW.
    pub yellow_gap_pp: i32,
    /// Percentage points behind the time-proportional target that make a project RED.
    pub red_gap_pp: i32,
    /// Days a milestone may slip before the project turns RED (any slip makes it YELLOW).
    pub red_late_days: i32,
    /// Day of the following month by which a period's report is due (on time up to and including it).
    pub report_due_day: i32,
    /// Day of the following month after which a period's reports are locked.
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
    /// Months within which every KEY_CONSTRUCTION project gets a TRACKING inspection (0: not required).
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
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
