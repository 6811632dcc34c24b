//! A page of accounts loads their units (and a leader's projects) once for the whole page, and a
//! page of units their heads and projects.

use async_graphql::{Context, Lookahead};
use entity::{unit, user};

use uuid::Uuid;

use crate::error::AppResult;
use crate::graphql::children::prime_children;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::Wanted;
use crate::graphql::project::loaders::{ProjectsOfLeader, ProjectsOfUnit};

impl Prefetch for user::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut units = Wanted::default();
        units.when(node.field("unit"), rows.iter().map(|u| u.unit_id));
        units.prime::<unit::Entity>(ctx).await?;
        let ids: Vec<Uuid> = rows.iter().map(|u| u.id).collect();
        prime_children::<ProjectsOfLeader>(ctx, node.field("projects"), &ids).await
    }
}

impl Prefetch for unit::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("head"), rows.iter().filter_map(|u| u.head_user_id));
        users.prime::<user::Entity>(ctx).await?;
        let ids: Vec<Uuid> = rows.iter().map(|u| u.id).collect();
        prime_children::<ProjectsOfUnit>(ctx, node.field("projects"), &ids).await
    }
}
