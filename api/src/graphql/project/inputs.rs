//! What clients send to create, change, filter and order projects.

use async_graphql::{Enum, InputObject};
use entity::geo::Datum;
use entity::project::{Industry, Light, ProjectCategory, ProjectStatus};
use uuid::Uuid;

use crate::graphql::scalars::{Date, Decimal};
use crate::service::project::{LatLng, Order, OrderField, ProjectFields};

/// A point given by a client, in the datum its input names (WGS-84 when none).
#[derive(InputObject, Debug, Clone, Copy)]
pub struct GeoPointInput {
    /// Latitude in degrees, -90 to 90.
    pub lat: f64,
    /// Longitude in degrees, -180 to 180.
    pub lng: f64,
}

impl From<GeoPointInput> for LatLng {
    fn from(p: GeoPointInput) -> Self {
        LatLng { lat: p.lat, lng: p.lng }
    }
}

/// A year's planned investment.
#[derive(InputObject, Debug, Clone)]
pub struct YearPlanInput {
    /// Calendar year.
    pub year: i32,
    /// Planned investment for the year, 万元 (decimal string).
    pub planned_investment: Decimal,
}

/// A new project. ADMIN only.
#[derive(InputObject)]
pub struct CreateProjectInput {
    /// National investment project code, 24 characters, e.g. `2026-430781-04-01-123456`.
    pub code: Option<String>,
    /// Project name, 2 to 200 characters.
    pub name: String,
    /// Which list the project is on.
    pub category: ProjectCategory,
    /// The project's industry.
    pub industry: Industry,
    /// Where the project stands (PLANNED when omitted).
    pub status: Option<ProjectStatus>,
    /// The responsible unit (部门包项目).
    pub responsible_unit_id: Uuid,
    /// The linked leader (领导联项目): an active LEADER account.
    pub leader_id: Uuid,
    /// Paired service units (六包/结对).
    pub paired_unit_ids: Option<Vec<Uuid>>,
    /// Total investment, 万元.
    pub total_investment: Decimal,
    /// Planned investment per year.
    pub year_plans: Option<Vec<YearPlanInput>>,
    /// Planned start of construction.
    pub planned_start: Option<Date>,
    /// Required completion date.
    pub planned_completion: Option<Date>,
    /// The site's reference point, in `datum`.
    pub location: GeoPointInput,
    /// Radius counted as "on site", metres (500 when omitted).
    pub site_radius_m: Option<i32>,
    /// Site boundary, 3 to 500 points, in `datum`.
    pub boundary: Option<Vec<GeoPointInput>>,
    /// The datum `location` and `boundary` are given in (WGS84 when omitted): GCJ02 for points picked
    /// on an AMap or Tencent map, BD09 on a Baidu map. They are stored in WGS-84.
    pub datum: Option<Datum>,
    /// Street address.
    pub address: Option<String>,
    /// What the project builds.
    pub description: Option<String>,
    /// Investment completed before reporting in this system, 万元.
    pub prior_completed_investment: Option<Decimal>,
}

/// Changes to a project; omitted fields stay. ADMIN may change every field; the responsible unit's
/// DEPARTMENT users only `progressPercent`, `priorCompletedInvestment`, `actualStart` and
/// `actualCompletion`.
#[derive(InputObject, Default)]
pub struct UpdateProjectInput {
    /// National investment project code; an empty string removes it.
    pub code: Option<String>,
    /// Project name.
    pub name: Option<String>,
    /// Which list the project is on.
    pub category: Option<ProjectCategory>,
    /// The project's industry.
    pub industry: Option<Industry>,
    /// Where the project stands.
    pub status: Option<ProjectStatus>,
    /// The responsible unit.
    pub responsible_unit_id: Option<Uuid>,
    /// The linked leader.
    pub leader_id: Option<Uuid>,
    /// Paired service units (replaces the list).
    pub paired_unit_ids: Option<Vec<Uuid>>,
    /// Total investment, 万元.
    pub total_investment: Option<Decimal>,
    /// Planned investment per year (replaces the list).
    pub year_plans: Option<Vec<YearPlanInput>>,
    /// Planned start.
    pub planned_start: Option<Date>,
    /// Required completion date.
    pub planned_completion: Option<Date>,
    /// The site's reference point, in `datum`.
    pub location: Option<GeoPointInput>,
    /// Radius counted as "on site", metres.
    pub site_radius_m: Option<i32>,
    /// Site boundary, in `datum` (an empty list removes it).
    pub boundary: Option<Vec<GeoPointInput>>,
    /// The datum `location` and `boundary` are given in (WGS84 when omitted); only with one of them.
    pub datum: Option<Datum>,
    /// Street address.
    pub address: Option<String>,
    /// What the project builds.
    pub description: Option<String>,
    /// Physical progress, percent (operational).
    pub progress_percent: Option<Decimal>,
    /// Investment completed before reporting in this system, 万元 (operational).
    pub prior_completed_investment: Option<Decimal>,
    /// Actual start (operational).
    pub actual_start: Option<Date>,
    /// Actual completion (operational).
    pub actual_completion: Option<Date>,
}

fn plans(input: Option<Vec<YearPlanInput>>) -> Option<Vec<(i32, rust_decimal::Decimal)>> {
    input.map(|v| v.into_iter().map(|p| (p.year, p.planned_investment.0)).collect())
}

fn points(input: Option<Vec<GeoPointInput>>) -> Option<Vec<LatLng>> {
    input.map(|v| v.into_iter().map(LatLng::from).collect())
}

impl From<CreateProjectInput> for ProjectFields {
    fn from(i: CreateProjectInput) -> Self {
        Self {
            code: i.code,
            name: Some(i.name),
            category: Some(i.category),
            industry: Some(i.industry),
            status: i.status,
            responsible_unit_id: Some(i.responsible_unit_id),
            leader_id: Some(i.leader_id),
            paired_unit_ids: i.paired_unit_ids,
            total_investment: Some(i.total_investment.0),
            year_plans: plans(i.year_plans),
            planned_start: i.planned_start.map(|d| d.0),
            planned_completion: i.planned_completion.map(|d| d.0),
            location: Some(i.location.into()),
            site_radius_m: i.site_radius_m,
            boundary: points(i.boundary),
            datum: i.datum,
            address: i.address,
            description: i.description,
            progress_percent: None,
            prior_completed_investment: i.prior_completed_investment.map(|d| d.0),
            actual_start: None,
            actual_completion: None,
        }
    }
}

impl From<UpdateProjectInput> for ProjectFields {
    fn from(i: UpdateProjectInput) -> Self {
        Self {
            code: i.code,
            name: i.name,
            category: i.category,
            industry: i.industry,
            status: i.status,
            responsible_unit_id: i.responsible_unit_id,
            leader_id: i.leader_id,
            paired_unit_ids: i.paired_unit_ids,
            total_investment: i.total_investment.map(|d| d.0),
            year_plans: plans(i.year_plans),
            planned_start: i.planned_start.map(|d| d.0),
            planned_completion: i.planned_completion.map(|d| d.0),
            location: i.location.map(Into::into),
            site_radius_m: i.site_radius_m,
            boundary: points(i.boundary),
            datum: i.datum,
            address: i.address,
            description: i.description,
            progress_percent: i.progress_percent.map(|d| d.0),
            prior_completed_investment: i.prior_completed_investment.map(|d| d.0),
            actual_start: i.actual_start.map(|d| d.0),
            actual_completion: i.actual_completion.map(|d| d.0),
        }
    }
}

/// A map window in WGS-84 degrees.
#[derive(InputObject, Debug, Clone, Copy)]
pub struct BoundingBoxInput {
    /// Southern latitude.
    pub south: f64,
    /// Western longitude.
    pub west: f64,
    /// Northern latitude.
    pub north: f64,
    /// Eastern longitude.
    pub east: f64,
}

/// Narrows `projects`; every field set must match.
#[derive(InputObject, Default)]
pub struct ProjectFilter {
    /// Only this list.
    pub category: Option<ProjectCategory>,
    /// Only this status.
    pub status: Option<ProjectStatus>,
    /// Only this industry.
    pub industry: Option<Industry>,
    /// Only projects this unit is responsible for.
    pub responsible_unit_id: Option<Uuid>,
    /// Only projects linked to this leader.
    pub leader_id: Option<Uuid>,
    /// Only projects showing this light today.
    pub light: Option<Light>,
    /// Part of the name or the project code (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
    /// Only projects whose location lies in this window.
    pub bbox: Option<BoundingBoxInput>,
}

impl ProjectFilter {
    /// The filter as the project service reads it, and the light, which is narrowed to separately.
    pub fn split(self) -> (crate::service::project::ProjectFilter, Option<Light>) {
        let filter = crate::service::project::ProjectFilter {
            category: self.category,
            status: self.status,
            industry: self.industry,
            responsible_unit_id: self.responsible_unit_id,
            leader_id: self.leader_id,
            showing: None,
            search: self.search,
            bbox: self.bbox.map(|b| crate::service::project::BoundingBox {
                south: b.south,
                west: b.west,
                north: b.north,
                east: b.east,
            }),
        };
        (filter, self.light)
    }
}

/// What `projects` can be ordered by.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum ProjectOrderField {
    /// Project name.
    #[default]
    Name,
    /// Total investment.
    TotalInvestment,
    /// When the project was entered.
    CreatedAt,
}

/// Sort direction.
#[derive(Enum, Copy, Clone, Eq, PartialEq, Default)]
pub enum SortDirection {
    /// Smallest first.
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How to order `projects`.
#[derive(InputObject, Default)]
pub struct ProjectOrder {
    /// The sort key (NAME when omitted).
    pub field: Option<ProjectOrderField>,
    /// The direction (ASC when omitted).
    pub direction: Option<SortDirection>,
}

impl From<Option<ProjectOrder>> for Order {
    fn from(o: Option<ProjectOrder>) -> Self {
        let o = o.unwrap_or_default();
        Order {
            field: match o.field.unwrap_or_default() {
                ProjectOrderField::Name => OrderField::Name,
                ProjectOrderField::TotalInvestment => OrderField::TotalInvestment,
                ProjectOrderField::CreatedAt => OrderField::CreatedAt,
            },
            descending: o.direction.unwrap_or_default() == SortDirection::Desc,
        }
    }
}
