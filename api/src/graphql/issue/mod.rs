//! Issues (问题): raising, the workflow from assignment to close-off, comments and the timeline.

mod prefetch;

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::issue::{self, IssueKind, IssueSource, IssueStatus, Severity};
use entity::issue_event::{self, IssueEventKind};
use uuid::Uuid;

use super::account::{Unit, User};
use super::context::{ContextExt, load};
use super::loaders::{HealthRulesLoader, IssueCoUnits, IssueOrigins, IssuePhotos, IssueTimelines};
use super::pagination::{TotalCount, connection, edges};
use super::project::Project;
use super::scalars::Date;
use crate::error::AppError;
use crate::service::issue::{self as issues, Escalation, IssueAction, IssueFilter as Filter, NewIssue, Transition};

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
        Ok(Project(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
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
        match self.0.assigned_unit_id {
            Some(id) => Ok(Some(Unit(load::<entity::unit::Entity>(ctx, id, "unit").await?))),
            None => Ok(None),
        }
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
        match self.0.escalated_to {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
    }

    /// When it was escalated (UTC).
    async fn escalated_at(&self) -> Option<DateTime<Utc>> {
        self.0.escalated_at
    }

    /// What the unit reported when it resolved the issue.
    async fn resolution(&self) -> Option<&str> {
        self.0.resolution.as_deref()
    }

    /// The inspection and checklist item that raised it, when a failed item did. `inspection` is null
    /// for a caller who may not see that inspection.
    async fn found_in(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<InspectionFinding>> {
        let Some((inspection_id, item_key)) = ctx.cached::<IssueOrigins>()?.load_one(self.0.id).await? else {
            return Ok(None);
        };
        let inspection = ctx.loader::<entity::inspection::Entity>()?.load_one(inspection_id).await?;
        let project = load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?;
        let visible = crate::service::inspection::may_see(ctx.caller()?, &project);
        Ok(Some(InspectionFinding {
            item_key,
            inspection: inspection.filter(|_| visible).map(super::inspection::Inspection),
        }))
    }

    /// Photos taken as its evidence, oldest first. Whoever may see the issue may see them.
    async fn photos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<super::photo::Photo>> {
        let photos = ctx.cached::<IssuePhotos>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(photos.into_iter().map(super::photo::Photo).collect())
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
    pub inspection: Option<super::inspection::Inspection>,
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
        match self.0.actor_id {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
    }

    /// The comment, reason, resolution or instruction.
    async fn text(&self) -> Option<&str> {
        self.0.text.as_deref()
    }

    /// The unit concerned (assigned to, returned by).
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        match self.0.unit_id {
            Some(id) => Ok(Some(Unit(load::<entity::unit::Entity>(ctx, id, "unit").await?))),
            None => Ok(None),
        }
    }

    /// When (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
}

connection!(IssueConnection, IssueEdge, Issue, "A page of issues, newest first.", "An issue and its cursor.");

/// A new issue.
#[derive(InputObject)]
pub struct RaiseIssueInput {
    /// The issue's id, chosen by the client so that a retried request is not raised twice.
    pub id: Option<Uuid>,
    /// The project it blocks.
    pub project_id: Uuid,
    /// What kind of problem it is.
    pub kind: IssueKind,
    /// Short title, 2 to 200 characters.
    pub title: String,
    /// Details, up to 5000 characters.
    pub description: Option<String>,
    /// How serious it is (MEDIUM when omitted).
    pub severity: Option<Severity>,
    /// Where it was found (MANUAL when omitted).
    pub source: Option<IssueSource>,
    /// Assign at once (project office only).
    pub assigned_unit_id: Option<Uuid>,
    /// Co-operating units.
    pub co_unit_ids: Option<Vec<Uuid>>,
    /// When it must be resolved.
    pub due_date: Option<Date>,
}

/// Narrows `issues`; every field set must match.
#[derive(InputObject, Default)]
pub struct IssueFilter {
    /// Only issues of this project.
    pub project_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<IssueKind>,
    /// Only this status.
    pub status: Option<IssueStatus>,
    /// Only issues assigned to this unit.
    pub assigned_unit_id: Option<Uuid>,
    /// Only overdue (`true`) or not overdue (`false`) issues.
    pub overdue: Option<bool>,
    /// Only issues at this escalation level.
    pub escalation: Option<Escalation>,
    /// Only issues escalated to this leader: a leader's queue.
    pub escalated_to: Option<Uuid>,
    /// Only issues linked to this coordination case.
    pub case_id: Option<Uuid>,
    /// Part of the title or number (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

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
    /// Resolved as a share of assigned, percent (办结率).
    pub close_off_rate: Option<crate::graphql::scalars::Decimal>,
    /// Median days from raising to the unit's resolution.
    pub median_days_to_resolve: Option<f64>,
}

#[derive(Default)]
pub struct IssueQuery;

#[Object]
impl IssueQuery {
    /// One issue. An issue the caller may not see is `NOT_FOUND`, exactly as if it did not exist.
    async fn issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue's id.")] id: Uuid,
    ) -> async_graphql::Result<Issue> {
        let actor = ctx.actor()?;
        Ok(Issue(issues::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Issues the caller can see, newest first. DEPARTMENT users see those assigned or co-assigned to
    /// their unit and those of projects their unit is responsible for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn issues(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<IssueFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<IssueConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let page = ctx.page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter = Filter {
            project_id: f.project_id,
            kind: f.kind,
            status: f.status,
            assigned_unit_id: f.assigned_unit_id,
            overdue: f.overdue,
            escalation: f.escalation,
            escalated_to: f.escalated_to,
            case_id: f.case_id,
            search: f.search,
        };
        let today = state.config.clock.today();
        let rows = issues::list(&state.db, &actor, &filter, &page, today).await?;
        prefetch::prefetch(ctx, ctx.look_ahead().field("edges").field("node"), &rows.items).await?;
        let db = state.db.clone();
        let total = TotalCount::new(move || {
            let (db, actor, filter) = (db.clone(), actor.clone(), filter.clone());
            async move { issues::count(&db, &actor, &filter, today).await }
        });
        Ok(IssueConnection::new(edges(rows, &page, issues::cursor, Issue), total))
    }

    /// Per responsible unit: issues assigned, open, resolved and overdue, the close-off rate (办结率)
    /// and the median days to resolve; most issues first. Any signed-in user.
    async fn issue_stats(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UnitIssueStats>> {
        ctx.caller()?;
        let stats = issues::unit_stats(&ctx.state()?.db, ctx.state()?.config.clock.today()).await?;
        let ids: Vec<Uuid> = stats.iter().map(|s| s.unit_id).collect();
        let units = ctx.loader::<entity::unit::Entity>()?.load_many(ids).await?;
        Ok(stats
            .into_iter()
            .filter_map(|s| {
                let unit = units.get(&s.unit_id)?.clone();
                Some(UnitIssueStats {
                    unit: Unit(unit),
                    assigned: s.assigned,
                    open: s.open,
                    resolved: s.resolved,
                    overdue: s.overdue,
                    close_off_rate: crate::service::money::ratio_percent(s.resolved, s.assigned)
                        .map(crate::graphql::scalars::Decimal),
                    median_days_to_resolve: s.median_days_to_resolve.map(|d| (d * 10.0).round() / 10.0),
                })
            })
            .collect())
    }
}

#[derive(Default)]
pub struct IssueMutation;

async fn step(ctx: &Context<'_>, id: Uuid, action: IssueAction, t: Transition) -> async_graphql::Result<Issue> {
    let actor = ctx.actor()?;
    Ok(Issue(issues::transition(&ctx.state()?.db, &actor, id, action, t).await?))
}

#[Object]
impl IssueMutation {
    /// Raises an issue. ADMIN, INSPECTOR, LEADER, or the project's responsible unit. Replaying the
    /// same create (same id, same content) returns the stored issue; other content under that id is
    /// `CONFLICT`.
    async fn raise_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] input: RaiseIssueInput,
    ) -> async_graphql::Result<Issue> {
        let actor = ctx.actor()?;
        let new = NewIssue {
            id: input.id,
            project_id: input.project_id,
            kind: input.kind,
            title: input.title,
            description: input.description.unwrap_or_default(),
            severity: input.severity.unwrap_or(Severity::Medium),
            source: input.source.unwrap_or(IssueSource::Manual),
            assigned_unit_id: input.assigned_unit_id,
            co_unit_ids: input.co_unit_ids.unwrap_or_default(),
            due_date: input.due_date.map(|d| d.0),
        };
        Ok(Issue(issues::raise(&ctx.state()?.db, &actor, new).await?))
    }

    /// Gives the issue to a unit (交办), or to another one before it is signed for. ADMIN.
    async fn assign_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "The unit to handle it.")] unit_id: Uuid,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Assign, Transition { unit_id: Some(unit_id), text: None }).await
    }

    /// Signs for the issue (签收). The assigned unit.
    async fn accept_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Accept, Transition::default()).await
    }

    /// Sends the issue back as not the unit's (退回), for the office to reassign. The assigned unit.
    async fn return_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "Why it is not the unit's.")] reason: String,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Return, Transition { unit_id: None, text: Some(reason) }).await
    }

    /// Starts work on the issue. The assigned unit.
    async fn start_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Start, Transition::default()).await
    }

    /// Reports the issue done (办结). The assigned unit.
    async fn resolve_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "What was done.")] resolution: String,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Resolve, Transition { unit_id: None, text: Some(resolution) }).await
    }

    /// Checks a resolved issue (核实): passed makes it VERIFIED; failed sends it back to the unit.
    /// ADMIN or INSPECTOR.
    async fn verify_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "Whether the problem is really solved.")] passed: bool,
        #[graphql(desc = "What the check found (required when it failed).")] note: Option<String>,
    ) -> async_graphql::Result<Issue> {
        let action = if passed { IssueAction::Verify } else { IssueAction::Reopen };
        step(ctx, id, action, Transition { unit_id: None, text: note }).await
    }

    /// Closes off a verified issue (销号). ADMIN.
    async fn close_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Close, Transition::default()).await
    }

    /// Sends a resolved, verified or closed issue back to its unit. ADMIN or INSPECTOR.
    async fn reopen_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "Why it is not solved.")] reason: String,
    ) -> async_graphql::Result<Issue> {
        step(ctx, id, IssueAction::Reopen, Transition { unit_id: None, text: Some(reason) }).await
    }

    /// Escalates every issue overdue beyond the office's limit to its project's linked leader now
    /// (the server also does this by itself every few minutes). Returns how many were escalated.
    /// ADMIN only.
    async fn escalate_overdue_issues(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        ctx.actor()?.require_role(&[entity::user::Role::Admin], "run escalation")?;
        let n = issues::escalate_overdue(&ctx.state()?.db, ctx.state()?.config.clock.today()).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Adds a comment to the timeline; a LEADER's comment is recorded as an instruction (批示).
    async fn comment_on_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "The comment, 1 to 5000 characters.")] text: String,
    ) -> async_graphql::Result<Issue> {
        let actor = ctx.actor()?;
        Ok(Issue(issues::comment(&ctx.state()?.db, &actor, id, text).await?))
    }
}
