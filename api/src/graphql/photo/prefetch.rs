//! A page of photos loads its projects and uploaders once for the whole page.

use async_graphql::{Context, Lookahead};
use entity::photo;

use crate::error::AppResult;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime_rows};

impl Prefetch for photo::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        // The site check reads the project as the `project` field does.
        let project = node.field("project");
        if project.exists() || node.field("distanceToSiteM").exists() || node.field("onSite").exists() {
            let projects = prime_rows::<entity::project::Entity>(ctx, rows.iter().map(|p| p.project_id)).await?;
            entity::project::Model::prefetch(ctx, project, &projects).await?;
        }
        let mut users = Wanted::default();
        users.when(node.field("uploadedBy"), rows.iter().map(|p| p.uploaded_by));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
