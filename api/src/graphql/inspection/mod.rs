//! Checklist templates and site inspections, with offline sync.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::{InspectionFilter, InspectionInput, PublishChecklistTemplateInput};
pub use objects::{ChecklistTemplate, Inspection, InspectionConnection, SyncResult};
use objects::{ChecklistTemplateConnection, sync_error};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::page::PageRequest;
use entity::checklist_template::{Item, Section};
use entity::inspection::ReviewStatus;

use crate::service::inspection::{
    self as inspections, InspectionFilter as Filter, NewInspection, NewTemplate, SyncOutcome,
};

#[derive(Default)]
pub struct InspectionQuery;

#[Object]
impl InspectionQuery {
    /// Checklist templates: the latest version of each key, or (with `allVersions`) every version;
    /// by key. Any signed-in user.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn checklist_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only this key's versions.")] key: Option<String>,
        #[graphql(desc = "Every version, not just the latest.", default)] all_versions: bool,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ChecklistTemplateConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let count = deferred((state.db.clone(), key.clone()), move |(db, key)| async move {
            inspections::template_count(&db, key.as_deref(), all_versions).await
        });
        let fetch = |page: PageRequest| async move {
            inspections::templates(&state.db, key.as_deref(), all_versions, &page).await
        };
        Ok(list(
            ctx,
            first,
            after,
            ListSpec { fetch, count, key: inspections::template_cursor, node: ChecklistTemplate },
        )
        .await?)
    }

    /// One template version. Any signed-in user.
    async fn checklist_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The version's id.")] id: Uuid,
    ) -> async_graphql::Result<ChecklistTemplate> {
        ctx.caller()?;
        Ok(ChecklistTemplate(inspections::template(&ctx.state()?.db, id).await?))
    }

    /// One inspection revision. One the caller may not see is `NOT_FOUND`.
    async fn inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision's id.")] id: Uuid,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        Ok(Inspection(inspections::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Inspections the caller can see, newest received first. DEPARTMENT users see those of the
    /// projects their unit is responsible for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<InspectionFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<InspectionConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let filter = Filter::from(filter.unwrap_or_default());
        let count = deferred((state.db.clone(), actor.clone(), filter.clone()), |(db, actor, filter)| async move {
            inspections::count(&db, &actor, &filter).await
        });
        let fetch = |page: PageRequest| async move { inspections::list(&state.db, &actor, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: inspections::cursor, node: Inspection }).await?)
    }
}

#[derive(Default)]
pub struct InspectionMutation;

#[Object]
impl InspectionMutation {
    /// Publishes a checklist template as the next version of its key; publishing what the latest
    /// version already says returns it. Every broken rule is reported with its item. ADMIN.
    async fn publish_checklist_template(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The template.")] input: PublishChecklistTemplateInput,
    ) -> async_graphql::Result<ChecklistTemplate> {
        let actor = ctx.actor()?;
        let t = NewTemplate {
            key: input.key,
            name: input.name,
            description: input.description,
            pass_score: input.pass_score,
            sections: input
                .sections
                .into_iter()
                .map(|s| Section {
                    title: s.title,
                    items: s
                        .items
                        .into_iter()
                        .map(|i| Item {
                            key: i.key,
                            label: i.label,
                            item_type: i.item_type,
                            required: i.required,
                            weight: i.weight,
                            min: i.min,
                            max: i.max,
                            unit: i.unit,
                            options: i.options,
                            min_photos: i.min_photos,
                            max_photos: i.max_photos,
                            photo_required_on_fail: i.photo_required_on_fail,
                            note_required_on_fail: i.note_required_on_fail,
                            raise_issue_on_fail: i.raise_issue_on_fail,
                            measures_progress: i.measures_progress,
                        })
                        .collect(),
                })
                .collect(),
        };
        Ok(ChecklistTemplate(inspections::publish(&ctx.state()?.db, &actor, t).await?))
    }

    /// Submits an inspection (or a correction of one). Resending the same submission returns what is
    /// stored; other content under its id is `CONFLICT`. Answers are checked against the template
    /// version: every broken rule is in `extensions.violations`. ADMIN, INSPECTOR or LEADER.
    async fn submit_inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inspection.")] input: InspectionInput,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let (stored, _) = inspections::submit(&state.db, &actor, input.into(), state.config.clock.day()).await?;
        Ok(Inspection(stored))
    }

    /// Submits up to 100 inspections captured offline, each on its own, and says per inspection
    /// whether it was stored, already stored, or refused (and why): one bad inspection never hides
    /// the others.
    async fn sync_inspections(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The inspections, up to 100.")] inputs: Vec<InspectionInput>,
    ) -> async_graphql::Result<Vec<SyncResult>> {
        let actor = ctx.actor()?;
        actor.caller()?;
        let results = {
            let state = ctx.state()?;
            let inputs = inputs.into_iter().map(NewInspection::from).collect();
            inspections::sync(&state.db, &actor, inputs, state.config.clock.day()).await?
        };
        Ok(results
            .into_iter()
            .map(|(id, r)| match r {
                Ok((inspection, outcome)) => {
                    SyncResult { id, outcome, inspection: Some(Inspection(inspection)), error: None }
                }
                Err(e) => {
                    SyncResult { id, outcome: SyncOutcome::Failed, inspection: None, error: Some(sync_error(&e)) }
                }
            })
            .collect())
    }

    /// Records the office's review of an inspection's current revision; a note is needed unless
    /// APPROVED. ADMIN.
    async fn review_inspection(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The revision (the current one).")] id: Uuid,
        #[graphql(desc = "APPROVED, HAS_ISSUES or REJECTED.")] status: ReviewStatus,
        #[graphql(desc = "What is wrong, if anything.")] note: Option<String>,
    ) -> async_graphql::Result<Inspection> {
        let actor = ctx.actor()?;
        Ok(Inspection(inspections::review(&ctx.state()?.db, &actor, id, status, note).await?))
    }
}
