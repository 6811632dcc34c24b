//! The feeds' URL queries: which feed a path names, and what each one's query may say. The route
//! reads them, and `mapFeedUrl` checks a query with the same rules before signing a link to it.

use entity::integration_key::Scope;
use uuid::Uuid;

use super::MapRequest;
use crate::error::{AppError, AppResult};
use crate::service::geo::{self, Datum};
use crate::service::project::{BoundingBox, ProjectFilter};
use crate::service::text::query_pairs;

/// The map feeds there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum MapFeed {
    /// `/geo/projects.geojson`: the projects a filter selects.
    Projects,
    /// `/geo/photos.geojson`: a project's photos.
    Photos,
    /// `/geo/inspections.geojson`: a project's inspections.
    Inspections,
}

impl MapFeed {
    /// The route's path.
    pub fn path(self) -> &'static str {
        match self {
            Self::Projects => "/geo/projects.geojson",
            Self::Photos => "/geo/photos.geojson",
            Self::Inspections => "/geo/inspections.geojson",
        }
    }

    /// What an integration key must be allowed to read to fetch the feed.
    pub fn scope(self) -> Scope {
        match self {
            Self::Projects => Scope::ProjectsRead,
            Self::Photos => Scope::PhotosRead,
            Self::Inspections => Scope::InspectionsRead,
        }
    }

    /// Checks `query` as the feed's route will read it.
    pub fn check(self, query: &str) -> AppResult<()> {
        match self {
            Self::Projects => projects_query(query).map(drop),
            Self::Photos | Self::Inspections => evidence_query(query).map(drop),
        }
    }
}

/// The query of a project's evidence feeds: `projectId` (required) and `datum`.
pub fn evidence_query(query: &str) -> AppResult<(Uuid, Datum)> {
    let mut project = None;
    let mut datum = Datum::Wgs84;
    for (name, value) in query_pairs(query)? {
        match name.as_str() {
            "projectId" => project = Some(id(&name, &value)?),
            "datum" => datum = enum_value(&name, &value.to_ascii_uppercase())?,
            _ => return Err(AppError::bad_input(name, "not a parameter of this feed")),
        }
    }
    Ok((project.ok_or_else(|| AppError::bad_input("projectId", "which project's map"))?, datum))
}

/// Reads the projects feed's query: `category`, `industry`, `status`, `light` (as the GraphQL enums
/// spell them), `responsibleUnitId`, `leaderId`, `bbox=west,south,east,north` and `datum` (`wgs84`,
/// `gcj02`, `bd09`; `bbox` is in it too). Anything else is refused, so a typo is not a silent no-op.
pub fn projects_query(query: &str) -> AppResult<MapRequest> {
    let pairs = query_pairs(query)?;
    let mut request = MapRequest { filter: ProjectFilter::default(), light: None, datum: Datum::Wgs84 };
    let mut bbox = None;
    for (name, value) in &pairs {
        let f = &mut request.filter;
        match name.as_str() {
            "category" => f.category = Some(enum_value(name, value)?),
            "industry" => f.industry = Some(enum_value(name, value)?),
            "status" => f.status = Some(enum_value(name, value)?),
            "light" => request.light = Some(enum_value(name, value)?),
            "responsibleUnitId" => f.responsible_unit_id = Some(id(name, value)?),
            "leaderId" => f.leader_id = Some(id(name, value)?),
            "bbox" => bbox = Some(value.as_str()),
            "datum" => request.datum = enum_value(name, &value.to_ascii_uppercase())?,
            _ => return Err(AppError::bad_input(name, "not a parameter of this feed")),
        }
    }
    if let Some(bbox) = bbox {
        request.filter.bbox = Some(bounding_box(bbox, request.datum)?);
    }
    Ok(request)
}

fn enum_value<T: serde::de::DeserializeOwned>(name: &str, value: &str) -> AppResult<T> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|_| AppError::bad_input(name, format!("`{value}` is not one of its values")))
}

fn id(name: &str, value: &str) -> AppResult<Uuid> {
    value.parse().map_err(|_| AppError::bad_input(name, "a UUID"))
}

/// `west,south,east,north` in `datum`, as a WGS-84 window.
fn bounding_box(value: &str, datum: Datum) -> AppResult<BoundingBox> {
    let bad = || AppError::bad_input("bbox", "west,south,east,north in degrees, south ≤ north and west ≤ east");
    let numbers: Vec<f64> =
        value.split(',').map(|n| n.trim().parse::<f64>().map_err(|_| bad())).collect::<Result<_, _>>()?;
    let [west, south, east, north] = numbers[..] else { return Err(bad()) };
    let sw = geo::received("bbox", south, west, datum)?;
    let ne = geo::received("bbox", north, east, datum)?;
    if !(sw.lat <= ne.lat && sw.lng <= ne.lng) {
        return Err(bad());
    }
    Ok(BoundingBox { south: sw.lat, west: sw.lng, north: ne.lat, east: ne.lng })
}
