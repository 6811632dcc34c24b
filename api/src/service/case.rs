//! Coordination cases (协调事项): 一项一策 (one tailored policy per project, with measures) and 一事一议
//! (one matter taken to a decision). Who may see a case is decided by [`visibility`]; who may act on
//! it, by [`permits`]. Both live here and nowhere else.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{NaiveDate, Utc};
use entity::case::{self, CaseKind, CaseStatus};
use entity::case_link::{self, LinkTarget};
use entity::issue::{self, IssueStatus};
use entity::user::Role;
use entity::{case_measure, case_unit, project, unit};
use sea_orm::sea_query::{OnConflict, Query};
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

/// Participating units a case may have.
pub const MAX_UNITS: usize = 30;
/// Measures a case may have.
pub const MAX_MEASURES: usize = 50;
/// Links of one kind a case may have, so that every list under a case stays bounded.
pub const MAX_LINKS_PER_KIND: usize = 200;

/// A step of a case's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum CaseAction {
    /// Start work (the lead unit or the office).
    Start,
    /// Report the case solved (the lead unit or the office): every measure done, the matter decided.
    Resolve,
    /// Send a resolved case back to work (the office).
    Reopen,
    /// Close it off (the office), once every linked issue is closed.
    Close,
    /// Link or unlink records (the office, an inspector, or the lead unit).
    Link,
    /// Add a measure (the office or the lead unit).
    AddMeasure,
    /// Record the decision of a 一事一议 matter (the office or a leader).
    Decide,
}

const ALL_ACTIONS: [CaseAction; 7] = [
    CaseAction::Start,
    CaseAction::Resolve,
    CaseAction::Reopen,
    CaseAction::Close,
    CaseAction::Link,
    CaseAction::AddMeasure,
    CaseAction::Decide,
];

/// Where `action` takes a case in `status`: `Some(same status)` for actions that do not move it,
/// `None` when the action is not possible from here.
pub fn next_status(kind: CaseKind, status: CaseStatus, action: CaseAction) -> Option<CaseStatus> {
    use CaseAction as A;
    use CaseStatus as S;
    match (status, action) {
        (S::Closed, _) => None,
        (S::Open, A::Start) => Some(S::InProgress),
        (S::Open | S::InProgress, A::Resolve) => Some(S::Resolved),
        (S::Resolved, A::Reopen) => Some(S::InProgress),
        (_, A::Close) => Some(S::Closed),
        (s, A::Link | A::AddMeasure) => Some(s),
        (S::Open, A::Decide) if kind == CaseKind::OneMatterOneDiscussion => Some(S::InProgress),
        (s @ (S::InProgress | S::Resolved), A::Decide) if kind == CaseKind::OneMatterOneDiscussion => Some(s),
        _ => None,
    }
}

/// Whether `caller` may take `action` on `case` (status aside).
fn permits(caller: &Caller, case: &case::Model, action: CaseAction) -> bool {
    use CaseAction as A;
    let lead = caller.role() == Role::Department && case.lead_unit_id == caller.unit_id();
    match caller.role() {
        Role::Admin => true,
        Role::Department => lead && matches!(action, A::Start | A::Resolve | A::Link | A::AddMeasure),
        Role::Inspector => action == A::Link,
        Role::Leader => action == A::Decide,
        Role::Integration => false,
    }
}

/// Actions `caller` may take on `case` now.
pub fn actions_for(caller: &Caller, case: &case::Model) -> Vec<CaseAction> {
    ALL_ACTIONS
        .into_iter()
        .filter(|a| next_status(case.kind, case.status, *a).is_some() && permits(caller, case, *a))
        .collect()
}

fn authorize(caller: &Caller, case: &case::Model, action: CaseAction) -> AppResult<CaseStatus> {
    let name = format!("{action:?}").to_lowercase();
    let next = next_status(case.kind, case.status, action).ok_or_else(|| AppError::BadUserInput {
        field: None,
        message: format!("cannot {name} a {:?} case that is {:?}", case.kind, case.status),
    })?;
    if !permits(caller, case, action) {
        return Err(AppError::Forbidden(format!("your role or unit may not {name} this case")));
    }
    Ok(next)
}

/// The visibility rule as a query condition: DEPARTMENT users see the cases their unit leads or
/// takes part in and the cases of projects their unit is responsible for; every other role sees all.
pub fn visibility(caller: &Caller) -> Condition {
    if caller.role() != Role::Department {
        return Condition::all();
    }
    let unit = caller.unit_id();
    let takes_part = Query::select()
        .column(case_unit::Column::CaseId)
        .from(case_unit::Entity)
        .and_where(case_unit::Column::UnitId.eq(unit))
        .to_owned();
    let owned = Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ResponsibleUnitId.eq(unit))
        .to_owned();
    Condition::any()
        .add(case::Column::LeadUnitId.eq(unit))
        .add(case::Column::Id.in_subquery(takes_part))
        .add(case::Column::ProjectId.in_subquery(owned))
}

/// One case as `actor` may see it: `NOT_FOUND` whether it is missing or hidden.
pub async fn find_for(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<case::Model> {
    super::find_visible::<case::Entity>(db, actor, id, visibility, "case").await
}

/// A measure to add.
#[derive(Debug, Clone)]
pub struct NewMeasure {
    pub description: String,
    pub owner_unit_id: Uuid,
    pub deadline: Option<NaiveDate>,
}

/// What [`open`] needs.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub kind: CaseKind,
    pub project_id: Option<Uuid>,
    pub title: String,
    pub policy: String,
    pub lead_unit_id: Uuid,
    pub unit_ids: Vec<Uuid>,
    pub measures: Vec<NewMeasure>,
    pub decision: Option<Decision>,
}

/// The decision on a 一事一议 matter.
#[derive(Debug, Clone)]
pub struct Decision {
    pub text: String,
    pub decided_on: NaiveDate,
    pub decided_by: String,
}

fn check_text(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    super::text::required(field, value, min, max)
}

fn check_decision(d: Decision, today: NaiveDate) -> AppResult<Decision> {
    if d.decided_on > today {
        return Err(AppError::bad_input("decidedOn", "a decision cannot be dated in the future"));
    }
    Ok(Decision {
        text: check_text("decision", &d.text, 1, 5000)?,
        decided_on: d.decided_on,
        decided_by: check_text("decidedBy", &d.decided_by, 1, 100)?,
    })
}

/// Fails unless every id in `ids` names a unit.
async fn check_units(db: &impl ConnectionTrait, field: &str, ids: &BTreeSet<Uuid>) -> AppResult<()> {
    let found = unit::Entity::find().filter(unit::Column::Id.is_in(ids.iter().copied())).count(db).await?;
    if found as usize != ids.len() {
        return Err(AppError::bad_input(field, "some unit ids match no unit"));
    }
    Ok(())
}

fn measure_rows(case_id: Uuid, from: i32, measures: Vec<NewMeasure>) -> AppResult<Vec<case_measure::Model>> {
    measures
        .into_iter()
        .zip(from..)
        .map(|(m, position)| {
            Ok(case_measure::Model {
                id: Uuid::now_v7(),
                case_id,
                position,
                description: check_text("measures.description", &m.description, 1, 1000)?,
                owner_unit_id: m.owner_unit_id,
                deadline: m.deadline,
                done_on: None,
            })
        })
        .collect()
}

/// Opens a case. The project office (ADMIN) only. A project may have one open 一项一策 at a time; a
/// second is `CONFLICT` naming the first.
pub async fn open(db: &DatabaseConnection, actor: &Actor, input: NewCase, today: NaiveDate) -> AppResult<case::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin], "open coordination cases")?;
    let title = check_text("title", &input.title, 2, 200)?;
    let policy = check_text("policy", &input.policy, 1, 10_000)?;
    if input.kind == CaseKind::OneProjectOnePolicy && input.project_id.is_none() {
        return Err(AppError::bad_input("projectId", "a 一项一策 case belongs to a project"));
    }
    if input.kind == CaseKind::OneProjectOnePolicy && input.decision.is_some() {
        return Err(AppError::bad_input("decision", "only a 一事一议 matter records a decision"));
    }
    if input.measures.len() > MAX_MEASURES {
        return Err(AppError::bad_input("measures", format!("at most {MAX_MEASURES} measures")));
    }
    let decision = input.decision.map(|d| check_decision(d, today)).transpose()?;
    // Measure owners take part in the case; the lead unit is not also a participant.
    let mut units: BTreeSet<Uuid> = input.unit_ids.iter().copied().collect();
    units.extend(input.measures.iter().map(|m| m.owner_unit_id));
    units.remove(&input.lead_unit_id);
    if units.len() > MAX_UNITS {
        return Err(AppError::bad_input("unitIds", format!("at most {MAX_UNITS} participating units")));
    }
    let mut referenced = units.clone();
    referenced.insert(input.lead_unit_id);
    check_units(db, "unitIds", &referenced).await?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(project_id) = input.project_id {
        super::project::find(&txn, project_id).await?;
        if input.kind == CaseKind::OneProjectOnePolicy
            && let Some(existing) = open_policy_of(&txn, project_id).await?
        {
            return Err(one_policy_conflict(&existing));
        }
    }
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = case::Model {
        id,
        kind: input.kind,
        project_id: input.project_id,
        title,
        policy,
        lead_unit_id: input.lead_unit_id,
        status: if decision.is_some() { CaseStatus::InProgress } else { CaseStatus::Open },
        decision: decision.as_ref().map(|d| d.text.clone()),
        decided_on: decision.as_ref().map(|d| d.decided_on),
        decided_by: decision.map(|d| d.decided_by),
        opened_by: caller.id(),
        created_at: now,
        updated_at: now,
        closed_at: None,
    };
    match case::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await {
        Ok(_) => {}
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            // Another office opened this project's policy between our check and our insert.
            drop(txn);
            let existing = match input.project_id {
                Some(p) => open_policy_of(db, p).await?,
                None => None,
            };
            return Err(existing.map_or_else(
                || AppError::Conflict("the case conflicts with another".into()),
                |c| one_policy_conflict(&c),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    if !units.is_empty() {
        case_unit::Entity::insert_many(
            units.iter().map(|u| case_unit::ActiveModel { case_id: Set(id), unit_id: Set(*u) }),
        )
        .exec_without_returning(&txn)
        .await?;
    }
    let measures = measure_rows(id, 0, input.measures)?;
    if !measures.is_empty() {
        case_measure::Entity::insert_many(measures.iter().cloned().map(IntoActiveModel::into_active_model))
            .exec_without_returning(&txn)
            .await?;
    }
    let mut changes = audit::diff(None, Some(&model))?;
    if let Some(o) = changes.as_object_mut() {
        o.insert("unit_ids".into(), json!({ "before": null, "after": units }));
        o.insert("measures".into(), json!({ "before": null, "after": measures }));
    }
    audit::record(&txn, actor, Change { action: "case.open", entity_type: "case", entity_id: id.to_string(), changes })
        .await?;
    txn.commit().await?;
    Ok(model)
}

async fn open_policy_of(db: &impl ConnectionTrait, project_id: Uuid) -> AppResult<Option<case::Model>> {
    Ok(case::Entity::find()
        .filter(case::Column::ProjectId.eq(project_id))
        .filter(case::Column::Kind.eq(CaseKind::OneProjectOnePolicy))
        .filter(case::Column::Status.ne(CaseStatus::Closed))
        .one(db)
        .await?)
}

fn one_policy_conflict(existing: &case::Model) -> AppError {
    AppError::Conflict(format!(
        "the project already has an open 一项一策 case, \"{}\" ({}); close it before opening another",
        existing.title, existing.id
    ))
}

/// Writes `after` over the stored case and records the change.
async fn save(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    before: &case::Model,
    after: &case::Model,
) -> AppResult<()> {
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(after.id);
    active.update(txn).await?;
    let mut changes = audit::diff(Some(before), Some(after))?;
    if let Some(o) = changes.as_object_mut() {
        o.remove("updated_at");
    }
    audit::record(txn, actor, Change { action, entity_type: "case", entity_id: after.id.to_string(), changes }).await?;
    Ok(())
}

/// Moves a case: start, resolve, reopen or close. Resolving needs every measure done and, for a
/// matter, its decision; closing needs every linked issue closed. Each unmet condition is `CONFLICT`
/// naming what is still open.
pub async fn transition(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    action: CaseAction,
) -> AppResult<case::Model> {
    if !matches!(action, CaseAction::Start | CaseAction::Resolve | CaseAction::Reopen | CaseAction::Close) {
        return Err(AppError::internal("not a case transition"));
    }
    let caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let before = find_for(&txn, actor, id).await?;
    let next = authorize(caller, &before, action)?;
    match action {
        CaseAction::Resolve => {
            let undone: Vec<String> = case_measure::Entity::find()
                .filter(case_measure::Column::CaseId.eq(id))
                .filter(case_measure::Column::DoneOn.is_null())
                .order_by_asc(case_measure::Column::Position)
                .all(&txn)
                .await?
                .into_iter()
                .map(|m| format!("#{} {}", m.position + 1, m.description))
                .collect();
            if !undone.is_empty() {
                return Err(AppError::Conflict(format!("measures not yet done: {}", undone.join("; "))));
            }
            if before.kind == CaseKind::OneMatterOneDiscussion && before.decision.is_none() {
                return Err(AppError::Conflict("the matter has no recorded decision yet".into()));
            }
        }
        CaseAction::Close => {
            let open: Vec<(String, IssueStatus)> = issue::Entity::find()
                .select_only()
                .column(issue::Column::Number)
                .column(issue::Column::Status)
                .filter(issue::Column::Id.in_subquery(linked(id, LinkTarget::Issue)))
                .filter(issue::Column::Status.ne(IssueStatus::Closed))
                .order_by_asc(issue::Column::Number)
                .into_tuple()
                .all(&txn)
                .await?;
            if !open.is_empty() {
                let names: Vec<String> = open.iter().map(|(n, s)| format!("{n} ({s:?})")).collect();
                return Err(AppError::Conflict(format!(
                    "the case cannot close while linked issues are not closed: {}",
                    names.join(", ")
                )));
            }
        }
        _ => {}
    }
    let mut after = before.clone();
    after.status = next;
    after.updated_at = Utc::now();
    after.closed_at = (next == CaseStatus::Closed).then_some(after.updated_at);
    let name = format!("case.{}", format!("{action:?}").to_lowercase());
    save(&txn, actor, &name, &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Records the decision on a 一事一议 matter; an open matter moves to IN_PROGRESS.
pub async fn decide(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    today: NaiveDate,
) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    let decision = check_decision(decision, today)?;
    let txn = crate::db::begin_write(db).await?;
    let before = find_for(&txn, actor, id).await?;
    let next = authorize(caller, &before, CaseAction::Decide)?;
    let mut after = before.clone();
    after.status = next;
    after.decision = Some(decision.text);
    after.decided_on = Some(decision.decided_on);
    after.decided_by = Some(decision.decided_by);
    after.updated_at = Utc::now();
    save(&txn, actor, "case.decide", &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// Adds measures to a case; their owners join its participating units.
pub async fn add_measures(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    measures: Vec<NewMeasure>,
) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    let owners: BTreeSet<Uuid> = measures.iter().map(|m| m.owner_unit_id).collect();
    check_units(db, "ownerUnitId", &owners).await?;
    let txn = crate::db::begin_write(db).await?;
    let case = find_for(&txn, actor, id).await?;
    authorize(caller, &case, CaseAction::AddMeasure)?;
    let have = case_measure::Entity::find().filter(case_measure::Column::CaseId.eq(id)).count(&txn).await? as usize;
    if have + measures.len() > MAX_MEASURES {
        return Err(AppError::bad_input("measures", format!("a case has at most {MAX_MEASURES} measures")));
    }
    let rows = measure_rows(id, i32::try_from(have).unwrap_or(i32::MAX), measures)?;
    if rows.is_empty() {
        return Ok(case);
    }
    case_measure::Entity::insert_many(rows.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&txn)
        .await?;
    let new_units: Vec<case_unit::ActiveModel> = owners
        .into_iter()
        .filter(|u| *u != case.lead_unit_id)
        .map(|u| case_unit::ActiveModel { case_id: Set(id), unit_id: Set(u) })
        .collect();
    if !new_units.is_empty() {
        case_unit::Entity::insert_many(new_units)
            .on_conflict(
                OnConflict::columns([case_unit::Column::CaseId, case_unit::Column::UnitId]).do_nothing().to_owned(),
            )
            .exec_without_returning(&txn)
            .await?;
    }
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.add_measures",
            entity_type: "case",
            entity_id: id.to_string(),
            changes: json!({ "measures": { "before": null, "after": rows } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}

/// Records a measure as done (or, with `None`, not done after all). The office, the lead unit, or
/// the unit that owns the measure; an open case moves to IN_PROGRESS, and a RESOLVED case whose
/// measure is undone goes back to IN_PROGRESS.
pub async fn complete_measure(
    db: &DatabaseConnection,
    actor: &Actor,
    measure_id: Uuid,
    done_on: Option<NaiveDate>,
    today: NaiveDate,
) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    if done_on.is_some_and(|d| d > today) {
        return Err(AppError::bad_input("doneOn", "a measure cannot be done in the future"));
    }
    let txn = crate::db::begin_write(db).await?;
    let measure = case_measure::Entity::find_by_id(measure_id).one(&txn).await?.ok_or(AppError::NotFound("measure"))?;
    let before = match find_for(&txn, actor, measure.case_id).await {
        Err(AppError::NotFound(_)) => return Err(AppError::NotFound("measure")),
        found => found?,
    };
    let may = match caller.role() {
        Role::Admin => true,
        Role::Department => [before.lead_unit_id, measure.owner_unit_id].contains(&caller.unit_id()),
        _ => false,
    };
    if !may {
        return Err(AppError::Forbidden(
            "only the office, the lead unit or the measure's owner records it done".into(),
        ));
    }
    if before.status == CaseStatus::Closed {
        return Err(AppError::bad_input("measureId", "the case is closed"));
    }
    case_measure::ActiveModel {
        id: sea_orm::ActiveValue::Unchanged(measure_id),
        done_on: Set(done_on),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    let mut after = before.clone();
    if after.status == CaseStatus::Open && done_on.is_some() {
        after.status = CaseStatus::InProgress;
    }
    // A resolved case rests on every measure being done: undoing one reopens it.
    if after.status == CaseStatus::Resolved && done_on.is_none() && measure.done_on.is_some() {
        after.status = CaseStatus::InProgress;
    }
    after.updated_at = Utc::now();
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(after.id);
    active.update(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.complete_measure",
            entity_type: "case",
            entity_id: before.id.to_string(),
            changes: json!({
                "measure": measure_id,
                "done_on": { "before": measure.done_on, "after": done_on },
                "status": { "before": before.status, "after": after.status },
            }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// `SELECT target_id FROM case_links WHERE case_id = ? AND target_type = ?`
fn linked(case_id: Uuid, target: LinkTarget) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(case_link::Column::TargetId)
        .from(case_link::Entity)
        .and_where(case_link::Column::CaseId.eq(case_id))
        .and_where(case_link::Column::TargetType.eq(target))
        .to_owned()
}

/// Records of one kind to link or unlink.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    pub issues: Vec<Uuid>,
    pub inspections: Vec<Uuid>,
    pub photos: Vec<Uuid>,
}

impl Targets {
    fn by_kind(&self) -> [(LinkTarget, &'static str, BTreeSet<Uuid>); 3] {
        [
            (LinkTarget::Issue, "issueIds", self.issues.iter().copied().collect()),
            (LinkTarget::Inspection, "inspectionIds", self.inspections.iter().copied().collect()),
            (LinkTarget::Photo, "photoIds", self.photos.iter().copied().collect()),
        ]
    }
}

/// (id, project) of the records of one kind among `ids` that the caller may see.
async fn visible_with_project<E>(
    db: &impl ConnectionTrait,
    ids: &BTreeSet<Uuid>,
    id: E::Column,
    project: E::Column,
    visible: Condition,
) -> AppResult<HashMap<Uuid, Uuid>>
where
    E: EntityTrait,
{
    Ok(E::find()
        .select_only()
        .column(id)
        .column(project)
        .filter(id.is_in(ids.iter().copied()))
        .filter(visible)
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

/// Fails unless the caller can see every record in `ids` (hidden and missing answer alike) and, for
/// a 一项一策, each is of the case's project.
async fn check_targets(
    db: &impl ConnectionTrait,
    actor: &Actor,
    case: &case::Model,
    target: LinkTarget,
    field: &str,
    ids: &BTreeSet<Uuid>,
) -> AppResult<()> {
    use entity::{inspection, photo};
    if ids.is_empty() {
        return Ok(());
    }
    let caller = actor.caller()?;
    let found = match target {
        LinkTarget::Issue => {
            let visible = super::issue::visibility(caller);
            visible_with_project::<issue::Entity>(db, ids, issue::Column::Id, issue::Column::ProjectId, visible).await?
        }
        LinkTarget::Inspection => {
            let (id, project) = (inspection::Column::Id, inspection::Column::ProjectId);
            visible_with_project::<inspection::Entity>(db, ids, id, project, super::inspection::visibility(caller))
                .await?
        }
        LinkTarget::Photo => {
            let (id, project) = (photo::Column::Id, photo::Column::ProjectId);
            visible_with_project::<photo::Entity>(db, ids, id, project, super::photo::visibility(caller)).await?
        }
    };
    let kind = format!("{target:?}").to_lowercase();
    if let Some(missing) = ids.iter().find(|id| !found.contains_key(id)) {
        return Err(AppError::bad_input(field, format!("no {kind} has id {missing}")));
    }
    if case.kind == CaseKind::OneProjectOnePolicy
        && let Some((id, _)) = found.iter().find(|(_, p)| Some(**p) != case.project_id)
    {
        return Err(AppError::bad_input(field, format!("{kind} {id} is not of this case's project")));
    }
    Ok(())
}

/// Links records to a case; linking one already linked changes nothing. The office, an inspector or
/// the lead unit, on a case that is not closed, with records the caller can see.
pub async fn link(db: &DatabaseConnection, actor: &Actor, case_id: Uuid, targets: Targets) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let case = find_for(&txn, actor, case_id).await?;
    authorize(caller, &case, CaseAction::Link)?;
    let now = Utc::now();
    let mut rows = Vec::new();
    for (target, field, ids) in targets.by_kind() {
        check_targets(&txn, actor, &case, target, field, &ids).await?;
        let have = case_link::Entity::find()
            .filter(case_link::Column::CaseId.eq(case_id))
            .filter(case_link::Column::TargetType.eq(target))
            .filter(case_link::Column::TargetId.is_not_in(ids.iter().copied()))
            .count(&txn)
            .await? as usize;
        if have + ids.len() > MAX_LINKS_PER_KIND {
            return Err(AppError::bad_input(field, format!("a case links at most {MAX_LINKS_PER_KIND} of each kind")));
        }
        rows.extend(ids.into_iter().map(|target_id| case_link::ActiveModel {
            case_id: Set(case_id),
            target_type: Set(target),
            target_id: Set(target_id),
            linked_by: Set(Some(caller.id())),
            linked_at: Set(now),
        }));
    }
    if rows.is_empty() {
        return Err(AppError::bad_input("issueIds", "say what to link"));
    }
    case_link::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                case_link::Column::CaseId,
                case_link::Column::TargetType,
                case_link::Column::TargetId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.link",
            entity_type: "case",
            entity_id: case_id.to_string(),
            changes: json!({ "linked": { "before": null, "after": {
                "issues": targets.issues, "inspections": targets.inspections, "photos": targets.photos,
            } } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}

/// Removes links; removing one that is not there changes nothing. Who may link may unlink.
pub async fn unlink(db: &DatabaseConnection, actor: &Actor, case_id: Uuid, targets: Targets) -> AppResult<case::Model> {
    let caller = actor.caller()?;
    let txn = crate::db::begin_write(db).await?;
    let case = find_for(&txn, actor, case_id).await?;
    authorize(caller, &case, CaseAction::Link)?;
    let mut any = Condition::any();
    for (target, _, ids) in targets.by_kind() {
        if !ids.is_empty() {
            any = any.add(
                Condition::all()
                    .add(case_link::Column::TargetType.eq(target))
                    .add(case_link::Column::TargetId.is_in(ids)),
            );
        }
    }
    if any.is_empty() {
        return Err(AppError::bad_input("issueIds", "say what to unlink"));
    }
    case_link::Entity::delete_many().filter(case_link::Column::CaseId.eq(case_id)).filter(any).exec(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "case.unlink",
            entity_type: "case",
            entity_id: case_id.to_string(),
            changes: json!({ "linked": { "before": {
                "issues": targets.issues, "inspections": targets.inspections, "photos": targets.photos,
            }, "after": null } }),
        },
    )
    .await?;
    txn.commit().await?;
    Ok(case)
}

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub project_id: Option<Uuid>,
    pub kind: Option<CaseKind>,
    pub status: Option<CaseStatus>,
    /// Cases this unit leads or takes part in.
    pub unit_id: Option<Uuid>,
    pub search: Option<String>,
}

fn matching(caller: &Caller, f: &CaseFilter) -> Select<case::Entity> {
    use case::Column as C;
    let mut q = case::Entity::find().filter(visibility(caller));
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(unit) = f.unit_id {
        let takes_part = Query::select()
            .column(case_unit::Column::CaseId)
            .from(case_unit::Entity)
            .and_where(case_unit::Column::UnitId.eq(unit))
            .to_owned();
        q = q.filter(Condition::any().add(C::LeadUnitId.eq(unit)).add(C::Id.in_subquery(takes_part)));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(super::text::contains(C::Title, text));
    }
    q
}

/// Cases the caller can see, newest first.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &CaseFilter,
    page: &PageRequest,
) -> AppResult<Page<case::Model>> {
    use case::Column as C;
    let q = matching(actor.caller()?, f);
    let rows = super::page::newest_first(q, C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(case: &case::Model) -> String {
    super::page::time_id_key(case.created_at, case.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &CaseFilter) -> AppResult<u64> {
    Ok(matching(actor.caller()?, f).count(db).await?)
}

/// Participating unit ids of many cases.
pub async fn units_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = case_unit::Entity::find()
        .select_only()
        .column(case_unit::Column::CaseId)
        .column(case_unit::Column::UnitId)
        .filter(case_unit::Column::CaseId.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(super::grouped(rows))
}

/// Measures of many cases, in order.
pub async fn measures_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<case_measure::Model>>> {
    let rows = case_measure::Entity::find()
        .filter(case_measure::Column::CaseId.is_in(ids.iter().copied()))
        .order_by_asc(case_measure::Column::Position)
        .all(db)
        .await?;
    Ok(super::grouped(rows.into_iter().map(|m| (m.case_id, m))))
}

/// Of `ids`, those whose rows satisfy `rule` (a domain's visibility), by `id` of the rows' table.
async fn visible_ids<C>(db: &impl ConnectionTrait, id: C, ids: Vec<Uuid>, rule: Condition) -> AppResult<Vec<Uuid>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(<C::EntityName as EntityTrait>::find()
        .select_only()
        .column(id)
        .filter(id.is_in(ids))
        .filter(rule)
        .into_tuple::<Uuid>()
        .all(db)
        .await?)
}

/// Links of many cases that a caller in `scope` may open (see [`super::issue::scope`]), oldest
/// first: a link to an issue, inspection or photo the caller may not see is left out, as if it did
/// not exist, by that domain's own visibility rule.
pub async fn links_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<case_link::Model>>> {
    let mut rows = case_link::Entity::find()
        .filter(case_link::Column::CaseId.is_in(ids.iter().copied()))
        .order_by_asc(case_link::Column::LinkedAt)
        .order_by_asc(case_link::Column::TargetId)
        .all(db)
        .await?;
    if scope.is_some() {
        let of = |kind: LinkTarget| -> Vec<Uuid> {
            rows.iter().filter(|l| l.target_type == kind).map(|l| l.target_id).collect()
        };
        let (issue_ids, inspection_ids, photo_ids) =
            (of(LinkTarget::Issue), of(LinkTarget::Inspection), of(LinkTarget::Photo));
        let mut visible: HashSet<Uuid> = HashSet::new();
        visible.extend(visible_ids(db, issue::Column::Id, issue_ids, super::issue::scoped_visibility(scope)).await?);
        let (inspections, photos) = (entity::inspection::Column::Id, entity::photo::Column::Id);
        let rule = super::inspection::scoped_visibility(scope);
        visible.extend(visible_ids(db, inspections, inspection_ids, rule).await?);
        visible.extend(visible_ids(db, photos, photo_ids, super::photo::scoped_visibility(scope)).await?);
        rows.retain(|l| visible.contains(&l.target_id));
    }
    Ok(super::grouped(rows.into_iter().map(|l| (l.case_id, l))))
}

/// Linked issues of many cases that a caller in `scope` may see (see [`super::issue::scope`]),
/// newest first.
pub async fn linked_issues(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<Uuid>,
) -> AppResult<HashMap<Uuid, Vec<issue::Model>>> {
    let links: Vec<(Uuid, Uuid)> = case_link::Entity::find()
        .select_only()
        .column(case_link::Column::CaseId)
        .column(case_link::Column::TargetId)
        .filter(case_link::Column::CaseId.is_in(ids.iter().copied()))
        .filter(case_link::Column::TargetType.eq(LinkTarget::Issue))
        .into_tuple()
        .all(db)
        .await?;
    let issue_ids: BTreeSet<Uuid> = links.iter().map(|(_, i)| *i).collect();
    let issues: HashMap<Uuid, issue::Model> = issue::Entity::find()
        .filter(issue::Column::Id.is_in(issue_ids))
        .filter(super::issue::scoped_visibility(scope))
        .all(db)
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();
    let mut out =
        super::grouped(links.into_iter().filter_map(|(case, issue)| Some((case, issues.get(&issue)?.clone()))));
    for list in out.values_mut() {
        list.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_cases_take_no_action_and_only_matters_are_decided() {
        use CaseAction as A;
        use CaseKind as K;
        use CaseStatus as S;
        for a in ALL_ACTIONS {
            assert_eq!(next_status(K::OneProjectOnePolicy, S::Closed, a), None, "{a:?}");
        }
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Open, A::Decide), None);
        assert_eq!(next_status(K::OneMatterOneDiscussion, S::Open, A::Decide), Some(S::InProgress));
        assert_eq!(next_status(K::OneMatterOneDiscussion, S::Resolved, A::Decide), Some(S::Resolved));
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Open, A::Close), Some(S::Closed));
        assert_eq!(next_status(K::OneProjectOnePolicy, S::InProgress, A::Start), None);
        assert_eq!(next_status(K::OneProjectOnePolicy, S::Resolved, A::Reopen), Some(S::InProgress));
    }
}
