//! A page of inspections (or of checklist templates) loads each selected relation once for the whole
//! page, before its items resolve (see [`crate::graphql::prefetch`]).

use async_graphql::{Context, Lookahead};
use entity::{checklist_template, inspection};
use uuid::Uuid;

use super::loaders::{InspectionPhotos, RaisedIssues};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related, prime_rows};
use crate::service::inspection as inspections;

impl Prefetch for inspection::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        prime_related::<entity::project::Entity>(ctx, node.field("project"), rows.iter().map(|i| i.project_id)).await?;
        prime_related::<checklist_template::Entity>(ctx, node.field("template"), rows.iter().map(|i| i.template_id))
            .await?;
        let mut users = Wanted::default();
        users.when(node.field("inspector"), rows.iter().map(|i| i.inspector_id));
        users.when(node.field("reviewedBy"), rows.iter().filter_map(|i| i.reviewed_by));
        let photos = node.field("photos");
        if photos.exists() || node.field("missingPhotoIds").exists() {
            let mut referenced = Vec::new();
            for i in rows {
                referenced.extend(inspections::answers_of(i)?.into_iter().flat_map(|a| a.photo_ids));
            }
            let mut found = prime_rows::<entity::photo::Entity>(ctx, referenced.into_iter()).await?;
            if photos.exists() {
                let ids: Vec<Uuid> = rows.iter().map(|i| i.id).collect();
                found.extend(prime(ctx, ids, InspectionPhotos(db.clone()), true).await?.into_values().flatten());
                entity::photo::Model::prefetch(ctx, photos, &found).await?;
            }
        }
        let raised = node.field("raisedIssues");
        if raised.exists() {
            let roots: Vec<Uuid> =
                rows.iter().map(|i| i.root_id).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let found = prime(ctx, roots, RaisedIssues(db.clone()), true).await?;
            let issue_ids = found.into_values().flatten().map(|(_, id)| id);
            prime_related::<entity::issue::Entity>(ctx, raised.field("issue"), issue_ids).await?;
        }
        users.prime::<entity::user::Entity>(ctx).await
    }
}

impl Prefetch for checklist_template::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("publishedBy"), rows.iter().filter_map(|t| t.published_by));
        users.prime::<entity::user::Entity>(ctx).await
    }
}
