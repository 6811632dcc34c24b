//! The photo download route: originals and thumbnails, by token or signed link.

use axum::Extension;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::error::AppError;
use crate::service::photo as photos;
use entity::integration_key::Scope;

use super::*;

#[derive(serde::Deserialize)]
pub(super) struct LinkQuery {
    exp: Option<i64>,
    sig: Option<String>,
}

/// A photo's bytes: the original or a thumbnail. Authorised by a bearer token (checked against who
/// may see the photo) or by a signed link from `Photo.url` / `Photo.thumbnailUrl`.
pub(super) async fn photo(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    axum::extract::Path((id, variant)): axum::extract::Path<(String, String)>,
    axum::extract::Query(link): axum::extract::Query<LinkQuery>,
    headers: HeaderMap,
) -> Response {
    let state = &server.state;
    let not_found = || error_response(StatusCode::NOT_FOUND, &AppError::NotFound("photo"), &request_id);
    let (Ok(id), Some(variant)) = (id.parse::<Uuid>(), photos::Variant::parse(&variant)) else {
        return not_found();
    };
    let pass = if headers.contains_key(header::AUTHORIZATION) {
        match bearer(state, &headers, &request_id, Scope::PhotosRead).await {
            Ok(caller) => {
                photos::Pass::Bearer(crate::service::Actor::User { caller, request_id: Some(request_id.0.clone()) })
            }
            Err(response) => return response,
        }
    } else {
        photos::Pass::SignedLink { secret: state.config.jwt_secret.expose(), exp: link.exp, sig: link.sig.as_deref() }
    };
    let photos::Download { key, content_type, etag } =
        match photos::download(&state.db, pass, id, variant, chrono::Utc::now()).await {
            Ok(found) => found,
            Err(AppError::NotFound(_)) => return not_found(),
            Err(err @ AppError::Unauthenticated(_)) => {
                return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
            }
            Err(e) => return error_response(StatusCode::SERVICE_UNAVAILABLE, &e, &request_id),
        };
    let cache = HeaderValue::from_static("private, max-age=3600, immutable");
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        let mut r = StatusCode::NOT_MODIFIED.into_response();
        r.headers_mut().insert(header::CACHE_CONTROL, cache);
        if let Ok(v) = HeaderValue::from_str(&etag) {
            r.headers_mut().insert(header::ETAG, v);
        }
        return r;
    }
    let stream = match state.storage.stream(&key).await {
        Ok(Some(stream)) => stream,
        Ok(None) => return not_found(),
        Err(e) => {
            if let AppError::Internal(detail) = &e {
                tracing::error!(detail = %detail, "photo storage");
            }
            return error_response(StatusCode::SERVICE_UNAVAILABLE, &e, &request_id);
        }
    };
    let mut r = Body::from_stream(stream).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, cache);
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    r
}
