//! Spreadsheet exports: a signed link to download a sheet as the caller may see it.

use async_graphql::{Context, Object};

use super::context::ContextExt;
use crate::error::AppError;
use crate::service::export::{self, Params, Sheet};

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
        #[graphql(desc = "For MONTHLY_REPORT: the period, YYYY-MM (the last closed one when omitted).")] period: Option<
            String,
        >,
    ) -> async_graphql::Result<String> {
        let caller = ctx.caller()?;
        if caller.key.is_some() {
            return Err(AppError::Forbidden("an integration key downloads with its bearer token".into()).into());
        }
        if let Some(p) = &period {
            if sheet != Sheet::MonthlyReport {
                return Err(AppError::bad_input("period", "only the monthly report has a period").into());
            }
            crate::service::period::Period::parse("period", p)?;
        }
        let state = ctx.state()?;
        let params = Params { period };
        Ok(export::signed_path(state.config.jwt_secret.expose(), sheet, &params, caller.id(), state.config.clock.now()))
    }
}
