//! Items, money, targets and campaigns to record, and the lists' filters.

use async_graphql::InputObject;
use entity::funding_item::{FundingKind, FundingStage, MoneyFlow};
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::scalars::{Date, Decimal};
use crate::service::funding::{
    ItemDetails, ItemFilter, NewCampaign, NewItem, NewMoney, NewTarget, Share, TargetFilter,
};
use crate::service::money::{percent_to_bp, wan_to_fen};

/// A unit credited with an item and its share.
#[derive(InputObject, Clone, Copy)]
pub struct FundingShareInput {
    /// The unit.
    pub unit_id: Uuid,
    /// Its share, percent with at most two decimals; the shares of an item add up to 100.
    pub share_percent: Decimal,
}

/// The shares as the service takes them (percent to basis points, checked).
pub(crate) fn shares(inputs: &[FundingShareInput]) -> AppResult<Vec<Share>> {
    inputs
        .iter()
        .map(|s| Ok(Share { unit_id: s.unit_id, share_bp: percent_to_bp("sharePercent", s.share_percent.0)? }))
        .collect()
}

/// What describes an item besides its kind, units and stage.
#[derive(InputObject)]
pub struct FundingDetailsInput {
    /// What it is, 2 to 200 characters: the project or programme applied for, the investor's project,
    /// the deal, the purpose.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub name: String,
    /// The other party, 1 to 200 characters: the higher-level body (GRANT), the investor (INVESTMENT),
    /// the enterprise financed (FINANCING), the recipient (INCENTIVE).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub counterpart: String,
    /// The funding type (GRANT: 补助, 贴息, 专项债, 中央预算内投资…), the origin (INVESTMENT: 内资,
    /// 外资 or 港澳台资), the financing channel (银企对接, 融资平台, 信用联盟…), the source (FISCAL:
    /// 本级配套 or 整合资金); 1 to 64 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(64)"))]
    pub channel: String,
    /// The higher-level programme or plan (GRANT), at most 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub programme: Option<String>,
    /// The lending bank (FINANCING), at most 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub bank: Option<String>,
    /// The industry (INVESTMENT, FINANCING), at most 32 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(32)"))]
    pub industry: Option<String>,
    /// The subsidy standard in words (GRANT), at most 200 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub standard: Option<String>,
    /// The standard's amount per `standardUnit`, 元 with at most two decimals (e.g. 400).
    pub standard_amount: Option<Decimal>,
    /// What the standard is per, at most 16 characters (e.g. ㎡).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(16)"))]
    pub standard_unit: Option<String>,
    /// The campaign (INVESTMENT).
    pub campaign_id: Option<Uuid>,
    /// The project the money serves, or that the lead became.
    pub project_id: Option<Uuid>,
    /// Notes, at most 2000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(2000)"))]
    pub notes: Option<String>,
}

/// 元 with at most two decimals → fen (through the exact 万元 conversion, which counts millionths).
fn yuan_to_fen(yuan: rust_decimal::Decimal) -> AppResult<i64> {
    let millionths = wan_to_fen("standardAmount", yuan)?;
    if millionths % 10_000 != 0 {
        return Err(crate::error::AppError::bad_input("standardAmount", "元 with at most two decimals"));
    }
    Ok(millionths / 10_000)
}

impl FundingDetailsInput {
    pub fn into_details(self) -> AppResult<ItemDetails> {
        let standard_fen = self.standard_amount.map(|yuan| yuan_to_fen(yuan.0)).transpose()?;
        Ok(ItemDetails {
            name: self.name,
            counterpart: self.counterpart,
            channel: self.channel,
            programme: self.programme,
            bank: self.bank,
            industry: self.industry,
            standard: self.standard,
            standard_fen,
            standard_unit: self.standard_unit,
            campaign_id: self.campaign_id,
            project_id: self.project_id,
            notes: self.notes,
        })
    }
}

/// An item of funding work to record.
#[derive(InputObject)]
pub struct RecordFundingItemInput {
    /// The item's id, chosen by the client so that a retried request is not recorded twice.
    pub id: Option<Uuid>,
    /// What it is.
    pub kind: FundingKind,
    /// What describes it.
    pub details: FundingDetailsInput,
    /// The units credited and their shares (1 to 10, adding up to 100%). A department names its own
    /// unit among them; an ADVANCE names the one unit advanced to.
    #[graphql(validator(max_items = 10))]
    pub units: Vec<FundingShareInput>,
    /// The stage reached so far (GRANT, INVESTMENT, FINANCING); the first of its kind when left out.
    pub stage: Option<FundingStage>,
    /// The day that stage was reached (default: today).
    pub reached_on: Option<Date>,
}

impl RecordFundingItemInput {
    pub fn into_new(self, today: chrono::NaiveDate) -> AppResult<NewItem> {
        Ok(NewItem {
            id: self.id,
            kind: self.kind,
            shares: shares(&self.units)?,
            details: self.details.into_details()?,
            stage: self.stage,
            reached_on: self.reached_on.map_or(today, |d| d.0),
        })
    }
}

/// Money of an item to record.
#[derive(InputObject)]
pub struct RecordFundingMoneyInput {
    /// The entry's id, chosen by the client so that a retried request is not recorded twice.
    pub id: Option<Uuid>,
    /// The item.
    pub item_id: Uuid,
    /// PROMISED (GRANT, INVESTMENT, FINANCING), RECEIVED, or REPAID (ADVANCE).
    pub flow: MoneyFlow,
    /// The day the money moved.
    pub on: Date,
    /// The amount, 万元 (above 0, at most six decimals).
    pub amount: Decimal,
}

impl RecordFundingMoneyInput {
    pub fn into_new(self) -> AppResult<NewMoney> {
        Ok(NewMoney {
            id: self.id,
            item_id: self.item_id,
            flow: self.flow,
            on: self.on.0,
            amount_fen: wan_to_fen("amount", self.amount.0)?,
        })
    }
}

/// One unit's target in one kind.
#[derive(InputObject, Clone, Copy)]
pub struct FundingTargetInput {
    /// The unit.
    pub unit_id: Uuid,
    /// GRANT, INVESTMENT or FINANCING.
    pub kind: FundingKind,
    /// The target, 万元 (0 takes the target away).
    pub amount: Decimal,
}

impl FundingTargetInput {
    pub fn into_new(self) -> AppResult<NewTarget> {
        Ok(NewTarget { unit_id: self.unit_id, kind: self.kind, amount_fen: wan_to_fen("amount", self.amount.0)? })
    }
}

/// A campaign to start.
#[derive(InputObject)]
pub struct CreateFundingCampaignInput {
    /// Its name, 2 to 200 characters, e.g. 百日集中招商.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(200)"))]
    pub name: String,
    /// Its first day.
    pub starts_on: Date,
    /// Its last day.
    pub ends_on: Date,
}

impl From<CreateFundingCampaignInput> for NewCampaign {
    fn from(i: CreateFundingCampaignInput) -> Self {
        Self { name: i.name, starts_on: i.starts_on.0, ends_on: i.ends_on.0 }
    }
}

/// Narrows a list of items.
#[derive(InputObject, Default)]
pub struct FundingItemFilter {
    /// Of this kind.
    pub kind: Option<FundingKind>,
    /// Credited to this unit.
    pub unit_id: Option<Uuid>,
    /// For this project.
    pub project_id: Option<Uuid>,
    /// Of this campaign.
    pub campaign_id: Option<Uuid>,
    /// At this stage.
    pub stage: Option<FundingStage>,
    /// Found in the name or the counterpart, at most 100 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

impl From<FundingItemFilter> for ItemFilter {
    fn from(f: FundingItemFilter) -> Self {
        Self {
            kind: f.kind,
            unit_id: f.unit_id,
            project_id: f.project_id,
            campaign_id: f.campaign_id,
            stage: f.stage,
            search: f.search,
        }
    }
}

/// Narrows a list of targets.
#[derive(InputObject, Default)]
pub struct FundingTargetFilter {
    /// Of this year.
    pub year: Option<i32>,
    /// Of this unit.
    pub unit_id: Option<Uuid>,
    /// Of this kind.
    pub kind: Option<FundingKind>,
    /// Earlier versions too (default: the versions in force).
    #[graphql(default = false)]
    pub history: bool,
}

impl From<FundingTargetFilter> for TargetFilter {
    fn from(f: FundingTargetFilter) -> Self {
        Self { year: f.year, unit_id: f.unit_id, kind: f.kind, history: f.history }
    }
}
