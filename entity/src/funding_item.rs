//! An item of funding work (争资、招商、融资): a grant application, an investment lead, a financing
//! deal, a fiscal input, a preliminary-work advance or an incentive payment. The units credited with
//! it and their shares are in `funding_item_units`, the stages it reached in `funding_stages`, its
//! money in `funding_entries`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What an item of funding work is.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
    async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FundingKind {
    /// Funds won from higher levels (争资): grants, interest subsidies, special bonds, central budget
    /// investment.
    #[sea_orm(string_value = "GRANT")]
    Grant,
    /// Investment attracted (招商): a lead from first contact to production.
    #[sea_orm(string_value = "INVESTMENT")]
    Investment,
    /// Financing arranged (融资): loans approved and disbursed to an enterprise or platform.
    #[sea_orm(string_value = "FINANCING")]
    Financing,
    /// The county's own money put into a project: local matching (本级配套) or integrated funds (整合资金).
    #[sea_orm(string_value = "FISCAL")]
    Fiscal,
    /// Preliminary-work funds advanced to a unit (预借前期工作经费), and what it repaid.
    #[sea_orm(string_value = "ADVANCE")]
    Advance,
    /// A bonus or reward paid to a unit or an enterprise (奖励).
    #[sea_orm(string_value = "INCENTIVE")]
    Incentive,
}

impl FundingKind {
    /// The kinds a unit is given targets in.
    pub const TARGETED: [Self; 3] = [Self::Grant, Self::Investment, Self::Financing];

    /// The stages an item of this kind moves through, in order (none for the others).
    pub fn stages(self) -> &'static [FundingStage] {
        use FundingStage::*;
        match self {
            Self::Grant => &[Planning, Applied, InPlan, Allocated, Received],
            Self::Investment => &[Contact, Intent, Signed, Started, Producing],
            Self::Financing => &[Matching, Approved, Disbursed],
            Self::Fiscal | Self::Advance | Self::Incentive => &[],
        }
    }

    /// The stage money of `flow` brings an item to, if it is behind.
    pub fn stage_of(self, flow: MoneyFlow) -> Option<FundingStage> {
        use FundingStage::*;
        match (self, flow) {
            (Self::Grant, MoneyFlow::Promised) => Some(Allocated),
            (Self::Grant, MoneyFlow::Received) => Some(Received),
            (Self::Investment, _) => Some(Signed),
            (Self::Financing, MoneyFlow::Promised) => Some(Approved),
            (Self::Financing, MoneyFlow::Received) => Some(Disbursed),
            _ => None,
        }
    }
}

/// A stage of an item's progress. Stages only move forward.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FundingStage {
    /// GRANT: being planned and packaged (谋划).
    #[sea_orm(string_value = "PLANNING")]
    Planning,
    /// GRANT: applied for (申报).
    #[sea_orm(string_value = "APPLIED")]
    Applied,
    /// GRANT: in the higher level's plan (入笼, 挤进计划笼子).
    #[sea_orm(string_value = "IN_PLAN")]
    InPlan,
    /// GRANT: allocated (下达).
    #[sea_orm(string_value = "ALLOCATED")]
    Allocated,
    /// GRANT: money received (到位).
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// INVESTMENT: in contact (接洽).
    #[sea_orm(string_value = "CONTACT")]
    Contact,
    /// INVESTMENT: intent agreed (意向).
    #[sea_orm(string_value = "INTENT")]
    Intent,
    /// INVESTMENT: contract signed (签约).
    #[sea_orm(string_value = "SIGNED")]
    Signed,
    /// INVESTMENT: construction started (开工).
    #[sea_orm(string_value = "STARTED")]
    Started,
    /// INVESTMENT: in production (投产).
    #[sea_orm(string_value = "PRODUCING")]
    Producing,
    /// FINANCING: bank and enterprise matched (对接).
    #[sea_orm(string_value = "MATCHING")]
    Matching,
    /// FINANCING: loan approved (审批).
    #[sea_orm(string_value = "APPROVED")]
    Approved,
    /// FINANCING: loan disbursed (放款).
    #[sea_orm(string_value = "DISBURSED")]
    Disbursed,
}

/// What a money entry records.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize, async_graphql::Enum,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MoneyFlow {
    /// Promised, not yet in hand: a grant allocated (下达), an investment contracted (签约), a loan
    /// approved. Shown apart; never counts toward a target.
    #[sea_orm(string_value = "PROMISED")]
    Promised,
    /// In hand: a grant received (到位), investment funds in place, a loan disbursed, fiscal funds put
    /// in, an advance paid out, an incentive paid. Counts once the office has verified it.
    #[sea_orm(string_value = "RECEIVED")]
    Received,
    /// ADVANCE: paid back by the unit.
    #[sea_orm(string_value = "REPAID")]
    Repaid,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "funding_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: FundingKind,
    /// What it is: the project or programme applied for, the investor's project, the deal, the purpose.
    pub name: String,
    /// The other party: the higher-level body (GRANT: 国家发改委, 财政部, 省…), the investor
    /// (INVESTMENT), the enterprise financed (FINANCING), the recipient (INCENTIVE), the purpose's
    /// owner (FISCAL, ADVANCE).
    pub counterpart: String,
    /// The funding type (补助, 贴息, 专项债, 中央预算内投资…), the investment's origin (内资, 外资,
    /// 港澳台资), the financing channel (银企对接, 融资平台, 信用联盟…), the fiscal source (本级配套,
    /// 整合资金), or the kind of advance or incentive.
    pub channel: String,
    /// The higher-level programme or plan (GRANT).
    pub programme: Option<String>,
    /// The lending bank (FINANCING).
    pub bank: Option<String>,
    /// The industry (INVESTMENT, FINANCING).
    pub industry: Option<String>,
    /// The subsidy standard in words (GRANT), e.g. 每平方米国家补助400元.
    pub standard: Option<String>,
    /// The standard's amount per unit, in fen (e.g. 40000 for 400 元).
    pub standard_fen: Option<i64>,
    /// The unit the standard is per, e.g. ㎡.
    pub standard_unit: Option<String>,
    /// The stage reached, for the kinds with stages.
    pub stage: Option<FundingStage>,
    pub campaign_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    #[sea_orm(column_type = "Text", nullable)]
    pub notes: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
