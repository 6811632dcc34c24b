//! 六包 pairing service (结对联系): units paired with a project take on duties from the office's
//! list, see the project's issues, cases, inspections and photos, raise issues on it, and log the
//! service they give; a month without a log shows in [`activity`]. Who sees a log is decided by
//! [`service_visibility`], here and nowhere else; which projects a unit serves, by [`serves`].

mod activity;
mod duties;
mod pair;
mod services;

pub use activity::{UnitActivity, activity};
pub use duties::{DutyInput, duties, require_duties, set_duties};
pub use pair::{duties_of, pair, pairings_of, unpair};
pub use services::{NewService, ServiceFilter, count, cursor, list, log, photo_ids_of};

use entity::project;
use entity::user::Role;
use entity::{pairing_service, project_paired_unit};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};

use crate::auth::Caller;
use crate::error::AppResult;
use crate::service::kit::{self, Units};

/// The duties the office's list starts with (the migration writes them; the office may change the
/// list): policy, approvals, land, utilities, financing, the building environment.
pub const DEFAULT_DUTY_CODES: [&str; 6] = ["POLICY", "APPROVAL", "LAND", "UTILITIES", "FINANCING", "ENVIRONMENT"];
/// Most duties on the office's list, and on one pairing.
pub const MAX_DUTIES: usize = 20;
/// Most photos one service log names.
pub const MAX_PHOTOS: usize = 20;

/// Whether `caller` works on `project` as one of its units: ADMIN, INSPECTOR and LEADER always; a
/// department (or a key narrowed to units) when it is the responsible unit or paired with it.
pub async fn serves(db: &impl ConnectionTrait, caller: &Caller, project: &project::Model) -> AppResult<bool> {
    Ok(match caller.role() {
        Role::Admin | Role::Inspector | Role::Leader => true,
        Role::Integration => false,
        Role::Department if caller.acts_for(project.responsible_unit_id) => true,
        Role::Department => pairing_of(db, caller, project.id).await?.is_some(),
    })
}

/// The pairing of the first of `caller`'s units paired with `project`, if one is.
pub async fn pairing_of(
    db: &impl ConnectionTrait,
    caller: &Caller,
    project: uuid::Uuid,
) -> AppResult<Option<project_paired_unit::Model>> {
    if caller.role() != Role::Department {
        return Ok(None);
    }
    let units = caller.units();
    let row = project_paired_unit::Entity::find()
        .filter(project_paired_unit::Column::ProjectId.eq(project))
        .filter(project_paired_unit::Column::UnitId.is_in(units.as_slice().iter().copied()))
        .one(db)
        .await?;
    Ok(row)
}

/// Who sees service logs: the office, leaders and inspectors all; a unit (by
/// [`kit::department_scope`]) the logs of its own units and those on projects it answers for.
pub fn service_visibility(scope: Option<Units>) -> Condition {
    let Some(units) = scope else {
        return Condition::all();
    };
    Condition::any()
        .add(pairing_service::Column::UnitId.is_in(units.as_slice().iter().copied()))
        .add(pairing_service::Column::ProjectId.in_subquery(kit::projects_of_unit(units)))
}

/// Logged under an id the client chose: a replay is told apart by the payload kept with the row.
impl kit::ClientKeyed for pairing_service::Model {
    const KIND: &'static str = "pairing_service";
}
