//! Loaders of what an item of funding work shows, and `Project.funding`.

use std::collections::HashMap;

use async_graphql::Context;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::children::{Arguments, Children};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{keyed_loader, param_loader};
use crate::service::funding::{self as funding, Reach};
use crate::service::page::{Page, PageRequest};

keyed_loader!(
    /// The units credited with each item and their shares.
    ItemShares, Vec<entity::funding_item_unit::Model>, |db, keys| funding::shares_of(db, keys).await
);
keyed_loader!(
    /// The stages each item reached.
    ItemStages, Vec<entity::funding_stage::Model>, |db, keys| funding::stages_of(db, keys).await
);
param_loader!(
    /// The money of each item; keyed by (item, with corrected entries too).
    ItemMoney, bool, Vec<entity::funding_entry::Model>,
    |db, ids, history| funding::entries_of(db, ids, history).await
);
param_loader!(
    /// Whether each unit holds a target above 0 in a year; `None` for every unit when the year has no
    /// targets at all (the unit's stored designation stands then). Keyed by (unit, year).
    TargetedIn, i32, Option<bool>,
    |db, ids, year| async {
        let targeted = funding::targeted_units(db, year).await?;
        AppResult::Ok(ids.iter().map(|k| (*k, targeted.as_ref().map(|t| t.contains(k)))).collect::<HashMap<_, _>>())
    }
    .await
);

/// `Project.funding`: each project's items as the caller sees them, one page per project.
pub struct ItemsOfProject;

impl Children for ItemsOfProject {
    type Args = ();
    type Query = Reach;
    type Row = entity::funding_item::Model;

    fn args(_: &Arguments) -> AppResult<Self::Args> {
        Ok(())
    }

    fn query(ctx: &Context<'_>, (): Self::Args) -> AppResult<Self::Query> {
        Ok(funding::reach(ctx.caller()?))
    }

    async fn pages(
        db: &DatabaseConnection,
        reach: &Self::Query,
        parents: &[Uuid],
        page: &PageRequest,
    ) -> AppResult<HashMap<Uuid, Page<Self::Row>>> {
        funding::pages_of_projects(db, *reach, parents, page).await
    }

    async fn counts(db: &DatabaseConnection, reach: &Self::Query, parents: &[Uuid]) -> AppResult<HashMap<Uuid, u64>> {
        funding::count_per_project(db, *reach, parents).await
    }

    fn cursor(_: &Self::Query, row: &Self::Row) -> String {
        funding::cursor(row)
    }
}
