//! Downloads a browser opens without a token: signed links to a spreadsheet or a map feed, read as
//! the caller may see it.

use async_graphql::{Context, Object};

use super::context::ContextExt;
use crate::auth::Caller;
use crate::error::AppError;
use crate::service::export::{self, Params, Sheet};
use crate::service::map::MapFeed;

#[derive(Default)]
pub struct ExportQuery;

#[Object]
impl ExportQuery {
    /// A link to download `sheet` as an XLSX workbook, as the caller may see it, without a token (for a
    /// browser's download); it works for 15 minutes. Any signed-in user; an integration key downloads
    /// with its bearer token from `/exports/{name}.xlsx` instead.
    async fn export_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The sheet.")] sheet: Sheet,
        #[graphql(
            desc = "For MONTHLY_REPORT and MISSING_REPORTS: the period, YYYY-MM (the last closed one when omitted)."
        )]
        period: Option<String>,
        #[graphql(desc = "For DASHBOARD: the year, 2000 to 2100 (this year when omitted).")] year: Option<i32>,
    ) -> async_graphql::Result<String> {
        let caller = person(ctx)?;
        if period.as_ref().is_some_and(|p| p.len() > 16) {
            return Err(AppError::bad_input("period", "a period is written YYYY-MM, e.g. 2026-10").into());
        }
        let params = Params::new(sheet, period, year)?;
        let state = ctx.state()?;
        Ok(export::signed_path(state.config.jwt_secret.expose(), sheet, &params, caller.id(), state.config.clock.now()))
    }

    /// A link to a map feed with `query` (its URL query, e.g. `light=RED&datum=gcj02`, as the feed's
    /// route reads it), as the caller may see it, without a token (for a map library's fetch); it
    /// works for 15 minutes. Any signed-in user; an integration key fetches with its bearer token.
    async fn map_feed_url(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The feed.")] feed: MapFeed,
        #[graphql(desc = "The feed's URL query without the leading `?`, at most 2000 characters.")] query: Option<
            String,
        >,
    ) -> async_graphql::Result<String> {
        let caller = person(ctx)?;
        let query = query.unwrap_or_default();
        let query = query.strip_prefix('?').unwrap_or(&query);
        let (own, link) = crate::service::link::split(query);
        if link.is_some() {
            return Err(AppError::bad_input("query", "uid, exp and sig are the link's own; leave them out").into());
        }
        // The feed's own rules bound the query's length and refuse what the feed does not read.
        feed.check(&own)?;
        let state = ctx.state()?;
        let now = state.config.clock.now();
        Ok(crate::service::link::sign(state.config.jwt_secret.expose(), feed.path(), &own, caller.id(), now))
    }
}

/// The signed-in person asking: links are made for users; an integration key uses its token.
fn person<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Caller> {
    let caller = ctx.caller()?;
    if caller.key.is_some() {
        return Err(AppError::Forbidden("an integration key downloads with its bearer token".into()).into());
    }
    Ok(caller)
}
