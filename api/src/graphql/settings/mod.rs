//! The office's rules that several domains read: light thresholds, reporting days, escalation days.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;

use async_graphql::{Context, Object};

pub use inputs::HealthRulesInput;
pub use objects::HealthRules;

use super::context::ContextExt;

#[derive(Default)]
pub struct SettingsQuery;

#[Object]
impl SettingsQuery {
    /// The light and reporting rules in force.
    async fn health_rules(&self, ctx: &Context<'_>) -> async_graphql::Result<HealthRules> {
        ctx.caller()?;
        Ok(crate::service::settings::rules(&ctx.state()?.db).await?.into())
    }
}

#[derive(Default)]
pub struct SettingsMutation;

#[Object]
impl SettingsMutation {
    /// Changes the light and reporting rules. ADMIN only.
    async fn update_health_rules(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The changes.")] input: HealthRulesInput,
    ) -> async_graphql::Result<HealthRules> {
        let actor = ctx.actor()?;
        let patch = crate::service::settings::RulesPatch {
            yellow_gap_pp: input.yellow_gap_pp,
            red_gap_pp: input.red_gap_pp,
            red_late_days: input.red_late_days,
            report_due_day: input.report_due_day,
            report_lock_day: input.report_lock_day,
            issue_due_soon_days: input.issue_due_soon_days,
            issue_leader_after_days: input.issue_leader_after_days,
            issue_due_days_high: input.issue_due_days_high,
            issue_due_days_medium: input.issue_due_days_medium,
            issue_due_days_low: input.issue_due_days_low,
            action_item_chair_after_days: input.action_item_chair_after_days,
            tracking_months_construction: input.tracking_months_construction,
            tracking_months_preliminary: input.tracking_months_preliminary,
            tracking_months_development: input.tracking_months_development,
            evidence_gap_pp: input.evidence_gap_pp,
            evidence_rise_pp: input.evidence_rise_pp,
            evidence_photo_trust: input.evidence_photo_trust,
            evidence_investment_wan: input.evidence_investment_wan,
        };
        Ok(crate::service::settings::update_rules(&ctx.state()?.db, &actor, patch).await?.into())
    }
}
