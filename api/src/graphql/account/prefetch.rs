//! A page of accounts loads their units once for the whole page; units point at nothing a list
//! repeats.

use async_graphql::{Context, Lookahead};
use entity::{unit, user};

use crate::error::AppResult;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::Wanted;

impl Prefetch for user::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut units = Wanted::default();
        units.when(node.field("unit"), rows.iter().map(|u| u.unit_id));
        units.prime::<unit::Entity>(ctx).await
    }
}

impl Prefetch for unit::Model {
    async fn prefetch(_: &Context<'_>, _: Lookahead<'_>, _: &[Self]) -> AppResult<()> {
        Ok(())
    }
}
