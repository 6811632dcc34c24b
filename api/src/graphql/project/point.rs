//! A point as clients read it, in the datum they asked for.

use async_graphql::SimpleObject;
use entity::geo::Datum;

/// A point, in the datum its field was asked for (WGS-84 unless a `datum` argument says otherwise).
#[derive(SimpleObject, Debug, Clone, Copy)]
pub struct GeoPoint {
    /// Latitude in degrees, north positive.
    pub lat: f64,
    /// Longitude in degrees, east positive.
    pub lng: f64,
}

impl GeoPoint {
    /// A stored (WGS-84) point in `datum`.
    pub fn shown(lat: f64, lng: f64, datum: Datum) -> Self {
        let p = crate::service::geo::shown(lat, lng, datum);
        Self { lat: p.lat, lng: p.lng }
    }
}
