//! The map feeds: what a county's map page polls, as RFC 7946 GeoJSON FeatureCollections — the
//! projects a filter selects, and a project's photos and inspections. Positions are in the datum the
//! map draws in (stored in WGS-84, see [`super::geo`]); each feed is bounded.

mod evidence;
mod projects;
mod query;

pub use evidence::{MAX_POINTS, inspections, photos};
pub use projects::{MAX_PROJECTS, MapRequest, projects};
pub use query::{MapFeed, evidence_query, projects_query};

use serde::Serialize;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::geo::{self, Datum};

#[derive(Serialize)]
struct Collection<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    features: Vec<Feature<P>>,
}

#[derive(Serialize)]
struct Feature<P> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: Uuid,
    geometry: Shape,
    properties: P,
}

impl<P> Feature<P> {
    fn new(id: Uuid, geometry: Shape, properties: P) -> Self {
        Self { kind: "Feature", id, geometry, properties }
    }
}

/// A GeoJSON geometry.
#[derive(Serialize)]
#[serde(tag = "type")]
enum Shape {
    Point { coordinates: [f64; 2] },
    GeometryCollection { geometries: Vec<Shape> },
    Polygon { coordinates: Vec<Vec<[f64; 2]>> },
}

/// The feed's body.
fn collection<P: Serialize>(features: Vec<Feature<P>>) -> AppResult<Vec<u8>> {
    serde_json::to_vec(&Collection { kind: "FeatureCollection", features }).map_err(AppError::internal)
}

/// A `[lng, lat]` position in `datum`, rounded to 7 decimals (about a centimetre).
fn position(lat: f64, lng: f64, datum: Datum) -> [f64; 2] {
    let p = geo::shown(lat, lng, datum);
    let round = |x: f64| (x * 1e7).round() / 1e7;
    [round(p.lng), round(p.lat)]
}
