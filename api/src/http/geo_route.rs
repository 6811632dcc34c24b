//! The map feed routes: `GET /geo/projects.geojson`, `/geo/photos.geojson` and
//! `/geo/inspections.geojson`, by bearer token (a user's, or an integration key's with the scope to
//! read them). The projects' query narrows them as `projects(filter:)` does; each names the datum the
//! map draws in. An answer carries an ETag, so a page polling every minute is told `304 Not Modified`
//! while nothing moved, and is gzipped when the client accepts it.

use std::io::Write;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use entity::integration_key::Scope;
use sha2::Digest;

use super::*;
use crate::error::AppError;
use crate::service::geo::{self, Datum};
use crate::service::map::{self, MapRequest};
use crate::service::project::{BoundingBox, ProjectFilter};

/// Longest query string the feed reads.
const MAX_QUERY: usize = 2000;
/// Longest value of one parameter.
const MAX_VALUE: usize = 200;

pub(super) async fn projects(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let state = &server.state;
    let caller = match bearer(state, &headers, &request_id, Scope::ProjectsRead).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let request = match parse(query.as_deref().unwrap_or_default()) {
        Ok(request) => request,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e, &request_id),
    };
    let answer = map::projects(&state.db, &caller, request, state.config.clock.today()).await;
    respond(answer, &headers, &request_id)
}

/// A project's photos: `GET /geo/photos.geojson?projectId=…&datum=…`.
pub(super) async fn photos(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    evidence(&server, &request_id, query.as_deref(), &headers, Scope::PhotosRead).await
}

/// A project's inspections: `GET /geo/inspections.geojson?projectId=…&datum=…`.
pub(super) async fn inspections(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    evidence(&server, &request_id, query.as_deref(), &headers, Scope::InspectionsRead).await
}

/// A project's photos (`scope` PHOTOS_READ) or inspections (INSPECTIONS_READ).
async fn evidence(
    server: &Server,
    request_id: &RequestId,
    query: Option<&str>,
    headers: &HeaderMap,
    scope: Scope,
) -> Response {
    let state = &server.state;
    let caller = match bearer(state, headers, request_id, scope).await {
        Ok(caller) => caller,
        Err(response) => return response,
    };
    let (project, datum) = match of_project(query.unwrap_or_default()) {
        Ok(parsed) => parsed,
        Err(e) => return error_response(StatusCode::BAD_REQUEST, &e, request_id),
    };
    let answer = if scope == Scope::PhotosRead {
        map::photos(&state.db, &caller, project, datum, state.config.jwt_secret.expose()).await
    } else {
        map::inspections(&state.db, &caller, project, datum).await
    };
    respond(answer, headers, request_id)
}

/// A feed's answer: the body, cached, or the error with its status.
fn respond(answer: Result<Vec<u8>, AppError>, headers: &HeaderMap, request_id: &RequestId) -> Response {
    match answer {
        Ok(body) => cached(body, "application/geo+json", headers),
        Err(e @ AppError::BadUserInput { .. }) => error_response(StatusCode::BAD_REQUEST, &e, request_id),
        Err(e @ AppError::NotFound(_)) => error_response(StatusCode::NOT_FOUND, &e, request_id),
        Err(e) => {
            if let AppError::Internal(detail) = &e {
                tracing::error!(detail = %detail, "map feed");
            }
            error_response(StatusCode::SERVICE_UNAVAILABLE, &e, request_id)
        }
    }
}

/// The query of a project's evidence feeds: `projectId` (required) and `datum`.
fn of_project(query: &str) -> Result<(Uuid, Datum), AppError> {
    let mut project = None;
    let mut datum = Datum::Wgs84;
    for (name, value) in pairs(query)? {
        match name.as_str() {
            "projectId" => project = Some(id(&name, &value)?),
            "datum" => datum = enum_value(&name, &value.to_ascii_uppercase())?,
            _ => return Err(AppError::bad_input(name, "not a parameter of this feed")),
        }
    }
    Ok((project.ok_or_else(|| AppError::bad_input("projectId", "which project's map"))?, datum))
}

/// The query's name–value pairs, each within bounds.
pub(super) fn pairs(query: &str) -> Result<Vec<(String, String)>, AppError> {
    if query.len() > MAX_QUERY {
        return Err(AppError::bad_input("query", format!("at most {MAX_QUERY} characters")));
    }
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query).map_err(|_| AppError::bad_input("query", "not a URL query string"))?;
    if let Some((name, _)) = pairs.iter().find(|(_, value)| value.len() > MAX_VALUE) {
        return Err(AppError::bad_input(name, format!("at most {MAX_VALUE} characters")));
    }
    Ok(pairs)
}

/// Reads the feed's query: `category`, `industry`, `status`, `light` (as the GraphQL enums spell
/// them), `responsibleUnitId`, `leaderId`, `bbox=west,south,east,north` and `datum` (`wgs84`,
/// `gcj02`, `bd09`; `bbox` is in it too). Anything else is refused, so a typo is not a silent no-op.
fn parse(query: &str) -> Result<MapRequest, AppError> {
    let pairs = pairs(query)?;
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

fn enum_value<T: serde::de::DeserializeOwned>(name: &str, value: &str) -> Result<T, AppError> {
    serde_json::from_value(serde_json::Value::String(value.to_owned()))
        .map_err(|_| AppError::bad_input(name, format!("`{value}` is not one of its values")))
}

fn id(name: &str, value: &str) -> Result<Uuid, AppError> {
    value.parse().map_err(|_| AppError::bad_input(name, "a UUID"))
}

/// `west,south,east,north` in `datum`, as a WGS-84 window.
fn bounding_box(value: &str, datum: Datum) -> Result<BoundingBox, AppError> {
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

/// `body` with a weak ETag (it names the content, whichever encoding carries it), revalidated on
/// every poll, gzipped when the client accepts gzip; `304` when the client holds it already.
fn cached(body: Vec<u8>, content_type: &'static str, headers: &HeaderMap) -> Response {
    let digest = sha2::Sha256::digest(&body);
    let etag = format!("W/\"{}\"", crate::service::text::hex(&digest[..16]));
    let mut r = if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        StatusCode::NOT_MODIFIED.into_response()
    } else if accepts_gzip(headers) {
        let mut gz = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::fast());
        match gz.write_all(&body).and_then(|()| gz.finish()) {
            Ok(zipped) => {
                let mut r = zipped.into_response();
                r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            Err(_) => body.into_response(),
        }
    } else {
        body.into_response()
    };
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("private, no-cache"));
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding, Authorization"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    r
}

/// Whether `Accept-Encoding` lists gzip with a weight above zero.
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).any(
        |item| {
            let mut parts = item.split(';').map(str::trim);
            let coding = parts.next().unwrap_or_default();
            let refused =
                parts.any(|p| p.replace(' ', "").starts_with("q=0") && !p.contains(|c: char| ('1'..='9').contains(&c)));
            (coding.eq_ignore_ascii_case("gzip") || coding == "*") && !refused
        },
    )
}
