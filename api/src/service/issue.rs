//! Issues (问题) and their workflow. Who may see an issue is decided by [`visible_to`] /
//! [`visibility`]; who may move it, by [`authorize`]. Both live here and nowhere else.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate, Utc};
use entity::issue::{self, IssueKind, IssueSource, IssueStatus, Severity};
use entity::issue_event::{self, IssueEventKind};
use entity::user::Role;
use entity::{issue_counter, issue_unit, project, unit};
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use serde_json::json;
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::page::{Page, PageRequest};
use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// A step of the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum IssueAction {
    /// Give the issue to a unit (交办); the project office.
    Assign,
    /// Sign for it (签收); the assigned unit.
    Accept,
    /// Send it back as not the unit's (退回); the assigned unit.
    Return,
    /// Start work; the assigned unit.
    Start,
    /// Report it done (办结); the assigned unit.
    Resolve,
    /// Check the resolution (核实); the office or an inspector.
    Verify,
    /// Send it back to the unit as not done; the office or an inspector.
    Reopen,
    /// Close it off (销号); the office.
    Close,
}

const ALL_ACTIONS: [IssueAction; 8] = [
    IssueAction::Assign,
    IssueAction::Accept,
    IssueAction::Return,
    IssueAction::Start,
    IssueAction::Resolve,
    IssueAction::Verify,
    IssueAction::Reopen,
    IssueAction::Close,
];

/// The workflow: where `action` takes an issue in `status`, if it may be taken there at all.
/// `Verify` here is a passed check; a failed one is `Reopen`.
pub fn next_status(status: IssueStatus, action: IssueAction) -> Option<IssueStatus> {
    use IssueAction as A;
    use IssueStatus as S;
    match (status, action) {
        (S::Open | S::Assigned, A::Assign) => Some(S::Assigned),
        (S::Assigned, A::Accept) => Some(S::Accepted),
        (S::Assigned | S::Accepted, A::Return) => Some(S::Open),
        (S::Accepted, A::Start) => Some(S::InProgress),
        (S::Accepted | S::InProgress, A::Resolve) => Some(S::Resolved),
        (S::Resolved, A::Verify) => Some(S::Verified),
        (S::Resolved | S::Verified | S::Closed, A::Reopen) => Some(S::InProgress),
        (S::Verified, A::Close) => Some(S::Closed),
        _ => None,
    }
}

/// Actions the workflow allows from `status`, whoever the caller is.
pub fn allowed_from(status: IssueStatus) -> Vec<IssueAction> {
    ALL_ACTIONS.into_iter().filter(|a| next_status(status, *a).is_some()).collect()
}

/// Whether `caller` may take `action` on `issue` (workflow aside).
fn permits(caller: &Caller, issue: &issue::Model, action: IssueAction) -> bool {
    use IssueAction as A;
    let own_unit = issue.assigned_unit_id == Some(caller.unit_id());
    match caller.role() {
        Role::Admin => true,
        Role::Department => matches!(action, A::Accept | A::Return | A::Start | A::Resolve) && own_unit,
        Role::Inspector => matches!(action, A::Verify | A::Reopen),
        Role::Leader | Role::Integration => false,
    }
}

/// Actions `caller` may take on `issue` now.
pub fn actions_for(caller: &Caller, issue: &issue::Model) -> Vec<IssueAction> {
    allowed_from(issue.status).into_iter().filter(|a| permits(caller, issue, *a)).collect()
}

fn authorize(actor: &Actor, issue: &issue::Model, action: IssueAction) -> AppResult<IssueStatus> {
    let next = next_status(issue.status, action).ok_or_else(|| {
        let allowed: Vec<String> = allowed_from(issue.status).iter().map(|a| format!("{a:?}").to_uppercase()).collect();
        AppError::BadUserInput {
            field: None,
            message: format!(
                "cannot {} an issue that is {:?}; allowed from here: {}",
                format!("{action:?}").to_lowercase(),
                issue.status,
                if allowed.is_empty() { "nothing".to_owned() } else { allowed.join(", ") }
            ),
        }
    })?;
    if let Ok(caller) = actor.caller()
        && !permits(caller, issue, action)
    {
        return Err(AppError::Forbidden(format!(
            "your role or unit may not {} this issue",
            format!("{action:?}").to_lowercase()
        )));
    }
    Ok(next)
}

/// Whose issues a caller sees: `Some(unit)` for a DEPARTMENT user, `None` (all) for every other role.
pub fn scope(caller: &Caller) -> Option<Uuid> {
    (caller.role() == Role::Department).then(|| caller.unit_id())
}

/// The visibility rule as a query condition: DEPARTMENT users see issues assigned or co-assigned to
/// their unit and issues of projects their unit is responsible for; every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    scoped_visibility(scope(caller))
}

/// [`visibility`] for a [`scope`], for loaders that are keyed by it.
pub fn scoped_visibility(scope: Option<Uuid>) -> Condition {
    let Some(unit) = scope else {
        return Condition::all();
    };
    let co = Query::select()
        .column(issue_unit::Column::IssueId)
        .from(issue_unit::Entity)
        .and_where(issue_unit::Column::UnitId.eq(unit))
        .to_owned();
    let owned = Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ResponsibleUnitId.eq(unit))
        .to_owned();
    Condition::any()
        .add(issue::Column::AssignedUnitId.eq(unit))
        .add(issue::Column::Id.in_subquery(co))
        .add(issue::Column::ProjectId.in_subquery(owned))
}

/// One issue as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<issue::Model> {
    super::find_visible::<issue::Entity>(db, actor, id, visibility, "issue").await
}

/// What [`raise`] needs.
#[derive(Debug, Clone)]
pub struct NewIssue {
    pub id: Option<Uuid>,
    pub project_id: Uuid,
    pub kind: IssueKind,
    pub title: String,
    pub description: String,
    pub severity: Severity,
    pub source: IssueSource,
    pub assigned_unit_id: Option<Uuid>,
    pub co_unit_ids: Vec<Uuid>,
    pub due_date: Option<NaiveDate>,
}

/// Raises an issue. A client may supply the id: replaying the same create returns the stored issue,
/// a different create under the same id is `CONFLICT` and changes nothing.
pub async fn raise<C>(db: &C, actor: &Actor, input: NewIssue) -> AppResult<issue::Model>
where
    C: ConnectionTrait + sea_orm::TransactionTrait,
{
    let caller = actor.caller()?.clone();
    let project = super::project::find(db, input.project_id).await?;
    let may_raise = match caller.role() {
        Role::Admin | Role::Inspector | Role::Leader => true,
        Role::Department => caller.unit_id() == project.responsible_unit_id,
        Role::Integration => false,
    };
    if !may_raise {
        return Err(AppError::Forbidden("your role or unit may not raise issues on this project".into()));
    }
    let title = super::text::required("title", &input.title, 2, 200)?;
    let description = super::text::optional("description", Some(&input.description), 5000)?.unwrap_or_default();
    let co_units: BTreeSet<Uuid> = input.co_unit_ids.iter().copied().collect();
    if co_units.len() > 20 {
        return Err(AppError::bad_input("coUnitIds", "at most 20 co-operating units"));
    }
    let mut referenced: BTreeSet<Uuid> = co_units.clone();
    referenced.extend(input.assigned_unit_id);
    if unit::Entity::find().filter(unit::Column::Id.is_in(referenced.iter().copied())).count(db).await? as usize
        != referenced.len()
    {
        return Err(AppError::bad_input("assignedUnitId", "some unit ids match no unit"));
    }
    if input.assigned_unit_id.is_some() && caller.role() != Role::Admin {
        return Err(AppError::Forbidden("only the project office assigns issues".into()));
    }
    let payload = json!({
        "project_id": input.project_id, "kind": input.kind, "title": title, "description": description,
        "severity": input.severity, "source": input.source, "assigned_unit_id": input.assigned_unit_id,
        "co_unit_ids": co_units, "due_date": input.due_date, "reporter_id": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(existing) = issue::Entity::find_by_id(id).one(db).await? {
        return if existing.create_payload == payload {
            Ok(existing)
        } else {
            Err(AppError::Conflict("an issue with this id already exists with different content".into()))
        };
    }
    let now = Utc::now();
    let txn = crate::db::begin_write(db).await?;
    let number = next_number(&txn, now.year()).await?;
    let status = if input.assigned_unit_id.is_some() { IssueStatus::Assigned } else { IssueStatus::Open };
    let model = issue::Model {
        id,
        number,
        project_id: input.project_id,
        kind: input.kind,
        title,
        description,
        severity: input.severity,
        source: input.source,
        status,
        reporter_id: caller.id(),
        assigned_unit_id: input.assigned_unit_id,
        due_date: input.due_date,
        resolution: None,
        create_payload: payload,
        escalated_at: None,
        escalated_to: None,
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    match issue::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            // The same id raced in from a retry: answer as a replay would.
            drop(txn);
            let existing = issue::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or(AppError::Conflict("issue number taken; retry".into()))?;
            return if existing.create_payload == model.create_payload {
                Ok(existing)
            } else {
                Err(AppError::Conflict("an issue with this id already exists with different content".into()))
            };
        }
        Err(e) => return Err(e.into()),
    }
    if !co_units.is_empty() {
        issue_unit::Entity::insert_many(
            co_units.iter().map(|u| issue_unit::ActiveModel { issue_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    event(&txn, id, IssueEventKind::Raised, Some(caller.id()), None, None).await?;
    if let Some(unit) = input.assigned_unit_id {
        event(&txn, id, IssueEventKind::Assigned, Some(caller.id()), None, Some(unit)).await?;
    }
    let changes = audit::diff(None, Some(&model))?;
    audit::record(
        &txn,
        actor,
        Change { action: "issue.raise", entity_type: "issue", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// Hands out `YYYY-NNNN` numbers; the update takes the row lock first on PostgreSQL.
async fn next_number(db: &impl ConnectionTrait, year: i32) -> AppResult<String> {
    let bumped = issue_counter::Entity::update_many()
        .col_expr(issue_counter::Column::Last, Expr::col(issue_counter::Column::Last).add(1))
        .filter(issue_counter::Column::Year.eq(year))
        .exec(db)
        .await?;
    let last = if bumped.rows_affected == 0 {
        issue_counter::Entity::insert(issue_counter::ActiveModel { year: Set(year), last: Set(1) })
            .exec_without_returning(db)
            .await?;
        1
    } else {
        issue_counter::Entity::find_by_id(year).one(db).await?.map_or(1, |c| c.last)
    };
    Ok(format!("{year}-{last:04}"))
}

async fn event(
    db: &impl ConnectionTrait,
    issue_id: Uuid,
    kind: IssueEventKind,
    actor_id: Option<Uuid>,
    text: Option<String>,
    unit_id: Option<Uuid>,
) -> AppResult<()> {
    issue_event::Entity::insert(issue_event::ActiveModel {
        issue_id: Set(issue_id),
        kind: Set(kind),
        actor_id: Set(actor_id),
        text: Set(text),
        unit_id: Set(unit_id),
        at: Set(Utc::now()),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// What a transition carries besides the action.
#[derive(Debug, Clone, Default)]
pub struct Transition {
    pub unit_id: Option<Uuid>,
    pub text: Option<String>,
}

/// Moves an issue one step. The caller must be able to see it (else `NOT_FOUND`), the workflow must
/// allow the step from here (else `BAD_USER_INPUT` listing what is allowed), and the caller's role
/// and unit must allow it (else `FORBIDDEN`).
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: IssueAction,
    t: Transition,
) -> AppResult<issue::Model> {
    let text = super::text::optional("text", t.text.as_deref(), 5000)?;
    let needs_text = matches!(action, IssueAction::Return | IssueAction::Resolve | IssueAction::Reopen);
    if needs_text && text.is_none() {
        let field = if action == IssueAction::Resolve { "resolution" } else { "reason" };
        return Err(AppError::bad_input(field, "say why (1 to 5000 characters)"));
    }
    if text.as_ref().is_some_and(|s| s.chars().count() > 5000) {
        return Err(AppError::bad_input("text", "at most 5000 characters"));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = find_for(&txn, actor, id).await?;
    let next = authorize(actor, &before, action)?;
    let mut after = before.clone();
    after.status = next;
    after.updated_at = Utc::now();
    let kind = match action {
        IssueAction::Assign => {
            let unit_id = t.unit_id.ok_or_else(|| AppError::bad_input("unitId", "say which unit"))?;
            if unit::Entity::find_by_id(unit_id).one(&txn).await?.is_none() {
                return Err(AppError::bad_input("unitId", "no unit has this id"));
            }
            after.assigned_unit_id = Some(unit_id);
            IssueEventKind::Assigned
        }
        IssueAction::Accept => IssueEventKind::Accepted,
        IssueAction::Return => {
            after.assigned_unit_id = None;
            IssueEventKind::Returned
        }
        IssueAction::Start => IssueEventKind::Started,
        IssueAction::Resolve => {
            after.resolution = text.clone();
            IssueEventKind::Resolved
        }
        IssueAction::Verify => IssueEventKind::Verified,
        IssueAction::Reopen => {
            after.closed_at = None;
            IssueEventKind::Reopened
        }
        IssueAction::Close => {
            after.closed_at = Some(after.updated_at);
            IssueEventKind::Closed
        }
    };
    let event_unit = match action {
        IssueAction::Assign => after.assigned_unit_id,
        IssueAction::Return => before.assigned_unit_id,
        _ => None,
    };
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(id);
    active.update(&txn).await?;
    event(&txn, id, kind, actor.user_id(), text, event_unit).await?;
    let mut changes = audit::diff(Some(&before), Some(&after))?;
    if let Some(o) = changes.as_object_mut() {
        o.remove("updated_at");
    }
    let action_name = format!("issue.{}", format!("{action:?}").to_lowercase());
    audit::record(
        &txn,
        actor,
        Change { action: &action_name, entity_type: "issue", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Adds a comment (or, from a LEADER, an instruction 批示) to an issue the caller can see.
/// INTEGRATION credentials only read.
pub async fn comment(db: &DatabaseConnection, actor: &Actor, id: Uuid, text: String) -> AppResult<issue::Model> {
    let caller = actor.caller()?;
    if caller.role() == Role::Integration {
        return Err(AppError::Forbidden("integrations only read".into()));
    }
    let text = super::text::required("text", &text, 1, 5000)?;
    let txn = crate::db::begin_write(db).await?;
    let issue = find_for(&txn, actor, id).await?;
    let kind = if caller.role() == Role::Leader { IssueEventKind::Instruction } else { IssueEventKind::Comment };
    event(&txn, id, kind, Some(caller.id()), Some(text.clone()), None).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "issue.comment",
            entity_type: "issue",
            entity_id: id.to_string(),
            changes: json!({ "comment": { "after": text } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(issue)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub project_id: Option<Uuid>,
    pub kind: Option<IssueKind>,
    pub status: Option<IssueStatus>,
    pub assigned_unit_id: Option<Uuid>,
    pub overdue: Option<bool>,
    pub escalation: Option<Escalation>,
    /// Only issues escalated to this leader.
    pub escalated_to: Option<Uuid>,
    /// Only issues linked to this coordination case.
    pub case_id: Option<Uuid>,
    pub search: Option<String>,
}

const FINISHED: [IssueStatus; 3] = [IssueStatus::Resolved, IssueStatus::Verified, IssueStatus::Closed];

/// Whether an issue is past its due date and not yet resolved.
pub fn is_overdue(issue: &issue::Model, today: NaiveDate) -> bool {
    issue.due_date.is_some_and(|d| d < today) && !FINISHED.contains(&issue.status)
}

fn matching(
    caller: &Caller,
    f: &IssueFilter,
    rules: Option<&entity::office_setting::Model>,
    today: NaiveDate,
) -> Select<issue::Entity> {
    use issue::Column as C;
    let mut q = issue::Entity::find().filter(visibility(caller));
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = f.assigned_unit_id {
        q = q.filter(C::AssignedUnitId.eq(v));
    }
    if let Some(overdue) = f.overdue {
        let cond = Condition::all().add(C::DueDate.lt(today)).add(C::Status.is_not_in(FINISHED));
        q = q.filter(if overdue { cond } else { cond.not() });
    }
    if let (Some(level), Some(rules)) = (f.escalation, rules) {
        q = q.filter(escalation_condition(level, today, rules));
    }
    if let Some(leader) = f.escalated_to {
        q = q.filter(C::EscalatedTo.eq(leader));
    }
    if let Some(case) = f.case_id {
        q = q.filter(C::Id.in_subquery(linked_to_case(case)));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any().add(super::text::contains(C::Title, text)).add(super::text::contains(C::Number, text)),
        );
    }
    q
}

/// Issues the caller can see, newest first.
/// Issues the caller may see, newest first; `today` is the county's (for overdue and escalation).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &IssueFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<Page<issue::Model>> {
    use issue::Column as C;
    let caller = actor.caller()?;
    let rules = match f.escalation {
        Some(_) => Some(super::settings::rules(db).await?),
        None => None,
    };
    let q = matching(caller, f, rules.as_ref(), today);
    let rows = super::page::newest_first(q, C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(issue: &issue::Model) -> String {
    super::page::time_id_key(issue.created_at, issue.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &IssueFilter, today: NaiveDate) -> AppResult<u64> {
    let rules = match f.escalation {
        Some(_) => Some(super::settings::rules(db).await?),
        None => None,
    };
    Ok(matching(actor.caller()?, f, rules.as_ref(), today).count(db).await?)
}

/// How urgent an issue's deadline has become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Escalation {
    /// Not due soon, no due date, or already resolved.
    None,
    /// Due within the office's "due soon" days (临期).
    Yellow,
    /// Overdue (逾期).
    Red,
    /// Overdue beyond the office's limit: escalated to the project's linked leader (提级督办).
    Leader,
}

/// The escalation level of `issue` on `today` under `rules`.
pub fn escalation(issue: &issue::Model, today: NaiveDate, rules: &entity::office_setting::Model) -> Escalation {
    if FINISHED.contains(&issue.status) {
        return Escalation::None;
    }
    match issue.due_date {
        Some(due) if (today - due).num_days() > i64::from(rules.issue_leader_after_days) => Escalation::Leader,
        Some(due) if today > due => Escalation::Red,
        Some(due) if (due - today).num_days() <= i64::from(rules.issue_due_soon_days) => Escalation::Yellow,
        _ => Escalation::None,
    }
}

fn escalation_condition(level: Escalation, today: NaiveDate, rules: &entity::office_setting::Model) -> Condition {
    use issue::Column as C;
    let open = C::Status.is_not_in(FINISHED);
    let leader_cutoff = today - chrono::Duration::days(i64::from(rules.issue_leader_after_days));
    let soon = today + chrono::Duration::days(i64::from(rules.issue_due_soon_days));
    match level {
        Escalation::Leader => Condition::all().add(open).add(C::DueDate.lt(leader_cutoff)),
        Escalation::Red => Condition::all().add(open).add(C::DueDate.lt(today)).add(C::DueDate.gte(leader_cutoff)),
        Escalation::Yellow => Condition::all().add(open).add(C::DueDate.gte(today)).add(C::DueDate.lte(soon)),
        Escalation::None => {
            Condition::any().add(C::Status.is_in(FINISHED)).add(C::DueDate.is_null()).add(C::DueDate.gt(soon))
        }
    }
}

/// Escalates every issue overdue beyond the office's limit to its project's linked leader, once:
/// sets `escalated_to` and writes an ESCALATED timeline entry. Safe to run from several instances
/// at once: the conditional update lets exactly one of them record each escalation.
pub async fn escalate_overdue(db: &DatabaseConnection, today: NaiveDate) -> AppResult<usize> {
    use issue::Column as C;
    let rules = super::settings::rules(db).await?;
    let cutoff = today - chrono::Duration::days(i64::from(rules.issue_leader_after_days));
    let due: Vec<issue::Model> = issue::Entity::find()
        .filter(C::EscalatedAt.is_null())
        .filter(C::DueDate.lt(cutoff))
        .filter(C::Status.is_not_in(FINISHED))
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let project_ids: BTreeSet<Uuid> = due.iter().map(|i| i.project_id).collect();
    let leaders: HashMap<Uuid, Uuid> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::LeaderId)
        .filter(project::Column::Id.is_in(project_ids))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut escalated = 0;
    for issue in due {
        let Some(leader) = leaders.get(&issue.project_id).copied() else { continue };
        let now = Utc::now();
        let txn = crate::db::begin_write(db).await?;
        let won = issue::Entity::update_many()
            .col_expr(C::EscalatedAt, Expr::value(now))
            .col_expr(C::EscalatedTo, Expr::value(leader))
            .filter(C::Id.eq(issue.id))
            .filter(C::EscalatedAt.is_null())
            .exec(&txn)
            .await?;
        if won.rows_affected == 1 {
            let days = issue.due_date.map_or(0, |d| (today - d).num_days());
            event(
                &txn,
                issue.id,
                IssueEventKind::Escalated,
                None,
                Some(format!("逾期{days}天，提级至联系领导督办")),
                None,
            )
            .await?;
            let changes = json!({ "escalated_to": { "before": null, "after": leader } });
            audit::record(
                &txn,
                &Actor::System,
                Change { action: "issue.escalate", entity_type: "issue", entity_id: issue.id.to_string(), changes },
            )
            .await?;
            escalated += 1;
        }
        txn.commit().await?;
    }
    Ok(escalated)
}

/// One unit's record with the issues assigned to it.
#[derive(Debug, Clone, Default)]
pub struct UnitIssueStats {
    pub unit_id: Uuid,
    pub assigned: i64,
    pub open: i64,
    /// Resolved, verified or closed.
    pub resolved: i64,
    pub overdue: i64,
    /// Median days from raising to the unit's resolution.
    pub median_days_to_resolve: Option<f64>,
}

/// (issue, assigned unit, status, due date, raised at), for [`unit_stats`].
type StatsRow = (Uuid, Option<Uuid>, IssueStatus, Option<NaiveDate>, chrono::DateTime<Utc>);

/// Per unit: issues assigned, still open, resolved (办结) and overdue, and the median days to resolve.
/// Units with no assigned issue are left out.
pub async fn unit_stats(db: &DatabaseConnection, today: NaiveDate) -> AppResult<Vec<UnitIssueStats>> {
    use issue::Column as C;
    let rows: Vec<StatsRow> = issue::Entity::find()
        .select_only()
        .column(C::Id)
        .column(C::AssignedUnitId)
        .column(C::Status)
        .column(C::DueDate)
        .column(C::CreatedAt)
        .filter(C::AssignedUnitId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let resolved_at: HashMap<Uuid, chrono::DateTime<Utc>> = issue_event::Entity::find()
        .select_only()
        .column(issue_event::Column::IssueId)
        .column(issue_event::Column::At)
        .filter(issue_event::Column::Kind.eq(IssueEventKind::Resolved))
        .order_by_asc(issue_event::Column::Id)
        .into_tuple::<(Uuid, chrono::DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .rev()
        .collect();
    let mut by_unit: HashMap<Uuid, (UnitIssueStats, Vec<f64>)> = HashMap::new();
    for (id, unit, status, due, created) in rows {
        let Some(unit) = unit else { continue };
        let (s, days) =
            by_unit.entry(unit).or_insert_with(|| (UnitIssueStats { unit_id: unit, ..Default::default() }, Vec::new()));
        s.assigned += 1;
        if FINISHED.contains(&status) {
            s.resolved += 1;
            if let Some(at) = resolved_at.get(&id) {
                days.push((*at - created).num_seconds() as f64 / 86_400.0);
            }
        } else {
            s.open += 1;
            if due.is_some_and(|d| d < today) {
                s.overdue += 1;
            }
        }
    }
    let mut out: Vec<UnitIssueStats> = by_unit
        .into_values()
        .map(|(mut s, mut days)| {
            days.sort_by(f64::total_cmp);
            s.median_days_to_resolve = match days.len() {
                0 => None,
                n if n % 2 == 1 => Some(days[n / 2]),
                n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
            };
            s
        })
        .collect();
    out.sort_by(|a, b| b.assigned.cmp(&a.assigned).then(a.unit_id.cmp(&b.unit_id)));
    Ok(out)
}

/// Co-operating units of many issues.
pub async fn co_units(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = issue_unit::Entity::find()
        .select_only()
        .column(issue_unit::Column::IssueId)
        .column(issue_unit::Column::UnitId)
        .filter(issue_unit::Column::IssueId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(super::grouped(rows))
}

/// The newest `limit` timeline entries of many issues, oldest first: one window query, however
/// long the timelines.
pub async fn recent_events(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    limit: u32,
) -> AppResult<HashMap<Uuid, Vec<issue_event::Model>>> {
    use issue_event::Column as C;
    use sea_orm::sea_query::{Alias, Asterisk, Func, Order, WindowStatement};
    if ids.is_empty() || limit == 0 {
        return Ok(HashMap::new());
    }
    let mut inner = Query::select();
    inner
        .column(Asterisk)
        .from(issue_event::Entity)
        .expr_window_as(
            Func::cust(Alias::new("ROW_NUMBER")),
            WindowStatement::partition_by(C::IssueId).order_by(C::Id, Order::Desc).to_owned(),
            Alias::new("rn"),
        )
        .and_where(C::IssueId.is_in(ids.iter().copied()));
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("recent"))
        .and_where(Expr::col(Alias::new("rn")).lte(limit))
        .order_by(C::Id, Order::Asc)
        .to_owned();
    let rows = issue_event::Entity::find().from_raw_sql(db.get_database_backend().build(&outer)).all(db).await?;
    Ok(super::grouped(rows.into_iter().map(|e| (e.issue_id, e))))
}

/// Ids of the issues linked to `case_id`, as a subquery for issue filters. Read from the links table
/// here, so that issues need nothing of the case service (which needs issues).
fn linked_to_case(case_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    use entity::case_link::{self, LinkTarget};
    Query::select()
        .column(case_link::Column::TargetId)
        .from(case_link::Entity)
        .and_where(case_link::Column::CaseId.eq(case_id))
        .and_where(case_link::Column::TargetType.eq(LinkTarget::Issue))
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workflow_runs_from_open_to_closed_and_back() {
        use IssueAction as A;
        use IssueStatus as S;
        let path = [
            (A::Assign, S::Assigned),
            (A::Accept, S::Accepted),
            (A::Start, S::InProgress),
            (A::Resolve, S::Resolved),
            (A::Verify, S::Verified),
            (A::Close, S::Closed),
        ];
        let mut status = S::Open;
        for (action, expected) in path {
            status = next_status(status, action).unwrap_or(S::Open);
            assert_eq!(status, expected, "{action:?}");
        }
        assert_eq!(next_status(S::Closed, A::Reopen), Some(S::InProgress));
        assert_eq!(next_status(S::Open, A::Close), None);
        assert_eq!(allowed_from(S::Open), vec![A::Assign]);
        assert_eq!(next_status(S::Accepted, A::Return), Some(S::Open));
    }
}
