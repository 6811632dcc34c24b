//! The map feed routes: `GET /geo/projects.geojson`, `/geo/photos.geojson` and
//! `/geo/inspections.geojson`, by bearer token (a user's, or an integration key's with the scope to
//! read them) or by a signed link (`mapFeedUrl`). The projects' query narrows them as `projects(filter:)` does; each names the datum the
//! map draws in. An answer carries an ETag, so a page polling every minute is told `304 Not Modified`
//! while nothing moved, and is gzipped when the client accepts it.

use std::io::Write;

use axum::Extension;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

use super::*;
use crate::error::AppError;
use crate::service::map::{self, MapFeed};

pub(super) async fn projects(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    feed(&server, &request_id, query.as_deref(), &headers, MapFeed::Projects).await
}

/// A project's photos: `GET /geo/photos.geojson?projectId=…&datum=…`.
pub(super) async fn photos(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    feed(&server, &request_id, query.as_deref(), &headers, MapFeed::Photos).await
}

/// A project's inspections: `GET /geo/inspections.geojson?projectId=…&datum=…`.
pub(super) async fn inspections(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    feed(&server, &request_id, query.as_deref(), &headers, MapFeed::Inspections).await
}

/// One feed, for its caller (by bearer token or signed link), its query read by the feed's rules.
async fn feed(
    server: &Server,
    request_id: &RequestId,
    query: Option<&str>,
    headers: &HeaderMap,
    feed: MapFeed,
) -> Response {
    let state = &server.state;
    let (caller, own) = match caller_of(state, headers, request_id, feed.scope(), feed.path(), query).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let answer = match feed {
        MapFeed::Projects => match map::projects_query(&own) {
            Ok(request) => map::projects(&state.db, &caller, request, state.config.clock.day()).await,
            Err(e) => Err(e),
        },
        MapFeed::Photos | MapFeed::Inspections => match map::evidence_query(&own) {
            Ok((project, datum)) if feed == MapFeed::Photos => {
                map::photos(&state.db, &caller, project, datum, state.config.jwt_secret.expose()).await
            }
            Ok((project, datum)) => map::inspections(&state.db, &caller, project, datum).await,
            Err(e) => Err(e),
        },
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
