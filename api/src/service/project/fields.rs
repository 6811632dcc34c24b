//! Validating a project's fields and applying them onto its row.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use entity::project;
use entity::user;
use entity::user::Role;
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::error::{AppError, AppResult};
use crate::service::geo::{self, Datum};
use crate::service::kit;
use crate::service::money::{percent_to_bp, wan_to_fen};

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
    crate::service::text::required(field, value, min, max)
}

/// A point given in `datum`, checked and in WGS-84.
fn check_point(field: &str, p: LatLng, datum: Datum) -> AppResult<LatLng> {
    let p = geo::received(field, p.lat, p.lng, datum)?;
    Ok(LatLng { lat: p.lat, lng: p.lng })
}

pub(super) async fn check_references(db: &impl ConnectionTrait, fields: &ProjectFields) -> AppResult<()> {
    if let Some(unit_id) = fields.responsible_unit_id {
        kit::require_units(db, "responsibleUnitId", &BTreeSet::from([unit_id])).await?;
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
        kit::require_units(db, "pairedUnitIds", &distinct).await?;
    }
    Ok(())
}

/// Applies `fields` onto `model` (validating each), returning the year plans and paired units to
/// store when they were given.
pub(super) fn apply(model: &mut project::Model, fields: &ProjectFields, today: NaiveDate) -> AppResult<()> {
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
    let datum = fields.datum.unwrap_or_default();
    if fields.datum.is_some() && fields.location.is_none() && fields.boundary.is_none() {
        return Err(AppError::bad_input("datum", "a datum comes with the location or boundary it is of"));
    }
    if let Some(p) = fields.location {
        let p = check_point("location", p, datum)?;
        model.lat = p.lat;
        model.lng = p.lng;
        model.location_datum = datum;
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
            let points = points.iter().map(|p| check_point("boundary", *p, datum)).collect::<AppResult<Vec<_>>>()?;
            model.boundary = Some(json!(points.iter().map(|p| [p.lng, p.lat]).collect::<Vec<_>>()));
            model.location_datum = datum;
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

pub(super) fn validated_year_plans(plans: &[(i32, Decimal)]) -> AppResult<Vec<(i32, i64)>> {
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
