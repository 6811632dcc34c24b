//! The project office's settings that several domains read — the light thresholds (health), the
//! reporting due and lock days (report), when issues are due soon and escalated (issue) — kept in one
//! row and changed by the office alone.

use chrono::Utc;
use entity::office_setting;
use entity::user::Role;
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QuerySelect};

use super::Actor;
use crate::error::{AppError, AppResult};

/// The settings in force.
pub async fn rules(db: &impl ConnectionTrait) -> AppResult<office_setting::Model> {
    office_setting::Entity::find_by_id(1)
        .one(db)
        .await?
        .ok_or_else(|| AppError::internal("the office settings row is missing"))
}

/// Changes to the rules; `None` keeps a value.
#[derive(Debug, Default, Clone)]
pub struct RulesPatch {
    pub yellow_gap_pp: Option<i32>,
    pub red_gap_pp: Option<i32>,
    pub red_late_days: Option<i32>,
    pub report_due_day: Option<i32>,
    pub report_lock_day: Option<i32>,
    pub issue_due_soon_days: Option<i32>,
    pub issue_leader_after_days: Option<i32>,
    pub issue_due_days_high: Option<i32>,
    pub issue_due_days_medium: Option<i32>,
    pub issue_due_days_low: Option<i32>,
    pub action_item_chair_after_days: Option<i32>,
    pub tracking_months_construction: Option<i32>,
    pub tracking_months_preliminary: Option<i32>,
    pub tracking_months_development: Option<i32>,
    pub evidence_gap_pp: Option<i32>,
    pub evidence_rise_pp: Option<i32>,
    pub evidence_photo_trust: Option<i32>,
    pub evidence_investment_wan: Option<i32>,
}

/// Days an issue of `severity` raised by a failed checklist item has to be resolved.
pub fn due_days(rules: &office_setting::Model, severity: entity::issue::Severity) -> i32 {
    use entity::issue::Severity;
    match severity {
        Severity::High => rules.issue_due_days_high,
        Severity::Medium => rules.issue_due_days_medium,
        Severity::Low => rules.issue_due_days_low,
    }
}

/// ADMIN only.
pub async fn update_rules(
    db: &DatabaseConnection,
    actor: &Actor,
    patch: RulesPatch,
) -> AppResult<office_setting::Model> {
    actor.require_role(&[Role::Admin], "change the light rules")?;
    let txn = crate::db::begin_write(db).await?;
    // Held until the commit: two offices changing different rules at once both keep their change.
    let before = office_setting::Entity::find_by_id(1)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or_else(|| AppError::internal("the office settings row is missing"))?;
    let mut after = before.clone();
    after.yellow_gap_pp = patch.yellow_gap_pp.unwrap_or(after.yellow_gap_pp);
    after.red_gap_pp = patch.red_gap_pp.unwrap_or(after.red_gap_pp);
    after.red_late_days = patch.red_late_days.unwrap_or(after.red_late_days);
    after.report_due_day = patch.report_due_day.unwrap_or(after.report_due_day);
    after.report_lock_day = patch.report_lock_day.unwrap_or(after.report_lock_day);
    after.issue_due_soon_days = patch.issue_due_soon_days.unwrap_or(after.issue_due_soon_days);
    after.issue_leader_after_days = patch.issue_leader_after_days.unwrap_or(after.issue_leader_after_days);
    after.issue_due_days_high = patch.issue_due_days_high.unwrap_or(after.issue_due_days_high);
    after.issue_due_days_medium = patch.issue_due_days_medium.unwrap_or(after.issue_due_days_medium);
    after.issue_due_days_low = patch.issue_due_days_low.unwrap_or(after.issue_due_days_low);
    after.action_item_chair_after_days =
        patch.action_item_chair_after_days.unwrap_or(after.action_item_chair_after_days);
    for (field, value, patched) in [
        ("trackingMonthsConstruction", &mut after.tracking_months_construction, patch.tracking_months_construction),
        ("trackingMonthsPreliminary", &mut after.tracking_months_preliminary, patch.tracking_months_preliminary),
        ("trackingMonthsDevelopment", &mut after.tracking_months_development, patch.tracking_months_development),
    ] {
        *value = patched.unwrap_or(*value);
        if !(0..=12).contains(value) {
            return Err(AppError::bad_input(field, "0 (not required) to 12 months"));
        }
    }
    for (field, value, patched, (low, high)) in [
        ("evidenceGapPp", &mut after.evidence_gap_pp, patch.evidence_gap_pp, (0, 100)),
        ("evidenceRisePp", &mut after.evidence_rise_pp, patch.evidence_rise_pp, (0, 100)),
        ("evidencePhotoTrust", &mut after.evidence_photo_trust, patch.evidence_photo_trust, (0, 100)),
        ("evidenceInvestmentWan", &mut after.evidence_investment_wan, patch.evidence_investment_wan, (0, 1000000)),
    ] {
        *value = patched.unwrap_or(*value);
        if !(low..=high).contains(value) {
            return Err(AppError::bad_input(field, format!("{low} to {high}")));
        }
    }
    for (field, days) in [
        ("issueDueDaysHigh", after.issue_due_days_high),
        ("issueDueDaysMedium", after.issue_due_days_medium),
        ("issueDueDaysLow", after.issue_due_days_low),
    ] {
        if !(1..=365).contains(&days) {
            return Err(AppError::bad_input(field, "1 to 365 days"));
        }
    }
    if !(0..=60).contains(&after.issue_due_soon_days) {
        return Err(AppError::bad_input("issueDueSoonDays", "0 to 60 days"));
    }
    if !(0..=365).contains(&after.issue_leader_after_days) {
        return Err(AppError::bad_input("issueLeaderAfterDays", "0 to 365 days"));
    }
    if !(0..=365).contains(&after.action_item_chair_after_days) {
        return Err(AppError::bad_input("actionItemChairAfterDays", "0 to 365 days"));
    }
    if !(0..=100).contains(&after.yellow_gap_pp) || !(0..=100).contains(&after.red_gap_pp) {
        return Err(AppError::bad_input("yellowGapPp", "gaps are 0 to 100 percentage points"));
    }
    if after.red_gap_pp < after.yellow_gap_pp {
        return Err(AppError::bad_input("redGapPp", "the red gap must be at least the yellow gap"));
    }
    if !(0..=365).contains(&after.red_late_days) {
        return Err(AppError::bad_input("redLateDays", "0 to 365 days"));
    }
    if !(1..=28).contains(&after.report_due_day) {
        return Err(AppError::bad_input("reportDueDay", "a day of the month, 1 to 28"));
    }
    if !(after.report_due_day..=28).contains(&after.report_lock_day) {
        return Err(AppError::bad_input("reportLockDay", "a day of the month, from the due day to 28"));
    }
    after.updated_at = Utc::now();
    crate::service::kit::save_audited(&txn, actor, "health_rules.update", "health_rules", 1, &before, &after).await?;
    crate::service::lights::touch_all(&txn).await?;
    txn.commit().await?;
    Ok(after)
}
