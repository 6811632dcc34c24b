//! Awards and a year's totals as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::assessment_award;
use uuid::Uuid;

use super::objects::wan;
use crate::graphql::account::{Unit, User};
use crate::graphql::context::on_heap;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::pagination::{ListSpec, connection, deferred, list};
use crate::graphql::scalars::Decimal;
use crate::service::assessment;
use crate::service::page::PageRequest;

/// A reward to an advanced unit or person.
pub struct Award(pub assessment_award::Model);

/// A reward to an advanced unit or person (奖励先进).
#[Object]
impl Award {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The unit rewarded; null when a person is.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        let Some(id) = self.0.unit_id else { return Ok(None) };
        Ok(Some(Unit(load::<entity::unit::Entity>(ctx, id, "unit").await?)))
    }

    /// The person rewarded; null when a unit is.
    async fn user(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        let Some(id) = self.0.user_id else { return Ok(None) };
        Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?)))
    }

    /// The period it rewards, `2026` or `2026-Q3`.
    async fn period(&self) -> &str {
        &self.0.period
    }

    /// The amount, 万元.
    async fn amount(&self) -> Decimal {
        wan(self.0.amount_fen)
    }

    /// What it rewards.
    async fn basis(&self) -> &str {
        &self.0.basis
    }

    /// When it was granted.
    async fn granted_at(&self) -> DateTime<Utc> {
        self.0.granted_at
    }
}

connection!(AwardConnection, AwardEdge, Award, "A page of awards.", "An award and its cursor.");

/// A year's awards.
pub struct AwardYear(pub i32);

/// A year's awards and their totals.
#[Object]
impl AwardYear {
    /// The year.
    async fn year(&self) -> i32 {
        self.0
    }

    /// How many awards were granted.
    async fn count(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        on_heap(async move { Ok(assessment::award_totals(&ctx.state()?.db, self.0).await?.count as i64) }).await
    }

    /// Their sum, 万元.
    async fn total(&self, ctx: &Context<'_>) -> async_graphql::Result<Decimal> {
        on_heap(async move { Ok(wan(assessment::award_totals(&ctx.state()?.db, self.0).await?.amount_fen)) }).await
    }

    /// The awards, newest first.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn items(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<AwardConnection> {
        let db = &ctx.state()?.db;
        let year = self.0;
        let count = deferred(db.clone(), move |db| async move { Ok(assessment::award_totals(&db, year).await?.count) });
        let fetch = |page: PageRequest| async move { assessment::awards(db, year, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: assessment::award_cursor, node: Award }).await?)
    }
}
