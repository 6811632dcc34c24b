//! Obstruction cases as the office, leaders, investigators and reporters read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::obstruction_case::{self, ObstructionStage, ObstructionStatus};
use entity::obstruction_step;
use uuid::Uuid;

use super::loaders::{CaseInvestigators, CaseSteps};
use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load, load_opt};
use crate::graphql::pagination::connection;
use crate::graphql::project::Project;
use crate::service::obstruction::{self, ObstructionAction};

/// An obstruction case (惩治查处): a person or unit reported as hindering a project's landing,
/// start or production. Seen by the office, leaders, its investigators and its reporter; never by
/// anyone acting for the accused unit.
pub struct ObstructionCase(pub obstruction_case::Model);

impl ObstructionCase {
    async fn investigator_ids(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Uuid>> {
        Ok(ctx.cached::<CaseInvestigators>()?.load_one(self.0.id).await?.unwrap_or_default())
    }
}

/// An obstruction case (惩治查处): a person or unit reported as hindering a project's landing,
/// start or production. Seen by the office, leaders, its investigators and its reporter; never by
/// anyone acting for the accused unit.
#[Object]
impl ObstructionCase {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The project hindered.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The stage hindered: landing (落户), start (开工) or production (投产).
    async fn stage(&self) -> ObstructionStage {
        self.0.stage
    }

    /// The unit accused, when one is named.
    async fn accused_unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.accused_unit_id, "unit").await?.map(Unit))
    }

    /// The accused person or unit in words, when named so.
    async fn accused(&self) -> Option<&str> {
        self.0.accused_text.as_deref()
    }

    /// What happened.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// The evidence offered.
    async fn evidence(&self) -> &str {
        &self.0.evidence
    }

    /// Where the case stands.
    async fn status(&self) -> ObstructionStatus {
        self.0.status
    }

    /// What the handling decided (from HANDLED).
    async fn outcome(&self) -> Option<&str> {
        self.0.outcome.as_deref()
    }

    /// Whether the accusation was upheld (from HANDLED).
    async fn upheld(&self) -> Option<bool> {
        self.0.upheld
    }

    /// What the reporter was told (ANSWERED).
    async fn feedback(&self) -> Option<&str> {
        self.0.feedback.as_deref()
    }

    /// Who reported it.
    async fn reported_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.reported_by, "user").await?))
    }

    /// When it was reported.
    async fn reported_at(&self) -> DateTime<Utc> {
        self.0.reported_at
    }

    /// The people recorded as investigating it (from ACCEPTED).
    async fn investigators(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<User>> {
        let ids = self.investigator_ids(ctx).await?;
        let found = ctx.loader::<entity::user::Entity>()?.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(User).collect())
    }

    /// Its steps, oldest first: who took each and the note.
    async fn steps(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ObstructionStep>> {
        let steps = ctx.cached::<CaseSteps>()?.load_one(self.0.id).await?.unwrap_or_default();
        Ok(steps.into_iter().map(ObstructionStep).collect())
    }

    /// The steps the caller may take now.
    async fn available_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<ObstructionAction>> {
        let investigators = self.investigator_ids(ctx).await?;
        Ok(obstruction::actions_for(ctx.caller()?, &self.0, &investigators))
    }
}

/// A step of an obstruction case.
pub struct ObstructionStep(pub obstruction_step::Model);

/// A step of an obstruction case.
#[Object]
impl ObstructionStep {
    /// The status the case reached.
    async fn status(&self) -> ObstructionStatus {
        self.0.status
    }

    /// The note given with it.
    async fn note(&self) -> Option<&str> {
        self.0.note.as_deref()
    }

    /// Who took it.
    async fn acted_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.acted_by, "user").await?))
    }

    /// When.
    async fn acted_at(&self) -> DateTime<Utc> {
        self.0.acted_at
    }
}

connection!(
    ObstructionCaseConnection,
    ObstructionCaseEdge,
    ObstructionCase,
    "Obstruction cases, one page.",
    "One obstruction case and its cursor."
);
