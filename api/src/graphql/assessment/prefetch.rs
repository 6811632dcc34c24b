//! A page of standings or awards loads each selected relation once for the whole page.

use async_graphql::{Context, Lookahead};
use entity::{assessment_award, assessment_result};

use crate::error::AppResult;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime_related};

impl Prefetch for assessment_result::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        prime_related::<entity::unit::Entity>(ctx, node.field("unit"), rows.iter().map(|r| r.unit_id)).await
    }
}

impl Prefetch for assessment_award::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        prime_related::<entity::unit::Entity>(ctx, node.field("unit"), rows.iter().filter_map(|r| r.unit_id)).await?;
        let mut users = Wanted::default();
        users.when(node.field("user"), rows.iter().filter_map(|r| r.user_id));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
