//! Issues (问题): raising, the workflow from assignment to close-off, comments and the timeline.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use entity::issue::IssueSource;
use uuid::Uuid;

pub use inputs::{IssueFilter, RaiseIssueInput};
pub use objects::{InspectionFinding, Issue, IssueConnection, IssueEvent, UnitIssueStats, timeline_limit};

use super::account::Unit;
use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use super::scalars::Date;
use crate::service::issue::{self as issues, IssueAction, IssueFilter as Filter, Transition};
use crate::service::page::PageRequest;

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
        let filter = Filter::from(filter.unwrap_or_default());
        let today = state.config.clock.today();
        let count =
            deferred((state.db.clone(), actor.clone(), filter.clone()), move |(db, actor, filter)| async move {
                issues::count(&db, &actor, &filter, today).await
            });
        let fetch = |page: PageRequest| async move { issues::list(&state.db, &actor, &filter, &page, today).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: issues::cursor, node: Issue }).await?)
    }

    /// Per responsible unit: issues assigned, open, resolved and overdue, the close-off rate (办结率)
    /// and the median days to resolve; most issues first. Any signed-in user.
    async fn issue_stats(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<UnitIssueStats>> {
        ctx.caller()?;
        let stats = issues::unit_stats(&ctx.state()?.db, &ctx.state()?.config.clock).await?;
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
                    due_count: s.due,
                    closed_on_time: s.closed_on_time,
                    close_off_rate: crate::service::money::ratio_percent(s.closed_on_time, s.due)
                        .map(crate::graphql::scalars::Decimal),
                    resolved_share: crate::service::money::ratio_percent(s.resolved, s.assigned)
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
    let state = ctx.state()?;
    Ok(Issue(issues::transition(&state.db, &actor, id, action, t, state.config.clock.today()).await?))
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
        let new = input.into_new(IssueSource::Manual);
        Ok(Issue(issues::raise(&ctx.state()?.db, &actor, new).await?))
    }

    /// Gives the issue to a unit (交办), or to another one before it is signed for. ADMIN.
    async fn assign_issue(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "The unit to handle it.")] unit_id: Uuid,
        #[graphql(desc = "When it must be resolved (today or later); the issue keeps its deadline when omitted.")]
        due_date: Option<Date>,
    ) -> async_graphql::Result<Issue> {
        let t = Transition { unit_id: Some(unit_id), due_date: due_date.map(|d| d.0), ..Default::default() };
        step(ctx, id, IssueAction::Assign, t).await
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
        step(ctx, id, IssueAction::Return, Transition { text: Some(reason), ..Default::default() }).await
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
        step(ctx, id, IssueAction::Resolve, Transition { text: Some(resolution), ..Default::default() }).await
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
        step(ctx, id, action, Transition { text: note, ..Default::default() }).await
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
        step(ctx, id, IssueAction::Reopen, Transition { text: Some(reason), ..Default::default() }).await
    }

    /// Escalates every issue overdue beyond the office's limit to its project's linked leader now
    /// (the server also does this by itself every few minutes). Returns how many were escalated.
    /// ADMIN only.
    async fn escalate_overdue_issues(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        ctx.actor()?.require_role(&[entity::user::Role::Admin], "run escalation")?;
        let n = issues::escalate_overdue(&ctx.state()?.db, ctx.state()?.config.clock.today()).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Changes an issue's deadline, with the reason on its timeline. ADMIN only; not once the issue
    /// is resolved.
    async fn set_issue_due_date(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The issue.")] id: Uuid,
        #[graphql(desc = "The new deadline, today or later.")] due_date: Date,
        #[graphql(desc = "Why it changes, 1 to 5000 characters.")] reason: String,
    ) -> async_graphql::Result<Issue> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let today = state.config.clock.today();
        Ok(Issue(issues::set_due_date(&state.db, &actor, id, due_date.0, reason, today).await?))
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
