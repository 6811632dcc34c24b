//! The office's figures of funding work as clients read them.

use async_graphql::{Context, Object};
use entity::funding_item::FundingKind;
use uuid::Uuid;

use crate::graphql::account::Unit;
use crate::graphql::context::load;
use crate::graphql::scalars::{Date, Decimal};
use crate::service::funding::{CampaignFigures, ChannelFigures, KindSummary, MonthFigures, Summary, UnitFigures};
use crate::service::money::{fen_to_wan, ratio_percent};

fn wan(fen: i64) -> Decimal {
    Decimal(fen_to_wan(fen))
}

fn count(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A year's funding work up to a day, per kind.
pub struct FundingSummary(pub Summary);

/// A year's funding work up to a day, per kind.
#[Object]
impl FundingSummary {
    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The last day counted.
    async fn up_to(&self) -> Date {
        Date(self.0.up_to)
    }

    /// Every kind: GRANT, INVESTMENT, FINANCING, FISCAL, ADVANCE, INCENTIVE.
    async fn kinds(&self) -> Vec<FundingKindSummary> {
        self.0.kinds.iter().cloned().map(FundingKindSummary).collect()
    }

    /// One kind.
    async fn kind(&self, #[graphql(desc = "The kind.")] kind: FundingKind) -> Option<FundingKindSummary> {
        self.0.kinds.iter().find(|k| k.kind == Some(kind)).cloned().map(FundingKindSummary)
    }
}

/// One kind of funding work in a year up to a day. Only verified money received counts toward
/// targets; promised money is shown apart, unverified money as pending. Money credited to several
/// units is counted once here and split by shares in `units`.
pub struct FundingKindSummary(pub KindSummary);

/// One kind of funding work in a year up to a day. Only verified money received counts toward
/// targets; promised money is shown apart, unverified money as pending. Money credited to several
/// units is counted once here and split by shares in `units`.
#[Object]
impl FundingKindSummary {
    /// The kind.
    async fn kind(&self) -> Option<FundingKind> {
        self.0.kind
    }

    /// The units' targets added up, 万元 (GRANT, INVESTMENT, FINANCING).
    async fn target(&self) -> Decimal {
        wan(self.0.target_fen)
    }

    /// Money received and verified, 万元: 到位, in place, disbursed, put in, advanced, paid.
    async fn received(&self) -> Decimal {
        wan(self.0.received_fen)
    }

    /// `received` as a percentage of `target`; none without a target.
    async fn completion_percent(&self) -> Option<Decimal> {
        ratio_percent(self.0.received_fen, self.0.target_fen).map(Decimal)
    }

    /// Money received that the office has not verified yet, 万元.
    async fn pending(&self) -> Decimal {
        wan(self.0.pending_fen)
    }

    /// Money promised (allocated, contracted, approved), 万元.
    async fn promised(&self) -> Decimal {
        wan(self.0.promised_fen)
    }

    /// Money paid back (ADVANCE), 万元.
    async fn repaid(&self) -> Decimal {
        wan(self.0.repaid_fen)
    }

    /// Items with verified money received in the period.
    async fn items(&self) -> i64 {
        count(self.0.items)
    }

    /// The enterprises, investors or bodies those items name, each once.
    async fn counterparts(&self) -> i64 {
        count(self.0.counterparts)
    }

    /// Items that reached the kind's promise in the period: ALLOCATED (GRANT), SIGNED (INVESTMENT),
    /// APPROVED (FINANCING).
    async fn reached(&self) -> i64 {
        count(self.0.reached)
    }

    /// Of the items promised money in the period, those promised at least 1亿元 (亿元项目).
    async fn big_items(&self) -> i64 {
        count(self.0.big_items)
    }

    /// Money received and verified on the same days of the year before, 万元.
    async fn previous_received(&self) -> Decimal {
        wan(self.0.previous_received_fen)
    }

    /// The change of `received` on the year before, percent; none when the year before had none.
    async fn change_percent(&self) -> Option<Decimal> {
        ratio_percent(self.0.received_fen - self.0.previous_received_fen, self.0.previous_received_fen).map(Decimal)
    }

    /// Units with a target (ranked by completion, the best first), then units credited without one.
    async fn units(&self) -> Vec<UnitFundingFigures> {
        self.0.units.iter().cloned().map(|u| UnitFundingFigures(self.0.kind, u)).collect()
    }

    /// Month by month.
    async fn months(&self) -> Vec<FundingMonth> {
        self.0.months.iter().cloned().map(FundingMonth).collect()
    }

    /// By campaign (INVESTMENT).
    async fn campaigns(&self) -> Vec<CampaignFunding> {
        self.0.campaigns.iter().cloned().map(CampaignFunding).collect()
    }

    /// By channel: funding type, origin, financing channel, fiscal source.
    async fn channels(&self) -> Vec<ChannelFunding> {
        self.0.channels.iter().cloned().map(ChannelFunding).collect()
    }
}

/// A unit's figures in one kind of funding work, its share of joint items taken.
pub struct UnitFundingFigures(pub Option<FundingKind>, pub UnitFigures);

/// A unit's figures in one kind of funding work, its share of joint items taken.
#[Object]
impl UnitFundingFigures {
    /// The kind.
    async fn kind(&self) -> Option<FundingKind> {
        self.0
    }

    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.1.unit_id, "unit").await?))
    }

    /// The unit's id.
    async fn unit_id(&self) -> Uuid {
        self.1.unit_id
    }

    /// Its target, 万元; 0 without one.
    async fn target(&self) -> Decimal {
        wan(self.1.target_fen)
    }

    /// Its credit of money received and verified, 万元.
    async fn received(&self) -> Decimal {
        wan(self.1.received_fen)
    }

    /// Its credit of money not verified yet, 万元.
    async fn pending(&self) -> Decimal {
        wan(self.1.pending_fen)
    }

    /// Its credit of money promised, 万元.
    async fn promised(&self) -> Decimal {
        wan(self.1.promised_fen)
    }

    /// `received` as a percentage of `target`; none without a target.
    async fn completion_percent(&self) -> Option<Decimal> {
        ratio_percent(self.1.received_fen, self.1.target_fen).map(Decimal)
    }

    /// Whether it reached its target.
    async fn met(&self) -> Option<bool> {
        (self.1.target_fen > 0).then_some(self.1.received_fen >= self.1.target_fen)
    }

    /// 1 for the best completion among units with a target; none without a target.
    async fn rank(&self) -> Option<i32> {
        self.1.rank.and_then(|r| i32::try_from(r).ok())
    }
}

/// One month of funding work.
pub struct FundingMonth(pub MonthFigures);

/// One month of funding work.
#[Object]
impl FundingMonth {
    /// 1 to 12.
    async fn month(&self) -> i32 {
        i32::try_from(self.0.month).unwrap_or_default()
    }

    /// Money received and verified, 万元.
    async fn received(&self) -> Decimal {
        wan(self.0.received_fen)
    }

    /// Money promised, 万元.
    async fn promised(&self) -> Decimal {
        wan(self.0.promised_fen)
    }
}

/// One campaign's leads in the period.
pub struct CampaignFunding(pub CampaignFigures);

/// One campaign's leads in the period.
#[Object]
impl CampaignFunding {
    /// The campaign's id.
    async fn campaign_id(&self) -> Uuid {
        self.0.campaign_id
    }

    /// The campaign's name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Leads signed in the period.
    async fn reached(&self) -> i64 {
        count(self.0.reached)
    }

    /// Leads promised at least 1亿元 (亿元项目).
    async fn big_items(&self) -> i64 {
        count(self.0.big_items)
    }

    /// Money in place and verified, 万元.
    async fn received(&self) -> Decimal {
        wan(self.0.received_fen)
    }

    /// Money contracted, 万元.
    async fn promised(&self) -> Decimal {
        wan(self.0.promised_fen)
    }
}

/// One channel of funding work in the period.
pub struct ChannelFunding(pub ChannelFigures);

/// One channel of funding work in the period.
#[Object]
impl ChannelFunding {
    /// The channel: funding type, origin, financing channel or fiscal source.
    async fn channel(&self) -> &str {
        &self.0.channel
    }

    /// Money received and verified, 万元.
    async fn received(&self) -> Decimal {
        wan(self.0.received_fen)
    }

    /// Money promised, 万元.
    async fn promised(&self) -> Decimal {
        wan(self.0.promised_fen)
    }

    /// Items with verified money received.
    async fn items(&self) -> i64 {
        count(self.0.items)
    }

    /// The enterprises, investors or bodies those items name, each once.
    async fn counterparts(&self) -> i64 {
        count(self.0.counterparts)
    }
}
