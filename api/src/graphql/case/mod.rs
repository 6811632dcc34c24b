//! Coordination cases (协调事项): 一项一策 and 一事一议, their measures, decisions and linked records.

use async_graphql::{Context, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::{self, LinkTarget};
use entity::case_measure;
use uuid::Uuid;

use super::account::{Unit, User};
use super::context::{ContextExt, load};
use super::issue::Issue;
use super::loaders::{CaseIssues, CaseLinks, CaseMeasures, CaseUnits};
use super::pagination::{TotalCount, connection, edges};
use super::project::Project;
use super::scalars::Date;
use crate::service::case::{self as cases, CaseAction, CaseFilter as Filter, Decision, NewCase, NewMeasure, Targets};

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
        match self.0.project_id {
            Some(id) => Ok(Some(Project(load::<entity::project::Entity>(ctx, id, "project").await?))),
            None => Ok(None),
        }
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
        match self.0.linked_by {
            Some(id) => Ok(Some(User(load::<entity::user::Entity>(ctx, id, "user").await?))),
            None => Ok(None),
        }
    }

    /// When (UTC).
    async fn linked_at(&self) -> DateTime<Utc> {
        self.0.linked_at
    }
}

connection!(CaseConnection, CaseEdge, Case, "A page of cases, newest first.", "A case and its cursor.");

/// A measure to take.
#[derive(InputObject)]
pub struct CaseMeasureInput {
    /// What is to be done, 1 to 1000 characters.
    pub description: String,
    /// The unit that does it; it joins the case's participating units.
    pub owner_unit_id: Uuid,
    /// By when.
    pub deadline: Option<Date>,
}

impl From<CaseMeasureInput> for NewMeasure {
    fn from(m: CaseMeasureInput) -> Self {
        Self { description: m.description, owner_unit_id: m.owner_unit_id, deadline: m.deadline.map(|d| d.0) }
    }
}

/// A new coordination case.
#[derive(InputObject)]
pub struct OpenCaseInput {
    /// Which tool.
    pub kind: CaseKind,
    /// The project; required for ONE_PROJECT_ONE_POLICY.
    pub project_id: Option<Uuid>,
    /// Short title, 2 to 200 characters.
    pub title: String,
    /// The tailored policy, or the matter put for discussion; 1 to 10000 characters.
    pub policy: String,
    /// The unit that leads the work.
    pub lead_unit_id: Uuid,
    /// Units taking part (measure owners are added by themselves); at most 30.
    pub unit_ids: Option<Vec<Uuid>>,
    /// Measures, in order; at most 50.
    pub measures: Option<Vec<CaseMeasureInput>>,
    /// What was decided, when the matter comes already decided (ONE_MATTER_ONE_DISCUSSION only;
    /// `decidedOn` and `decidedBy` then too).
    pub decision: Option<String>,
    /// When it was decided.
    pub decided_on: Option<Date>,
    /// Who decided, e.g. 县政府常务会议.
    pub decided_by: Option<String>,
}

/// Narrows `cases`; every field set must match.
#[derive(InputObject, Default)]
pub struct CaseFilter {
    /// Only cases of this project.
    pub project_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<CaseKind>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only cases this unit leads or takes part in.
    pub unit_id: Option<Uuid>,
    /// Part of the title (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

fn decision(
    text: Option<String>,
    on: Option<Date>,
    by: Option<String>,
) -> async_graphql::Result<Option<Decision>, crate::error::AppError> {
    match (text, on, by) {
        (None, None, None) => Ok(None),
        (Some(text), Some(on), Some(by)) => Ok(Some(Decision { text, decided_on: on.0, decided_by: by })),
        _ => Err(crate::error::AppError::bad_input("decision", "give the decision, decidedOn and decidedBy together")),
    }
}

fn targets(issue_ids: Option<Vec<Uuid>>, inspection_ids: Option<Vec<Uuid>>, photo_ids: Option<Vec<Uuid>>) -> Targets {
    Targets {
        issues: issue_ids.unwrap_or_default(),
        inspections: inspection_ids.unwrap_or_default(),
        photos: photo_ids.unwrap_or_default(),
    }
}

#[derive(Default)]
pub struct CaseQuery;

#[Object]
impl CaseQuery {
    /// One case. A case the caller may not see is `NOT_FOUND`, exactly as if it did not exist.
    async fn case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case's id.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        Ok(Case(cases::find_for(&ctx.state()?.db, &actor, id).await?))
    }

    /// Cases the caller can see, newest first. DEPARTMENT users see the cases their unit leads or
    /// takes part in and those of projects their unit is responsible for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn cases(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<CaseFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<CaseConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let page = ctx.page(first, after)?;
        let f = filter.unwrap_or_default();
        let filter =
            Filter { project_id: f.project_id, kind: f.kind, status: f.status, unit_id: f.unit_id, search: f.search };
        let rows = cases::list(&state.db, &actor, &filter, &page).await?;
        let db = state.db.clone();
        let total = TotalCount::new(move || {
            let (db, actor, filter) = (db.clone(), actor.clone(), filter.clone());
            async move { cases::count(&db, &actor, &filter).await }
        });
        Ok(CaseConnection::new(edges(rows, &page, cases::cursor, Case), total))
    }
}

#[derive(Default)]
pub struct CaseMutation;

async fn step(ctx: &Context<'_>, id: Uuid, action: CaseAction) -> async_graphql::Result<Case> {
    let actor = ctx.actor()?;
    Ok(Case(cases::transition(&ctx.state()?.db, &actor, id, action).await?))
}

#[Object]
impl CaseMutation {
    /// Opens a coordination case. The project office (ADMIN). A project has at most one open
    /// ONE_PROJECT_ONE_POLICY case; a second is `CONFLICT`.
    async fn open_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] input: OpenCaseInput,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let new = NewCase {
            kind: input.kind,
            project_id: input.project_id,
            title: input.title,
            policy: input.policy,
            lead_unit_id: input.lead_unit_id,
            unit_ids: input.unit_ids.unwrap_or_default(),
            measures: input.measures.unwrap_or_default().into_iter().map(NewMeasure::from).collect(),
            decision: decision(input.decision, input.decided_on, input.decided_by)?,
        };
        let state = ctx.state()?;
        Ok(Case(cases::open(&state.db, &actor, new, state.config.clock.today()).await?))
    }

    /// Links issues, inspections and photos to a case; linking what is already linked changes
    /// nothing. The office, an inspector, or the lead unit; never on a closed case.
    async fn link_to_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "Issues to link.")] issue_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Inspections to link.")] inspection_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Photos to link.")] photo_ids: Option<Vec<Uuid>>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let t = targets(issue_ids, inspection_ids, photo_ids);
        Ok(Case(cases::link(&ctx.state()?.db, &actor, case_id, t).await?))
    }

    /// Removes links from a case; who may link may unlink.
    async fn unlink_from_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "Issues to unlink.")] issue_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Inspections to unlink.")] inspection_ids: Option<Vec<Uuid>>,
        #[graphql(desc = "Photos to unlink.")] photo_ids: Option<Vec<Uuid>>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let t = targets(issue_ids, inspection_ids, photo_ids);
        Ok(Case(cases::unlink(&ctx.state()?.db, &actor, case_id, t).await?))
    }

    /// Adds measures to a case. The office or the lead unit.
    async fn add_case_measures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] case_id: Uuid,
        #[graphql(desc = "The measures, appended in order.")] measures: Vec<CaseMeasureInput>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let measures = measures.into_iter().map(NewMeasure::from).collect();
        Ok(Case(cases::add_measures(&ctx.state()?.db, &actor, case_id, measures).await?))
    }

    /// Records a measure as done, or (with `doneOn: null`) as not done after all. The office, the
    /// lead unit, or the measure's owner.
    async fn complete_case_measure(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The measure.")] measure_id: Uuid,
        #[graphql(desc = "When it was done; null to undo.")] done_on: Option<Date>,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let today = state.config.clock.today();
        Ok(Case(cases::complete_measure(&state.db, &actor, measure_id, done_on.map(|d| d.0), today).await?))
    }

    /// Records the decision on a 一事一议 matter (replacing an earlier one). The office or a leader.
    async fn decide_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
        #[graphql(desc = "What was decided, 1 to 5000 characters.")] decision: String,
        #[graphql(desc = "When.")] decided_on: Date,
        #[graphql(desc = "Who decided, e.g. 县政府常务会议.")] decided_by: String,
    ) -> async_graphql::Result<Case> {
        let actor = ctx.actor()?;
        let d = Decision { text: decision, decided_on: decided_on.0, decided_by };
        let state = ctx.state()?;
        Ok(Case(cases::decide(&state.db, &actor, id, d, state.config.clock.today()).await?))
    }

    /// Starts work on an open case. The office or the lead unit.
    async fn start_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Start).await
    }

    /// Reports the case solved: every measure done and, for a matter, the decision recorded (else
    /// `CONFLICT` naming what is missing). The office or the lead unit.
    async fn resolve_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Resolve).await
    }

    /// Sends a resolved case back to work. The office.
    async fn reopen_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Reopen).await
    }

    /// Closes the case off. While any linked issue is not CLOSED this is `CONFLICT` naming those
    /// issues. The office.
    async fn close_case(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The case.")] id: Uuid,
    ) -> async_graphql::Result<Case> {
        step(ctx, id, CaseAction::Close).await
    }
}
