//! Funding work (争资、招商、融资): items, their money, the units' targets, campaigns, and the
//! office's figures.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;
pub(crate) mod summary;

use async_graphql::{Context, Object};
use entity::funding_item::{FundingKind, FundingStage};
use uuid::Uuid;

pub use inputs::{
    CreateFundingCampaignInput, FundingDetailsInput, FundingItemFilter, FundingShareInput, FundingTargetFilter,
    FundingTargetInput, RecordFundingItemInput, RecordFundingMoneyInput,
};
pub use objects::{
    FundingCampaign, FundingCampaignConnection, FundingEntry, FundingItem, FundingItemConnection, FundingTarget,
    FundingTargetConnection,
};
pub use summary::{FundingSummary, UnitFundingFigures};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use super::scalars::{Date, Decimal};
use crate::service::funding::{self as funding, ItemFilter, TargetFilter};
use crate::service::page::PageRequest;

#[derive(Default)]
pub struct FundingQuery;

impl FundingQuery {
    async fn items(
        ctx: &Context<'_>,
        filter: ItemFilter,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        let state = ctx.state()?;
        let reach = funding::reach(ctx.caller()?);
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            funding::count(&db, reach, &filter).await
        });
        let fetch = |page: PageRequest| async move { funding::list(&state.db, reach, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: funding::cursor, node: FundingItem }).await?)
    }

    async fn of_kind(
        ctx: &Context<'_>,
        kind: FundingKind,
        filter: Option<FundingItemFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        let filter = ItemFilter { kind: Some(kind), ..filter.unwrap_or_default().into() };
        Self::items(ctx, filter, first, after).await
    }
}

#[Object]
impl FundingQuery {
    /// The year's funding work up to a day, per kind: targets against money received and verified,
    /// by unit (ranked), month, campaign and channel, and the change on the same days of the year
    /// before. Money credited to several units is counted once, and split by shares among them. The
    /// office, leaders and units read it (the ranking is published to all); inspectors do not.
    async fn funding_summary(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.")] year: i32,
        #[graphql(desc = "The last day counted (default: the year's last day).")] up_to: Option<Date>,
    ) -> async_graphql::Result<FundingSummary> {
        let actor = ctx.actor()?;
        let db = &ctx.state()?.db;
        let summary = funding::summary(db, &actor, year, up_to.map(|d| d.0)).await?;
        // Every kind's units in one batch, whatever the timing of the rows.
        let look = ctx.look_ahead();
        let ids: Vec<Uuid> = summary.kinds.iter().flat_map(|k| k.units.iter()).map(|u| u.unit_id).collect();
        for rows in [look.field("kinds").field("units"), look.field("kind").field("units")] {
            let unit = rows.field("unit");
            crate::graphql::prefetch::prime_related::<entity::unit::Entity>(ctx, unit, ids.iter().copied()).await?;
        }
        Ok(FundingSummary(summary))
    }

    /// One unit's figures in every kind of the year, as `fundingSummary` ranks them.
    async fn unit_funding(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] unit_id: Uuid,
        #[graphql(desc = "The year, 2000 to 2100.")] year: i32,
        #[graphql(desc = "The last day counted (default: the year's last day).")] up_to: Option<Date>,
    ) -> async_graphql::Result<Vec<UnitFundingFigures>> {
        let actor = ctx.actor()?;
        let db = &ctx.state()?.db;
        crate::service::kit::require_units(db, "unitId", &[unit_id].into()).await?;
        let rows = funding::unit_funding(db, &actor, unit_id, year, up_to.map(|d| d.0)).await?;
        Ok(rows.into_iter().map(|(kind, figures)| UnitFundingFigures(Some(kind), figures)).collect())
    }

    /// One item of funding work. One the caller may not see is `NOT_FOUND`.
    async fn funding_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item's id.")] id: Uuid,
    ) -> async_graphql::Result<FundingItem> {
        let actor = ctx.actor()?;
        Ok(FundingItem(funding::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Items of funding work the caller sees, newest first: the office and leaders all, a unit those
    /// it is credited with.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn funding_items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<FundingItemFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        Self::items(ctx, filter.unwrap_or_default().into(), first, after).await
    }

    /// Grant applications (争资): `fundingItems` of kind GRANT.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn grants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list (its kind is GRANT).")] filter: Option<FundingItemFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        Self::of_kind(ctx, FundingKind::Grant, filter, first, after).await
    }

    /// Investment leads (招商): `fundingItems` of kind INVESTMENT.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn investment_leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list (its kind is INVESTMENT).")] filter: Option<FundingItemFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        Self::of_kind(ctx, FundingKind::Investment, filter, first, after).await
    }

    /// Financing deals (融资): `fundingItems` of kind FINANCING.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn financing_deals(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list (its kind is FINANCING).")] filter: Option<FundingItemFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingItemConnection> {
        Self::of_kind(ctx, FundingKind::Financing, filter, first, after).await
    }

    /// Units' targets, the latest set first: the versions in force, or every version with `history`.
    /// The office and leaders see all, a unit its own.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn funding_targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<FundingTargetFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingTargetConnection> {
        let state = ctx.state()?;
        let reach = funding::reach(ctx.caller()?);
        let filter: TargetFilter = filter.unwrap_or_default().into();
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            funding::count_targets(&db, reach, &filter).await
        });
        let fetch = |page: PageRequest| async move { funding::targets(&state.db, reach, &filter, &page).await };
        let key = |t: &entity::funding_target::Model| crate::service::page::time_id_key(t.set_at, t.id);
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: FundingTarget }).await?)
    }

    /// Campaigns investment leads belong to, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn funding_campaigns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<FundingCampaignConnection> {
        funding::require_reader(&ctx.actor()?)?;
        let state = ctx.state()?;
        let count = deferred(state.db.clone(), |db| async move { funding::count_campaigns(&db).await });
        let fetch = |page: PageRequest| async move { funding::campaigns(&state.db, &page).await };
        let key = |c: &entity::funding_campaign::Model| crate::service::page::time_id_key(c.created_at, c.id);
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: FundingCampaign }).await?)
    }
}

#[derive(Default)]
pub struct FundingMutation;

#[Object]
impl FundingMutation {
    /// Records an item of funding work. The office for any units; a department for items its unit
    /// is credited with. Replaying the same create returns the stored item; other content under
    /// that id is `CONFLICT`.
    async fn record_funding_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] input: RecordFundingItemInput,
    ) -> async_graphql::Result<FundingItem> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let input = input.into_new(clock.today())?;
        Ok(FundingItem(funding::record_item(&state.db, &actor, input, clock.now()).await?))
    }

    /// Changes an item's details; the office may also move its credit between units (`units`). A
    /// department edits the items it is credited with.
    async fn update_funding_item(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] id: Uuid,
        #[graphql(desc = "Its details, all of them.")] details: FundingDetailsInput,
        #[graphql(desc = "The units credited and their shares (the office only).", validator(max_items = 10))]
        units: Option<Vec<FundingShareInput>>,
    ) -> async_graphql::Result<FundingItem> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let shares = units.as_deref().map(inputs::shares).transpose()?;
        let details = details.into_details()?;
        let now = state.config.clock.now();
        Ok(FundingItem(funding::update_item(&state.db, &actor, id, details, shares, now).await?))
    }

    /// Moves an item forward to a stage of its kind (stages only move forward).
    async fn advance_funding_stage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The item.")] id: Uuid,
        #[graphql(desc = "The stage reached.")] stage: FundingStage,
        #[graphql(desc = "The day it was reached (default: today).")] reached_on: Option<Date>,
        #[graphql(desc = "The sum the stage names (applied for, in the plan…), 万元.")] amount: Option<Decimal>,
    ) -> async_graphql::Result<FundingItem> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let on = reached_on.map_or(clock.today(), |d| d.0);
        let fen = amount.map(|a| crate::service::money::wan_to_fen("amount", a.0)).transpose()?;
        Ok(FundingItem(funding::advance_stage(&state.db, &actor, id, (stage, on, fen), clock.now()).await?))
    }

    /// Records money of an item: promised, received or repaid. It counts once the office verified
    /// it. Money promised or received brings the item to the stage it implies when it is behind.
    async fn record_funding_money(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The money.")] input: RecordFundingMoneyInput,
    ) -> async_graphql::Result<FundingEntry> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let now = state.config.clock.now();
        Ok(FundingEntry(funding::record_money(&state.db, &actor, input.into_new()?, now).await?))
    }

    /// Verifies (核实) money: from now on it counts. ADMIN; once.
    async fn verify_funding_money(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry.")] id: Uuid,
    ) -> async_graphql::Result<FundingEntry> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(FundingEntry(funding::verify_money(&state.db, &actor, id, state.config.clock.now()).await?))
    }

    /// Corrects money with a new entry that replaces it (the old one stays, no longer current). A
    /// verified figure is corrected by the office alone, saying why.
    async fn correct_funding_money(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The entry to correct.")] id: Uuid,
        #[graphql(desc = "The right amount, 万元.")] amount: Decimal,
        #[graphql(desc = "The right day.")] on: Date,
        #[graphql(
            desc = "Why, 2 to 500 characters (required for a verified figure).",
            validator(custom = "crate::graphql::scalars::MaxChars(500)")
        )]
        reason: Option<String>,
    ) -> async_graphql::Result<FundingEntry> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let fen = crate::service::money::wan_to_fen("amount", amount.0)?;
        let now = state.config.clock.now();
        Ok(FundingEntry(funding::correct_money(&state.db, &actor, id, fen, on.0, reason.as_deref(), now).await?))
    }

    /// Sets units' targets for a year (超常规下达指标任务). ADMIN. A change adds a version and keeps
    /// the old figure. Returns how many targets changed.
    async fn set_funding_targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year, 2000 to 2100.")] year: i32,
        #[graphql(desc = "The targets, 1 to 600, one per unit and kind.", validator(max_items = 600))] targets: Vec<
            FundingTargetInput,
        >,
        #[graphql(
            desc = "The office's note, at most 500 characters.",
            validator(custom = "crate::graphql::scalars::MaxChars(500)")
        )]
        note: Option<String>,
    ) -> async_graphql::Result<i32> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let targets =
            targets.into_iter().map(FundingTargetInput::into_new).collect::<crate::error::AppResult<Vec<_>>>()?;
        let n =
            funding::set_targets(&state.db, &actor, year, &targets, note.as_deref(), state.config.clock.now()).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Starts a campaign investment leads can belong to. ADMIN.
    async fn create_funding_campaign(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The campaign.")] input: CreateFundingCampaignInput,
    ) -> async_graphql::Result<FundingCampaign> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(FundingCampaign(funding::create_campaign(&state.db, &actor, input.into(), state.config.clock.now()).await?))
    }
}
