//! The project library. Who may change what on a project is decided in [`authorize_update`] and
//! [`authorize_unit_work`]; every signed-in caller may read projects.

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use entity::project::{self, Industry, ProjectCategory, ProjectStatus};
use entity::user::Role;
use entity::{project_paired_unit, project_year_plan, unit, user};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DbErr,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, SqlErr,
};
use serde_json::json;
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::money::{percent_to_bp, wan_to_fen};
use super::page::{Page, PageRequest};
use crate::error::{AppError, AppResult};

/// Most paired units one project may list.
const MAX_PAIRED_UNITS: usize = 30;
/// Most points in a site boundary.
const MAX_BOUNDARY_POINTS: usize = 500;

/// A WGS-84 point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LatLng {
    pub lat: f64,
    pub lng: f64,
}

/// Every settable field; `None` leaves a field as it is (or unset, on create).
#[derive(Debug, Clone, Default)]
pub struct ProjectFields {
    pub code: Option<String>,
    pub name: Option<String>,
    pub category: Option<ProjectCategory>,
    pub industry: Option<Industry>,
    pub status: Option<ProjectStatus>,
    pub responsible_unit_id: Option<Uuid>,
    pub leader_id: Option<Uuid>,
    pub paired_unit_ids: Option<Vec<Uuid>>,
    pub total_investment: Option<Decimal>,
    pub year_plans: Option<Vec<(i32, Decimal)>>,
    pub planned_start: Option<NaiveDate>,
    pub planned_completion: Option<NaiveDate>,
    pub location: Option<LatLng>,
    pub site_radius_m: Option<i32>,
    pub boundary: Option<Vec<LatLng>>,
    pub address: Option<String>,
    pub description: Option<String>,
    // Operational fields: the responsible unit may set these too.
    pub progress_percent: Option<Decimal>,
    pub prior_completed_investment: Option<Decimal>,
    pub actual_start: Option<NaiveDate>,
    pub actual_completion: Option<NaiveDate>,
}

impl ProjectFields {
    /// Whether only fields the responsible unit may set are present.
    fn only_operational(&self) -> bool {
        let Self {
            code,
            name,
            category,
            industry,
            status,
            responsible_unit_id,
            leader_id,
            paired_unit_ids,
            total_investment,
            year_plans,
            planned_start,
            planned_completion,
            location,
            site_radius_m,
            boundary,
            address,
            description,
            progress_percent: _,
            prior_completed_investment: _,
            actual_start: _,
            actual_completion: _,
        } = self;
        code.is_none()
            && name.is_none()
            && category.is_none()
            && industry.is_none()
            && status.is_none()
            && responsible_unit_id.is_none()
            && leader_id.is_none()
            && paired_unit_ids.is_none()
            && total_investment.is_none()
            && year_plans.is_none()
            && planned_start.is_none()
            && planned_completion.is_none()
            && location.is_none()
            && site_radius_m.is_none()
            && boundary.is_none()
            && address.is_none()
            && description.is_none()
    }
}

/// Only ADMIN creates projects.
fn authorize_create(actor: &Actor) -> AppResult<()> {
    actor.require_role(&[Role::Admin], "create projects")
}

/// ADMIN edits any field; the responsible unit's DEPARTMENT users edit the operational fields of
/// their own projects; nobody else edits.
fn authorize_update(actor: &Actor, project: &project::Model, fields: &ProjectFields) -> AppResult<()> {
    let Ok(caller) = actor.caller() else { return Ok(()) };
    match caller.role() {
        Role::Admin => Ok(()),
        Role::Department if caller.unit_id() == project.responsible_unit_id => {
            if fields.only_operational() {
                Ok(())
            } else {
                Err(AppError::Forbidden(
                    "your unit may update only progress, completed investment and actual dates".into(),
                ))
            }
        }
        Role::Department => Err(AppError::Forbidden("this project belongs to another unit".into())),
        _ => Err(AppError::Forbidden("your role may not edit projects".into())),
    }
}

/// Work a project's unit does on its project (schedules, reports): ADMIN or the responsible unit.
pub fn authorize_unit_work(actor: &Actor, project: &project::Model, what: &str) -> AppResult<()> {
    let Ok(caller) = actor.caller() else { return Ok(()) };
    match caller.role() {
        Role::Admin => Ok(()),
        Role::Department if caller.unit_id() == project.responsible_unit_id => Ok(()),
        Role::Department => Err(AppError::Forbidden(format!("only the responsible unit may {what}"))),
        _ => Err(AppError::Forbidden(format!("your role may not {what}"))),
    }
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<project::Model> {
    project::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("project"))
}

/// National investment project code: `YYYY-RRRRRR-II-TT-NNNNNN` (24 characters).
pub fn validate_code(code: &str) -> AppResult<()> {
    let groups: Vec<&str> = code.split('-').collect();
    let shape_ok = code.len() == 24
        && groups.iter().map(|g| g.len()).eq([4, 6, 2, 2, 6])
        && groups.iter().all(|g| g.bytes().all(|b| b.is_ascii_digit()));
    let year_ok = groups.first().and_then(|y| y.parse::<i32>().ok()).is_some_and(|y| (1990..=2100).contains(&y));
    if shape_ok && year_ok {
        Ok(())
    } else {
        Err(AppError::bad_input("code", "a project code looks like 2026-430781-04-01-123456 (24 characters)"))
    }
}

fn check_text(field: &str, value: &str, min: usize, max: usize) -> AppResult<String> {
    super::text::required(field, value, min, max)
}

fn check_point(field: &str, p: LatLng) -> AppResult<()> {
    if (-90.0..=90.0).contains(&p.lat) && (-180.0..=180.0).contains(&p.lng) && p.lat.is_finite() && p.lng.is_finite() {
        Ok(())
    } else {
        Err(AppError::bad_input(field, "latitude is -90..90 and longitude -180..180 (WGS-84)"))
    }
}

async fn check_references(db: &impl ConnectionTrait, fields: &ProjectFields) -> AppResult<()> {
    if let Some(unit_id) = fields.responsible_unit_id
        && unit::Entity::find_by_id(unit_id).one(db).await?.is_none()
    {
        return Err(AppError::bad_input("responsibleUnitId", "no unit has this id"));
    }
    if let Some(leader_id) = fields.leader_id {
        match user::Entity::find_by_id(leader_id).one(db).await? {
            Some(u) if u.role == Role::Leader && u.active => {}
            _ => return Err(AppError::bad_input("leaderId", "the linked leader must be an active LEADER account")),
        }
    }
    if let Some(ids) = &fields.paired_unit_ids {
        let distinct: BTreeSet<Uuid> = ids.iter().copied().collect();
        if distinct.len() > MAX_PAIRED_UNITS {
            return Err(AppError::bad_input("pairedUnitIds", format!("at most {MAX_PAIRED_UNITS} paired units")));
        }
        let found = unit::Entity::find().filter(unit::Column::Id.is_in(distinct.iter().copied())).count(db).await?;
        if found as usize != distinct.len() {
            return Err(AppError::bad_input("pairedUnitIds", "some paired unit ids match no unit"));
        }
    }
    Ok(())
}

/// Applies `fields` onto `model` (validating each), returning the year plans and paired units to
/// store when they were given.
fn apply(model: &mut project::Model, fields: &ProjectFields, today: NaiveDate) -> AppResult<()> {
    if let Some(code) = &fields.code {
        let code = code.trim();
        if code.is_empty() {
            model.code = None;
        } else {
            validate_code(code)?;
            model.code = Some(code.to_owned());
        }
    }
    if let Some(name) = &fields.name {
        model.name = check_text("name", name, 2, 200)?;
    }
    if let Some(v) = fields.category {
        model.category = v;
    }
    if let Some(v) = fields.industry {
        model.industry = v;
    }
    if let Some(v) = fields.status {
        model.status = v;
    }
    if let Some(v) = fields.responsible_unit_id {
        model.responsible_unit_id = v;
    }
    if let Some(v) = fields.leader_id {
        model.leader_id = v;
    }
    if let Some(v) = fields.total_investment {
        model.total_investment_fen = wan_to_fen("totalInvestment", v)?;
    }
    if let Some(v) = fields.prior_completed_investment {
        model.prior_completed_fen = wan_to_fen("priorCompletedInvestment", v)?;
    }
    if let Some(v) = fields.progress_percent {
        model.progress_bp = percent_to_bp("progressPercent", v)?;
    }
    if let Some(v) = fields.planned_start {
        model.planned_start = Some(v);
    }
    if let Some(v) = fields.planned_completion {
        model.planned_completion = Some(v);
    }
    if let Some(v) = fields.actual_start {
        model.actual_start = Some(v);
    }
    if let Some(v) = fields.actual_completion {
        model.actual_completion = Some(v);
    }
    if let (Some(s), Some(c)) = (model.planned_start, model.planned_completion)
        && c < s
    {
        return Err(AppError::bad_input("plannedCompletion", "planned completion is before planned start"));
    }
    if let (Some(s), Some(c)) = (model.actual_start, model.actual_completion)
        && c < s
    {
        return Err(AppError::bad_input("actualCompletion", "actual completion is before actual start"));
    }
    for (field, date) in [("actualStart", model.actual_start), ("actualCompletion", model.actual_completion)] {
        if date.is_some_and(|d| d > today) {
            return Err(AppError::bad_input(field, "an actual date cannot be in the future"));
        }
    }
    if let Some(p) = fields.location {
        check_point("location", p)?;
        model.lat = p.lat;
        model.lng = p.lng;
    }
    if let Some(r) = fields.site_radius_m {
        if !(1..=50_000).contains(&r) {
            return Err(AppError::bad_input("siteRadiusM", "the site radius is 1 to 50000 metres"));
        }
        model.site_radius_m = r;
    }
    if let Some(points) = &fields.boundary {
        if points.is_empty() {
            model.boundary = None;
        } else {
            if points.len() < 3 || points.len() > MAX_BOUNDARY_POINTS {
                return Err(AppError::bad_input(
                    "boundary",
                    format!("a boundary has 3 to {MAX_BOUNDARY_POINTS} points"),
                ));
            }
            for p in points {
                check_point("boundary", *p)?;
            }
            model.boundary = Some(json!(points.iter().map(|p| [p.lng, p.lat]).collect::<Vec<_>>()));
        }
    }
    if let Some(v) = &fields.address {
        model.address = Some(check_text("address", v, 0, 300)?).filter(|s| !s.is_empty());
    }
    if let Some(v) = &fields.description {
        model.description = Some(check_text("description", v, 0, 5000)?).filter(|s| !s.is_empty());
    }
    Ok(())
}

fn validated_year_plans(plans: &[(i32, Decimal)]) -> AppResult<Vec<(i32, i64)>> {
    let mut out: Vec<(i32, i64)> = Vec::with_capacity(plans.len());
    for &(year, amount) in plans {
        if !(2000..=2100).contains(&year) {
            return Err(AppError::bad_input("yearPlans", "a plan year is between 2000 and 2100"));
        }
        if out.iter().any(|(y, _)| *y == year) {
            return Err(AppError::bad_input("yearPlans", format!("year {year} is given twice")));
        }
        out.push((year, wan_to_fen("yearPlans", amount)?));
    }
    Ok(out)
}

fn code_conflict(err: DbErr) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict("another project has this code".into()),
        _ => err.into(),
    }
}

async fn replace_children(
    db: &impl ConnectionTrait,
    id: Uuid,
    paired: Option<&[Uuid]>,
    plans: Option<&[(i32, i64)]>,
) -> AppResult<()> {
    if let Some(units) = paired {
        project_paired_unit::Entity::delete_many()
            .filter(project_paired_unit::Column::ProjectId.eq(id))
            .exec(db)
            .await?;
        let rows: Vec<_> = units
            .iter()
            .copied()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .map(|unit_id| project_paired_unit::ActiveModel { project_id: Set(id), unit_id: Set(unit_id) })
            .collect();
        if !rows.is_empty() {
            project_paired_unit::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
    }
    if let Some(plans) = plans {
        project_year_plan::Entity::delete_many().filter(project_year_plan::Column::ProjectId.eq(id)).exec(db).await?;
        let rows: Vec<_> = plans
            .iter()
            .map(|&(year, planned_fen)| project_year_plan::ActiveModel {
                project_id: Set(id),
                year: Set(year),
                planned_fen: Set(planned_fen),
            })
            .collect();
        if !rows.is_empty() {
            project_year_plan::Entity::insert_many(rows).exec_without_returning(db).await?;
        }
    }
    Ok(())
}

async fn children_snapshot(db: &impl ConnectionTrait, id: Uuid) -> AppResult<serde_json::Value> {
    let paired: Vec<Uuid> = project_paired_unit::Entity::find()
        .select_only()
        .column(project_paired_unit::Column::UnitId)
        .filter(project_paired_unit::Column::ProjectId.eq(id))
        .into_tuple()
        .all(db)
        .await?;
    let plans: Vec<(i32, i64)> = project_year_plan::Entity::find()
        .select_only()
        .column(project_year_plan::Column::Year)
        .column(project_year_plan::Column::PlannedFen)
        .filter(project_year_plan::Column::ProjectId.eq(id))
        .order_by_asc(project_year_plan::Column::Year)
        .into_tuple()
        .all(db)
        .await?;
    let mut paired = paired;
    paired.sort();
    Ok(json!({ "paired_unit_ids": paired, "year_plans_fen": plans }))
}

/// Creates a project. ADMIN only.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    fields: ProjectFields,
    today: NaiveDate,
) -> AppResult<project::Model> {
    authorize_create(actor)?;
    let required = [
        ("name", fields.name.is_none()),
        ("category", fields.category.is_none()),
        ("industry", fields.industry.is_none()),
        ("responsibleUnitId", fields.responsible_unit_id.is_none()),
        ("leaderId", fields.leader_id.is_none()),
        ("totalInvestment", fields.total_investment.is_none()),
        ("location", fields.location.is_none()),
    ];
    if let Some((field, _)) = required.iter().find(|(_, missing)| *missing) {
        return Err(AppError::bad_input(*field, format!("{field} is required")));
    }
    let now = Utc::now();
    let mut model = project::Model {
        id: Uuid::now_v7(),
        code: None,
        name: String::new(),
        category: ProjectCategory::KeyConstruction,
        industry: Industry::Other,
        status: ProjectStatus::Planned,
        responsible_unit_id: Uuid::nil(),
        leader_id: Uuid::nil(),
        total_investment_fen: 0,
        prior_completed_fen: 0,
        progress_bp: 0,
        planned_start: None,
        planned_completion: None,
        actual_start: None,
        actual_completion: None,
        lat: 0.0,
        lng: 0.0,
        site_radius_m: 500,
        boundary: None,
        address: None,
        description: None,
        created_at: now,
        updated_at: now,
    };
    apply(&mut model, &fields, today)?;
    let plans = fields.year_plans.as_deref().map(validated_year_plans).transpose()?;
    check_references(db, &fields).await?;
    let txn = crate::db::begin_write(db).await?;
    project::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(code_conflict)?;
    replace_children(&txn, model.id, fields.paired_unit_ids.as_deref(), plans.as_deref()).await?;
    let mut changes = audit::diff(None, Some(&model))?;
    merge(&mut changes, audit::diff(None, Some(&children_snapshot(&txn, model.id).await?))?);
    audit::record(
        &txn,
        actor,
        Change { action: "project.create", entity_type: "project", entity_id: model.id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

fn merge(into: &mut serde_json::Value, from: serde_json::Value) {
    if let (Some(a), serde_json::Value::Object(b)) = (into.as_object_mut(), from) {
        a.extend(b);
    }
}

/// Updates a project; see [`authorize_update`] for who may change which fields.
pub async fn update(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    fields: ProjectFields,
    today: NaiveDate,
) -> AppResult<project::Model> {
    let before = find(db, id).await?;
    authorize_update(actor, &before, &fields)?;
    let mut after = before.clone();
    apply(&mut after, &fields, today)?;
    let plans = fields.year_plans.as_deref().map(validated_year_plans).transpose()?;
    check_references(db, &fields).await?;
    let txn = crate::db::begin_write(db).await?;
    let children_before = children_snapshot(&txn, id).await?;
    after.updated_at = Utc::now();
    let mut active = after.clone().into_active_model().reset_all();
    active.id = sea_orm::ActiveValue::Unchanged(id);
    active.created_at = sea_orm::ActiveValue::Unchanged(before.created_at);
    active.update(&txn).await.map_err(code_conflict)?;
    replace_children(&txn, id, fields.paired_unit_ids.as_deref(), plans.as_deref()).await?;
    let mut changes = audit::diff(Some(&before), Some(&after))?;
    if let Some(o) = changes.as_object_mut() {
        o.remove("updated_at");
    }
    merge(&mut changes, audit::diff(Some(&children_before), Some(&children_snapshot(&txn, id).await?))?);
    audit::record(
        &txn,
        actor,
        Change { action: "project.update", entity_type: "project", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// How a project list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OrderField {
    #[default]
    Name,
    TotalInvestment,
    CreatedAt,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Order {
    pub field: OrderField,
    pub descending: bool,
}

/// A map window, WGS-84.
#[derive(Debug, Clone, Copy)]
pub struct BoundingBox {
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

#[derive(Debug, Clone, Default)]
pub struct ProjectFilter {
    pub category: Option<ProjectCategory>,
    pub status: Option<ProjectStatus>,
    pub industry: Option<Industry>,
    pub responsible_unit_id: Option<Uuid>,
    pub leader_id: Option<Uuid>,
    /// Only these projects (e.g. those showing a light, see [`super::health::narrow_to_light`]).
    pub ids: Option<Vec<Uuid>>,
    pub search: Option<String>,
    pub bbox: Option<BoundingBox>,
}

fn matching(filter: &ProjectFilter) -> AppResult<Select<project::Entity>> {
    use project::Column as C;
    let mut q = project::Entity::find();
    if let Some(v) = filter.category {
        q = q.filter(C::Category.eq(v));
    }
    if let Some(v) = filter.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = filter.industry {
        q = q.filter(C::Industry.eq(v));
    }
    if let Some(v) = filter.responsible_unit_id {
        q = q.filter(C::ResponsibleUnitId.eq(v));
    }
    if let Some(v) = filter.leader_id {
        q = q.filter(C::LeaderId.eq(v));
    }
    if let Some(ids) = &filter.ids {
        q = q.filter(C::Id.is_in(ids.iter().copied()));
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any().add(super::text::contains(C::Name, text)).add(super::text::contains(C::Code, text)),
        );
    }
    if let Some(b) = filter.bbox {
        if !(b.south <= b.north && b.west <= b.east) {
            return Err(AppError::bad_input("bbox", "south ≤ north and west ≤ east"));
        }
        q = q.filter(C::Lat.between(b.south, b.north)).filter(C::Lng.between(b.west, b.east));
    }
    Ok(q)
}

/// The ids of every project `filter` selects.
pub async fn matching_ids(db: &impl ConnectionTrait, filter: &ProjectFilter) -> AppResult<Vec<Uuid>> {
    Ok(matching(filter)?.select_only().column(project::Column::Id).into_tuple().all(db).await?)
}

fn cursor_key(order: Order, p: &project::Model) -> String {
    let value = match order.field {
        OrderField::Name => p.name.clone(),
        OrderField::TotalInvestment => p.total_investment_fen.to_string(),
        OrderField::CreatedAt => String::new(),
    };
    format!("{value}\u{1f}{}", p.id)
}

fn after_condition(order: Order, after: &str) -> AppResult<Condition> {
    use project::Column as C;
    let bad = || AppError::bad_input("after", "not a cursor of this list in this order");
    let (value, id) = after.rsplit_once('\u{1f}').ok_or_else(bad)?;
    let id: Uuid = id.parse().map_err(|_| bad())?;
    let (col, value): (C, sea_orm::Value) = match order.field {
        OrderField::Name => (C::Name, value.into()),
        OrderField::TotalInvestment => (C::TotalInvestmentFen, value.parse::<i64>().map_err(|_| bad())?.into()),
        OrderField::CreatedAt => {
            return Ok(Condition::all().add(if order.descending { C::Id.lt(id) } else { C::Id.gt(id) }));
        }
    };
    let (beyond, id_beyond) = if order.descending {
        (Expr::col(col).lt(value.clone()), C::Id.lt(id))
    } else {
        (Expr::col(col).gt(value.clone()), C::Id.gt(id))
    };
    Ok(Condition::any().add(beyond).add(Condition::all().add(Expr::col(col).eq(value)).add(id_beyond)))
}

/// A page of projects. Readable by every signed-in caller.
pub async fn list(
    db: &DatabaseConnection,
    filter: &ProjectFilter,
    order: Order,
    page: &PageRequest,
) -> AppResult<Page<project::Model>> {
    use project::Column as C;
    let mut q = matching(filter)?;
    if let Some(after) = &page.after {
        q = q.filter(after_condition(order, after)?);
    }
    let col = match order.field {
        OrderField::Name => Some(C::Name),
        OrderField::TotalInvestment => Some(C::TotalInvestmentFen),
        OrderField::CreatedAt => None,
    };
    if let Some(col) = col {
        q = if order.descending { q.order_by_desc(col) } else { q.order_by_asc(col) };
    }
    q = if order.descending { q.order_by_desc(C::Id) } else { q.order_by_asc(C::Id) };
    let rows = q.limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor_of(order: Order) -> impl Fn(&project::Model) -> String {
    move |p| cursor_key(order, p)
}

pub async fn count(db: &DatabaseConnection, filter: &ProjectFilter) -> AppResult<u64> {
    Ok(matching(filter)?.count(db).await?)
}

/// Paired units of many projects at once: project id → units, by unit name.
pub async fn paired_units(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<unit::Model>>> {
    let pairs = project_paired_unit::Entity::find()
        .filter(project_paired_unit::Column::ProjectId.is_in(project_ids.iter().copied()))
        .find_also_related(unit::Entity)
        .all(db)
        .await?;
    let mut out: HashMap<Uuid, Vec<unit::Model>> = HashMap::new();
    for (pair, unit) in pairs {
        if let Some(unit) = unit {
            out.entry(pair.project_id).or_default().push(unit);
        }
    }
    for units in out.values_mut() {
        units.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// Planned investment of many projects for `year`, in fen.
pub async fn year_plans(db: &impl ConnectionTrait, project_ids: &[Uuid], year: i32) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = project_year_plan::Entity::find()
        .select_only()
        .column(project_year_plan::Column::ProjectId)
        .column(project_year_plan::Column::PlannedFen)
        .filter(project_year_plan::Column::ProjectId.is_in(project_ids.iter().copied()))
        .filter(project_year_plan::Column::Year.eq(year))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}
