//! Items of funding work, their money, targets and campaigns as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::funding_item::{FundingKind, FundingStage, MoneyFlow};
use entity::{funding_campaign, funding_entry, funding_item, funding_item_unit, funding_stage, funding_target};
use uuid::Uuid;

use super::loaders::{ItemMoney, ItemShares, ItemStages};
use crate::error::AppResult;
use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::{Date, Decimal};
use crate::service::money::{bp_to_percent, fen_to_wan};

/// An item of funding work (争资、招商、融资): a grant application, an investment lead, a financing
/// deal, a fiscal input, a preliminary-work advance or an incentive payment.
pub struct FundingItem(pub funding_item::Model);

impl FundingItem {
    async fn money_of(&self, ctx: &Context<'_>, history: bool) -> AppResult<Vec<funding_entry::Model>> {
        Ok(ctx.cached::<ItemMoney>()?.load_one((self.0.id, history)).await?.unwrap_or_default())
    }

    async fn sum(&self, ctx: &Context<'_>, keep: impl Fn(&funding_entry::Model) -> bool) -> AppResult<Decimal> {
        let money = self.money_of(ctx, false).await?;
        Ok(Decimal(fen_to_wan(money.iter().filter(|e| keep(e)).map(|e| e.amount_fen).sum())))
    }
}

/// An item of funding work (争资、招商、融资): a grant application, an investment lead, a financing
/// deal, a fiscal input, a preliminary-work advance or an incentive payment.
#[Object]
impl FundingItem {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// What it is.
    async fn kind(&self) -> FundingKind {
        self.0.kind
    }

    /// The project or programme applied for, the investor's project, the deal, the purpose.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The other party: the higher-level body (GRANT), the investor (INVESTMENT), the enterprise
    /// financed (FINANCING), the recipient (INCENTIVE).
    async fn counterpart(&self) -> &str {
        &self.0.counterpart
    }

    /// The funding type (GRANT), the investment's origin (内资, 外资, 港澳台资), the financing channel,
    /// the fiscal source (本级配套, 整合资金), the kind of advance or incentive.
    async fn channel(&self) -> &str {
        &self.0.channel
    }

    /// The higher-level programme or plan (GRANT).
    async fn programme(&self) -> Option<&str> {
        self.0.programme.as_deref()
    }

    /// The lending bank (FINANCING).
    async fn bank(&self) -> Option<&str> {
        self.0.bank.as_deref()
    }

    /// The industry (INVESTMENT, FINANCING).
    async fn industry(&self) -> Option<&str> {
        self.0.industry.as_deref()
    }

    /// The subsidy standard in words (GRANT), e.g. 每平方米国家补助400元.
    async fn standard(&self) -> Option<&str> {
        self.0.standard.as_deref()
    }

    /// The standard's amount per `standardUnit`, 元.
    async fn standard_amount(&self) -> Option<Decimal> {
        self.0.standard_fen.map(|f| Decimal(rust_decimal::Decimal::new(f, 2).normalize()))
    }

    /// What the standard is per, e.g. ㎡.
    async fn standard_unit(&self) -> Option<&str> {
        self.0.standard_unit.as_deref()
    }

    /// The stage reached, for GRANT, INVESTMENT and FINANCING.
    async fn stage(&self) -> Option<FundingStage> {
        self.0.stage
    }

    /// The stages reached, with their days, in order.
    async fn stages(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<StageReached>> {
        let rows = ctx.cached::<ItemStages>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(StageReached).collect())
    }

    /// The units credited with it and their shares (adding up to 100%): money two units report is
    /// counted once, and each unit's figures take its share.
    async fn units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<FundingShare>> {
        let rows = ctx.cached::<ItemShares>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(rows.into_iter().map(FundingShare).collect())
    }

    /// The money, in the order it moved: current entries, or with `history` the entries
    /// corrections replaced as well.
    async fn money(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Include the entries corrections replaced.", default = false)] history: bool,
    ) -> async_graphql::Result<Vec<FundingEntry>> {
        Ok(self.money_of(ctx, history).await?.into_iter().map(FundingEntry).collect())
    }

    /// Money received and verified, 万元: what counts toward targets.
    async fn received(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(self.sum(ctx, |e| e.flow == MoneyFlow::Received && e.verified_at.is_some()).await?)
    }

    /// Money received that the office has not verified yet, 万元.
    async fn pending(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(self.sum(ctx, |e| e.flow == MoneyFlow::Received && e.verified_at.is_none()).await?)
    }

    /// Money promised (allocated, contracted, approved), 万元; never counted toward a target.
    async fn promised(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        Ok(self.sum(ctx, |e| e.flow == MoneyFlow::Promised).await?)
    }

    /// The campaign it belongs to (INVESTMENT).
    async fn campaign(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<FundingCampaign>> {
        Ok(load_opt::<funding_campaign::Entity>(ctx, self.0.campaign_id, "campaign").await?.map(FundingCampaign))
    }

    /// The project the money serves, or that the lead became.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
        Ok(load_opt::<entity::project::Entity>(ctx, self.0.project_id, "project").await?.map(Project::from))
    }

    /// Notes.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }

    /// Who recorded it.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.created_by, "user").await?))
    }

    /// When it was recorded (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

connection!(
    FundingItemConnection,
    FundingItemEdge,
    FundingItem,
    "Items of funding work, one page.",
    "One item of funding work and its cursor."
);

/// A unit credited with an item, and its share.
pub struct FundingShare(pub funding_item_unit::Model);

/// A unit credited with an item, and its share.
#[Object]
impl FundingShare {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// Its share, percent.
    async fn share_percent(&self) -> Decimal {
        Decimal(bp_to_percent(self.0.share_bp))
    }
}

/// A stage an item reached.
pub struct StageReached(pub funding_stage::Model);

/// A stage an item reached.
#[Object]
impl StageReached {
    /// The stage.
    async fn stage(&self) -> FundingStage {
        self.0.stage
    }

    /// The day it was reached (the county's calendar).
    async fn reached_on(&self) -> Date {
        Date(self.0.reached_on)
    }

    /// The sum the stage names (applied for, in the plan, allocated, contracted, approved), 万元.
    async fn amount(&self) -> Option<Decimal> {
        self.0.amount_fen.map(|f| Decimal(fen_to_wan(f)))
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.recorded_by, "user").await?))
    }
}

/// One sum of money of an item. A verified entry never changes: a correction is a new entry that
/// replaces it and says why.
pub struct FundingEntry(pub funding_entry::Model);

/// One sum of money of an item. A verified entry never changes: a correction is a new entry that
/// replaces it and says why.
#[Object]
impl FundingEntry {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Promised, received or repaid.
    async fn flow(&self) -> MoneyFlow {
        self.0.flow
    }

    /// The day the money moved (the county's calendar).
    async fn on(&self) -> Date {
        Date(self.0.moved_on)
    }

    /// The amount, 万元.
    async fn amount(&self) -> Decimal {
        Decimal(fen_to_wan(self.0.amount_fen))
    }

    /// False once a correction replaced it.
    async fn current(&self) -> bool {
        self.0.is_current
    }

    /// The entry this one corrects.
    async fn replaces(&self) -> Option<Uuid> {
        self.0.replaces
    }

    /// Why the correction was made.
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }

    /// Whether the office verified (核实) it; only verified money received counts.
    async fn verified(&self) -> bool {
        self.0.verified_at.is_some()
    }

    /// Who verified it.
    async fn verified_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.verified_by, "user").await?.map(User))
    }

    /// When it was verified (UTC).
    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }

    /// Who recorded it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.recorded_by, "user").await?))
    }

    /// When it was recorded (UTC).
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

/// A unit's target for a year in one kind of funding work, one version of it.
pub struct FundingTarget(pub funding_target::Model);

/// A unit's target for a year in one kind of funding work, one version of it.
#[Object]
impl FundingTarget {
    /// Stable identifier of this version.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// GRANT, INVESTMENT or FINANCING.
    async fn kind(&self) -> FundingKind {
        self.0.kind
    }

    /// The target, 万元 (0: taken away).
    async fn amount(&self) -> Decimal {
        Decimal(fen_to_wan(self.0.amount_fen))
    }

    /// 1, 2, … per unit, year and kind.
    async fn version(&self) -> i32 {
        self.0.version
    }

    /// Whether this is the version in force.
    async fn current(&self) -> bool {
        self.0.is_current
    }

    /// The office's note when it was set.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Who set it.
    async fn set_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.set_by, "user").await?))
    }

    /// When (UTC).
    async fn set_at(&self) -> DateTime<Utc> {
        self.0.set_at
    }
}

connection!(
    FundingTargetConnection,
    FundingTargetEdge,
    FundingTarget,
    "Funding targets, one page.",
    "One funding target and its cursor."
);

/// A campaign investment leads belong to, e.g. 百日集中招商.
pub struct FundingCampaign(pub funding_campaign::Model);

/// A campaign investment leads belong to, e.g. 百日集中招商.
#[Object]
impl FundingCampaign {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Its name.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its first day.
    async fn starts_on(&self) -> Date {
        Date(self.0.starts_on)
    }

    /// Its last day.
    async fn ends_on(&self) -> Date {
        Date(self.0.ends_on)
    }
}

connection!(
    FundingCampaignConnection,
    FundingCampaignEdge,
    FundingCampaign,
    "Funding campaigns, one page.",
    "One funding campaign and its cursor."
);
