//! Cases, their measures and links as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::{self, LinkTarget};
use entity::case_measure;
use uuid::Uuid;

use super::loaders::{CaseIssues, CaseLinks, CaseMeasures, CaseUnits};
use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::issue::Issue;
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::graphql::scalars::Date;
use crate::service::case::{self as cases, CaseAction};

/// A coordination case: one tailored policy for a project (一项一策) or one matter taken to a
/// decision (一事一议).
pub struct Case(pub case::Model);

/// A coordination case: one tailored policy for a project (一项一策) or one matter taken to a
/// decision (一事一议).
#[Object]
impl Case {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Which tool the case is.
    async fn kind(&self) -> CaseKind {
        self.0.kind
    }

    /// The project; a 一事一议 matter may concern none in particular.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Project>> {
        Ok(load_opt::<entity::project::Entity>(ctx, self.0.project_id, "project").await?.map(Project::from))
    }

    /// Short title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The tailored policy (一项一策) or the matter put for discussion (一事一议).
    async fn policy(&self) -> &str {
        &self.0.policy
    }

    /// The unit that leads the work (牵头单位).
    async fn lead_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.lead_unit_id, "unit").await?))
    }

    /// Units taking part (配合单位), including every measure's owner; by name.
    async fn units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let ids = ctx.cached::<CaseUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let units = ctx.loader::<entity::unit::Entity>()?.load_many(ids).await?;
        let mut units: Vec<Unit> = units.into_values().map(Unit).collect();
        units.sort_by(|a, b| a.0.name.cmp(&b.0.name));
        Ok(units)
    }

    /// The measures, in order (at most 50).
    async fn measures(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseMeasure>> {
        let measures = ctx.cached::<CaseMeasures>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(measures.into_iter().map(CaseMeasure).collect())
    }

    /// Where the case stands.
    async fn status(&self) -> CaseStatus {
        self.0.status
    }

    /// What was decided (一事一议).
    async fn decision(&self) -> Option<&str> {
        self.0.decision.as_deref()
    }

    /// When it was decided.
    async fn decided_on(&self) -> Option<Date> {
        self.0.decided_on.map(Date)
    }

    /// The body or person that decided, e.g. 县政府常务会议.
    async fn decided_by(&self) -> Option<&str> {
        self.0.decided_by.as_deref()
    }

    /// The scheduling meeting where it was decided, when the caller may see it.
    async fn decided_at(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<crate::graphql::meeting::Meeting>> {
        let found = crate::graphql::meeting::loaders::visible_meeting(ctx, self.0.decided_at_meeting_id).await?;
        Ok(found.map(crate::graphql::meeting::Meeting))
    }

    /// Linked issues the caller may see, newest first (at most 200).
    async fn issues(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Issue>> {
        let scope = crate::service::issue::scope(ctx.caller()?);
        let issues = ctx.cached::<CaseIssues>()?.load_one((self.0.id, scope)).await?.unwrap_or_default();
        Ok(issues.into_iter().map(Issue).collect())
    }

    /// Every link, of every kind, oldest first; links to issues, inspections and photos the caller
    /// may not see are left out, as if they did not exist.
    async fn links(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseLink>> {
        let scope = crate::service::issue::scope(ctx.caller()?);
        let links = ctx.cached::<CaseLinks>()?.load_one((self.0.id, scope)).await?.unwrap_or_default();
        Ok(links.into_iter().map(CaseLink).collect())
    }

    /// What the caller may do with the case now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CaseAction>> {
        Ok(cases::actions_for(ctx.caller()?, &self.0))
    }

    /// Who opened it.
    async fn opened_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.opened_by, "user").await?))
    }

    /// When it was opened (UTC).
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

/// One measure of a case (措施).
pub struct CaseMeasure(pub case_measure::Model);

/// One measure of a case (措施).
#[Object]
impl CaseMeasure {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// What is to be done.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The unit that does it.
    async fn owner_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.owner_unit_id, "unit").await?))
    }

    /// By when.
    async fn deadline(&self) -> Option<Date> {
        self.0.deadline.map(Date)
    }

    /// When it was done.
    async fn done_on(&self) -> Option<Date> {
        self.0.done_on.map(Date)
    }

    /// Past its deadline and not done.
    async fn overdue(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let today = ctx.state()?.config.clock.today();
        Ok(self.0.done_on.is_none() && self.0.deadline.is_some_and(|d| d < today))
    }
}

/// A record linked to a case.
pub struct CaseLink(pub case_link::Model);

/// A record linked to a case.
#[Object]
impl CaseLink {
    /// The kind of record.
    async fn target_type(&self) -> LinkTarget {
        self.0.target_type
    }

    /// The record's id.
    async fn target_id(&self) -> Uuid {
        self.0.target_id
    }

    /// Who linked it.
    async fn linked_by(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.linked_by, "user").await?.map(User))
    }

    /// When (UTC).
    async fn linked_at(&self) -> DateTime<Utc> {
        self.0.linked_at
    }
}

connection!(CaseConnection, CaseEdge, Case, "A page of cases, newest first.", "A case and its cursor.");
