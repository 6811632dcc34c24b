//! The project library. Who may change what on a project is decided in [`authorize_update`] and
//! [`authorize_unit_work`]; every signed-in caller may read projects.

mod columns;
mod fields;
mod pages;
mod query;
mod write;

pub use columns::Columns;
pub use fields::validate_code;
pub use pages::{ProjectRead, Reads, list_read, page_statement};
pub use query::{
    BoundingBox, Order, OrderField, Parent, ProjectFilter, all_matching, count, counts_under, cursor_of, matching_ids,
    pages_under, paired_units, year_plans,
};
pub use write::{create, update};

use chrono::NaiveDate;
use entity::project::{self, Industry, ProjectCategory, ProjectStatus};
use entity::user::Role;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::Actor;

/// Most paired units one project may list.
const MAX_PAIRED_UNITS: usize = 30;
/// Most points in a site boundary.
const MAX_BOUNDARY_POINTS: usize = 500;

/// A point as a client gave it, in the fields' `datum`.
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
    /// The datum `location` and `boundary` are given in (WGS-84 when none).
    pub datum: Option<crate::service::geo::Datum>,
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
            datum,
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
            && datum.is_none()
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
        Role::Department if caller.acts_for(project.responsible_unit_id) => {
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
        Role::Department if caller.acts_for(project.responsible_unit_id) => Ok(()),
        Role::Department => Err(AppError::Forbidden(format!("only the responsible unit may {what}"))),
        _ => Err(AppError::Forbidden(format!("your role may not {what}"))),
    }
}

pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<project::Model> {
    project::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("project"))
}
