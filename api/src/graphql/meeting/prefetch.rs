//! A page of meetings or action items loads each selected relation once for the whole page, before
//! its items resolve (see [`crate::graphql::prefetch`]).

use async_graphql::{Context, Lookahead};
use entity::{action_item, meeting};
use uuid::Uuid;

use super::loaders::{
    DecisionIssues, MeetingAgenda, MeetingAttendees, MeetingDecisions, MeetingItems, MeetingMinutes, MeetingUnits,
    PreviousItems, VisibleCases,
};
use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::Prefetch;
use crate::graphql::prefetch::{Wanted, prime, prime_related};
use crate::service::meeting as meetings;

impl Prefetch for meeting::Model {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        if rows.is_empty() || !node.exists() {
            return Ok(());
        }
        let db = ctx.state()?.db.clone();
        let ids: Vec<Uuid> = rows.iter().map(|m| m.id).collect();
        let reach = meetings::reach(ctx.caller()?);
        let (mut units, mut users) = (Wanted::default(), Wanted::default());
        users.when(node.field("chair"), rows.iter().map(|m| m.chair_id));
        users.when(node.field("createdBy"), rows.iter().map(|m| m.created_by));
        if node.field("units").exists() {
            units.extend(prime(ctx, ids.clone(), MeetingUnits(db.clone()), true).await?.into_values().flatten());
        }
        if node.field("attendees").exists() {
            users.extend(prime(ctx, ids.clone(), MeetingAttendees(db.clone()), true).await?.into_values().flatten());
        }
        let agenda = node.field("agenda");
        if agenda.exists() {
            let found = prime(ctx, ids.clone(), MeetingAgenda(db.clone()), true).await?;
            let projects = found.values().flatten().map(|a| a.project_id);
            prime_related::<entity::project::Entity>(ctx, agenda.field("project"), projects).await?;
        }
        let (minutes, versions) = (node.field("minutes"), node.field("minutesVersions"));
        if minutes.exists() || versions.exists() {
            let found = prime(ctx, ids.clone(), MeetingMinutes(db.clone()), true).await?;
            if minutes.field("publishedBy").exists() || versions.field("publishedBy").exists() {
                users.extend(found.values().flatten().map(|v| v.published_by));
            }
        }
        let decisions = node.field("decisions");
        if decisions.exists() {
            let found = prime(ctx, ids.clone(), MeetingDecisions(db.clone()), true).await?;
            let rows: Vec<&entity::meeting_decision::Model> = found.values().flatten().collect();
            users.when(decisions.field("recordedBy"), rows.iter().map(|d| d.recorded_by));
            let scope = crate::service::kit::department_scope(ctx.caller()?);
            let cases: Vec<_> = rows.iter().filter_map(|d| d.case_id).map(|c| (c, scope)).collect();
            if decisions.field("case").exists() && !cases.is_empty() {
                let found = prime(ctx, cases, VisibleCases(db.clone()), true).await?;
                let cases: Vec<entity::case::Model> = found.into_values().flatten().collect();
                entity::case::Model::prefetch(ctx, decisions.field("case"), &cases).await?;
            }
            let issues = decisions.field("issues");
            if issues.exists() {
                let keys = rows.iter().map(|d| (d.id, scope)).collect();
                let found = prime(ctx, keys, DecisionIssues(db.clone()), true).await?;
                let rows: Vec<entity::issue::Model> = found.into_values().flatten().collect();
                entity::issue::Model::prefetch(ctx, issues, &rows).await?;
            }
        }
        for (field, previous) in [("actionItems", false), ("previousActionItems", true)] {
            let field = node.field(field);
            if !field.exists() {
                continue;
            }
            let keys: Vec<(Uuid, meetings::Reach)> = ids.iter().map(|id| (*id, reach)).collect();
            let found = if previous {
                prime(ctx, keys, PreviousItems(db.clone()), true).await?
            } else {
                prime(ctx, keys, MeetingItems(db.clone()), true).await?
            };
            let items: Vec<action_item::Model> = found.into_values().flatten().collect();
            action_item::Model::prefetch(ctx, field, &items).await?;
        }
        units.prime::<entity::unit::Entity>(ctx).await?;
        users.prime::<entity::user::Entity>(ctx).await
    }
}
