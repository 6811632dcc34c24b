//! The leaders' dashboard: totals by list, industry and unit, and today's lights.

pub(crate) mod objects;

use async_graphql::{Context, Object};
use chrono::Datelike;

pub use objects::Dashboard;

use super::context::ContextExt;
use crate::service::dashboard;

#[derive(Default)]
pub struct DashboardQuery;

#[Object]
impl DashboardQuery {
    /// Totals by list, industry and unit, and today's lights. Any signed-in user.
    async fn dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Calendar year; this year when omitted.")] year: Option<i32>,
    ) -> async_graphql::Result<Dashboard> {
        ctx.caller()?;
        let day = ctx.state()?.config.clock.day();
        let d = dashboard::build(&ctx.state()?.db, year.unwrap_or(day.date.year()), day).await?;
        Ok(d.into())
    }
}
