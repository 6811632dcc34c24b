//! Trusted documents: what a production client may run when the server runs registered documents
//! alone (`KP_TRUSTED_DOCUMENTS=only`).

use async_graphql::{Context, Object};

use super::context::ContextExt;
use crate::service::documents;

#[derive(Default)]
pub struct DocumentMutation;

#[Object]
impl DocumentMutation {
    /// Registers GraphQL documents as trusted (each as a client will send it, byte for byte); returns
    /// their ids, the lower-case hex SHA-256 a client sends as `extensions.persistedQuery.sha256Hash`.
    /// ADMIN only; at most 100 at once.
    async fn register_trusted_documents(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The documents' texts.")] documents: Vec<String>,
    ) -> async_graphql::Result<Vec<String>> {
        let state = ctx.state()?;
        let max = state.config.limits.max_body_bytes;
        let now = state.config.clock.now();
        Ok(documents::register(&state.db, &ctx.actor()?, &documents, max, now).await?)
    }
}
