//! Issues and their timelines as clients read them.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::issue::{self, IssueKind, IssueSource, IssueStatus, Severity};
use entity::issue_event::{self, IssueEventKind};
use uuid::Uuid;

use super::loaders::{IssueCoUnits, IssueOrigins, IssuePhotos, IssueTimelines};
use crate::error::AppError;
use crate::graphql::account::{Unit, User};
use crate::graphql::context::on_heap;
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::Date;
use crate::graphql::settings::loaders::HealthRulesLoader;
use crate::service::issue::{self as issues, Escalation, IssueAction};

/// A problem blocking a project (问题).
pub struct Issue(pub issue::Model);

/// Timeline entries a client gets when it does not say how many, and at most.
pub const MAX_TIMELINE: u32 = 100;

/// The number of entries `timeline(last:)` returns.
pub fn timeline_limit(last: Option<i32>) -> u32 {
    last.map_or(MAX_TIMELINE, |n| n.clamp(0, MAX_TIMELINE as i32) as u32)
}

/// A problem blocking a project (问题).
#[Object]
impl Issue {
    /// Stable identifier (a phone may choose it).
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Human-readable number, `YYYY-NNNN`.
    async fn number(&self) -> &str {
        &self.0.number
    }

    /// The project it blocks.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// What kind of problem it is.
    async fn kind(&self) -> IssueKind {
        self.0.kind
    }

    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Details.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// How serious it is.
    async fn severity(&self) -> Severity {
        self.0.severity
    }

    /// Where it was found.
    async fn source(&self) -> IssueSource {
        self.0.source
    }

    /// Where it stands in the workflow.
    async fn status(&self) -> IssueStatus {
        self.0.status
    }

    /// Who raised it.
    async fn reporter(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.reporter_id, "user").await?))
    }

    /// The unit it is assigned to (主办单位), once assigned.
    async fn assigned_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.assigned_unit_id, "unit").await?.map(Unit))
    }

    /// Co-operating units (协办单位).
    async fn co_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let ids = ctx.cached::<IssueCoUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let units = ctx.loader::<entity::unit::Entity>()?.load_many(ids).await?;
        let mut units: Vec<Unit> = units.into_values().map(Unit).collect();
        units.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(units)
    }

    /// When it must be resolved.
    async fn due_date(&self) -> Option<Date> {
        self.0.due_date.map(Date)
    }

    /// Past its due date and not yet resolved.
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        Ok(issues::is_overdue(&self.0, ctx.state()?.config.clock.today()))
    }

    /// How urgent its deadline has become, under the office's rules.
    async fn escalation(&self, ctx: &Context<'_>) -> async_graphql::Result<Escalation> {
        let rules =
            ctx.cached::<HealthRulesLoader>()?.load_one(()).await?.ok_or_else(|| AppError::internal("no rules"))?;
        Ok(issues::escalation(&self.0, ctx.state()?.config.clock.today(), &rules))
    }

    /// The leader the issue was escalated to (提级督办), once it was.
    async fn escalated_to(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.escalated_to, "user").await?.map(User))
    }

    /// When it was escalated (UTC).
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }

    /// The scheduling meeting whose decision raised it (source MEETING), when the caller may see it.
    async fn meeting(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::meeting::Meeting>> {
        let found = crate::graphql::meeting::loaders::visible_meeting(ctx, self.0.meeting_id).await?;
        Ok(found.map(crate::graphql::meeting::Meeting))
    }

    /// What the unit reported when it resolved the issue.
    async fn resolution(&self) -> Option<&str> {
        self.0.resolution.as_deref()
    }

    /// The inspection and checklist item that raised it, when a failed item did. `inspection` is null
    /// for a caller who may not see that inspection.
    async fn found_in(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<InspectionFinding>> {
        on_heap(async move {
            let Some((inspection_id, item_key)) = ctx.cached::<IssueOrigins>()?.load_one(self.0.id).await? else {
                return Ok(None);
            };
            let inspection = ctx.loader::<entity::inspection::Entity>()?.load_one(inspection_id).await?;
            let project = load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?;
            let visible = crate::service::inspection::may_see(&ctx.state()?.db, ctx.caller()?, &project).await?;
            Ok(Some(InspectionFinding {
                item_key,
                inspection: inspection.filter(|_| visible).map(crate::graphql::inspection::Inspection),
            }))
        })
        .await
    }

    /// Photos taken as its evidence, oldest first. Whoever may see the issue may see them.
    async fn photos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<crate::graphql::photo::Photo>> {
        let photos = ctx.cached::<IssuePhotos>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(photos.into_iter().map(crate::graphql::photo::Photo).collect())
    }

    /// What the caller may do with the issue now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<IssueAction>> {
        Ok(issues::actions_for(ctx.caller()?, &self.0))
    }

    /// The timeline, oldest first: every step, comment and instruction.
    async fn timeline(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the newest this many entries (all when omitted, at most 100).")] last: Option<i32>,
    ) -> async_graphql::Result<Vec<IssueEvent>> {
        let key = (self.0.id, timeline_limit(last));
        let events = ctx.cached::<IssueTimelines>()?.load_one(key).await?.unwrap_or_default();
        Ok(events.into_iter().map(IssueEvent).collect())
    }

    /// When it was raised (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// When it last changed (UTC).
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }

    /// When it was closed off (UTC).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.closed_at
    }
}

/// Where an inspection found an issue.
#[derive(SimpleObject)]
pub struct InspectionFinding {
    /// The failed checklist item.
    pub item_key: String,
    /// The inspection revision that raised it; null for a caller who may not see it.
    pub inspection: Option<crate::graphql::inspection::Inspection>,
}

/// One entry on an issue's timeline.
pub struct IssueEvent(pub issue_event::Model);

/// One entry on an issue's timeline.
#[Object]
impl IssueEvent {
    /// What happened.
    async fn kind(&self) -> IssueEventKind {
        self.0.kind
    }

    /// Who did it; null for the system.
    async fn actor(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.actor_id, "user").await?.map(User))
    }

    /// The comment, reason, resolution or instruction.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The unit concerned (assigned to, returned by).
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?.map(Unit))
    }

    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

connection!(IssueConnection, IssueEdge, Issue, "A page of issues, newest first.", "An issue and its cursor.");

/// How a unit handles the issues assigned to it.
#[derive(SimpleObject)]
pub struct UnitIssueStats {
    /// The unit.
    pub unit: Unit,
    /// Issues ever assigned to it (still assigned now).
    pub assigned: i64,
    /// Of those, not yet resolved.
    pub open: i64,
    /// Of those, resolved, verified or closed (办结).
    pub resolved: i64,
    /// Open and past the due date.
    pub overdue: i64,
    /// Issues whose deadline has come, or that were resolved with one.
    pub due_count: i64,
    /// Of those, resolved on or before their deadline (county date).
    pub closed_on_time: i64,
    /// The close-off rate (按期办结率): issues resolved by their deadline among those due, percent;
    /// null when none is due.
    pub close_off_rate: Option<crate::graphql::scalars::Decimal>,
    /// Resolved (办结, verified or closed) as a share of all assigned, percent, deadlines aside.
    pub resolved_share: Option<crate::graphql::scalars::Decimal>,
    /// Median days from raising to the unit's resolution.
    pub median_days_to_resolve: Option<f64>,
}
