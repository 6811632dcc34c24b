//! HTTP: the router, request ids, the GraphQL endpoint, health probes.

use std::time::Instant;

use async_graphql::ParseRequestError;
use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use futures_util::{StreamExt, TryStreamExt};
use serde_json::json;
use tracing::Instrument;
use uuid::Uuid;

use crate::auth::authenticate;
use crate::error::AppError;
use crate::graphql::{AppSchema, loaders};
use crate::service::photo as photos;
use crate::state::AppState;
use sea_orm::EntityTrait;

/// The id of one HTTP request: taken from a sane `X-Request-Id` header or made here. It is in every
/// log line of the request, in the response header, in every error and in the audit trail.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
struct Server {
    state: AppState,
    schema: AppSchema,
}

pub fn router(state: AppState, schema: AppSchema) -> Router {
    let server = Server { state, schema };
    Router::new()
        .route("/graphql", get(graphiql).post(graphql))
        .route("/photos/{id}/{variant}", get(photo))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(server)
        .layer(middleware::from_fn(request_id))
}

async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty() && v.len() <= 64 && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| Uuid::now_v7().to_string());
    request.extensions_mut().insert(RequestId(id.clone()));
    let span =
        tracing::info_span!("request", request_id = %id, method = %request.method(), path = %request.uri().path());
    let started = Instant::now();
    let mut response = next.run(request).instrument(span.clone()).await;
    span.in_scope(|| {
        tracing::debug!(status = response.status().as_u16(), elapsed_ms = started.elapsed().as_millis() as u64, "done");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// An error answered before GraphQL execution, in the same shape GraphQL errors have.
fn error_response(status: StatusCode, err: &AppError, request_id: &RequestId) -> Response {
    let body = json!({
        "errors": [{
            "message": err.to_string(),
            "extensions": { "code": err.code(), "requestId": request_id.0 },
        }]
    });
    let mut response = (status, Json(body)).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

async fn graphql(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let state = &server.state;
    let limits = &state.config.limits;
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let batch = if content_type.is_some_and(|t| t.starts_with("multipart/form-data")) {
        // Uploads stream to temporary files: memory stays bounded whatever the files' size.
        let options =
            MultipartOptions::default().max_file_size(limits.max_photo_bytes).max_num_files(limits.max_photo_files);
        let total = limits.max_photo_bytes.saturating_mul(limits.max_photo_files).saturating_add(limits.max_body_bytes);
        let stream = limited(body, total).into_async_read();
        async_graphql::http::receive_batch_body(content_type, stream, options).await
    } else {
        let bytes = match axum::body::to_bytes(body, limits.max_body_bytes).await {
            Ok(bytes) => bytes,
            Err(_) => {
                let err =
                    AppError::PayloadTooLarge(format!("the request body exceeds {} bytes", limits.max_body_bytes));
                return error_response(StatusCode::PAYLOAD_TOO_LARGE, &err, &request_id);
            }
        };
        async_graphql::http::receive_batch_body(
            content_type,
            futures_util::io::Cursor::new(bytes),
            MultipartOptions::default(),
        )
        .await
    };
    let batch = match batch {
        Ok(batch) => batch,
        Err(ParseRequestError::PayloadTooLarge) => {
            let err = AppError::PayloadTooLarge(format!(
                "a file has at most {} bytes, a request at most {} files",
                limits.max_photo_bytes, limits.max_photo_files
            ));
            return error_response(StatusCode::PAYLOAD_TOO_LARGE, &err, &request_id);
        }
        Err(e) => {
            let err = AppError::BadUserInput { field: None, message: format!("unreadable GraphQL request: {e}") };
            return error_response(StatusCode::BAD_REQUEST, &err, &request_id);
        }
    };
    let files = match &batch {
        BatchRequest::Single(r) => r.uploads.len(),
        BatchRequest::Batch(rs) => rs.iter().map(|r| r.uploads.len()).sum(),
    };
    if files > limits.max_photo_files {
        let err = AppError::PayloadTooLarge(format!("a request carries at most {} files", limits.max_photo_files));
        return error_response(StatusCode::PAYLOAD_TOO_LARGE, &err, &request_id);
    }
    if let BatchRequest::Batch(requests) = &batch
        && requests.len() > limits.max_batch
    {
        let err = AppError::BadUserInput {
            field: None,
            message: format!("a batch holds at most {} operations; this one has {}", limits.max_batch, requests.len()),
        };
        return error_response(StatusCode::BAD_REQUEST, &err, &request_id);
    }
    let caller = match authenticate(&state.accounts, &state.keys, &headers).await {
        Ok(caller) => caller,
        Err(err @ AppError::Unauthenticated(_)) => {
            return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
        }
        Err(err) => {
            if let AppError::Internal(detail) = &err {
                tracing::error!(detail = %detail, "authentication failed");
            }
            return error_response(StatusCode::SERVICE_UNAVAILABLE, &err, &request_id);
        }
    };
    let prepare = |request: async_graphql::Request| {
        let request = loaders::register(request, &state.db).data(request_id.clone());
        match &caller {
            Some(caller) => request.data(caller.clone()),
            None => request,
        }
    };
    let execute = |request| async {
        let mut response = server.schema.execute(prepare(request)).await;
        for error in &mut response.errors {
            error.extensions.get_or_insert_with(Default::default).set("requestId", request_id.0.as_str());
        }
        response
    };
    let response: BatchResponse = match batch {
        BatchRequest::Single(request) => BatchResponse::Single(execute(request).await),
        BatchRequest::Batch(requests) => {
            let mut responses = Vec::with_capacity(requests.len());
            for request in requests {
                responses.push(execute(request).await);
            }
            BatchResponse::Batch(responses)
        }
    };
    let mut http = Json(response).into_response();
    http.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

async fn graphiql(State(server): State<Server>) -> Response {
    if server.state.config.graphiql {
        Html(GraphiQLSource::build().endpoint("/graphql").title("Key projects API").finish()).into_response()
    } else {
        (StatusCode::METHOD_NOT_ALLOWED, "POST GraphQL requests to this endpoint").into_response()
    }
}

/// Counters in the Prometheus text format.
async fn metrics(State(server): State<Server>) -> Response {
    let body = format!(
        "# HELP keyprojects_sql_statements_total SQL statements executed by this instance.\n\
         # TYPE keyprojects_sql_statements_total counter\n\
         keyprojects_sql_statements_total {}\n",
        server.state.statements_executed()
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The process is up.
async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
async fn readyz(State(server): State<Server>) -> Response {
    match server.state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// The body as a stream that fails once more than `max` bytes have come.
fn limited(body: Body, max: usize) -> impl futures_util::Stream<Item = std::io::Result<bytes::Bytes>> {
    let mut seen = 0usize;
    body.into_data_stream().map(move |chunk| {
        let chunk = chunk.map_err(std::io::Error::other)?;
        seen = seen.saturating_add(chunk.len());
        if seen > max {
            return Err(std::io::Error::other(format!("the request body exceeds {max} bytes")));
        }
        Ok(chunk)
    })
}

#[derive(serde::Deserialize)]
struct LinkQuery {
    exp: Option<i64>,
    sig: Option<String>,
}

/// A photo's bytes: the original or a thumbnail. Authorised by a bearer token (checked against who
/// may see the photo) or by a signed link from `Photo.url` / `Photo.thumbnailUrl`.
async fn photo(
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
    let found = if headers.contains_key(header::AUTHORIZATION) {
        match authenticate(&state.accounts, &state.keys, &headers).await {
            Ok(Some(caller)) => {
                let actor = crate::service::Actor::User { caller, request_id: Some(request_id.0.clone()) };
                photos::find_for(&state.db, &actor, id).await
            }
            Ok(None) | Err(AppError::Unauthenticated(_)) => {
                let err = AppError::Unauthenticated("sign in first");
                return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
            }
            Err(e) => Err(e),
        }
    } else {
        let secret = state.config.jwt_secret.expose();
        let signed = match (link.exp, link.sig.as_deref()) {
            (Some(exp), Some(sig)) => photos::verify_link(secret, id, variant, exp, sig, chrono::Utc::now()),
            _ => false,
        };
        if !signed {
            let err = AppError::Unauthenticated("a bearer token or a valid, unexpired signed link is needed");
            return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
        }
        entity::photo::Entity::find_by_id(id)
            .one(&state.db)
            .await
            .map_err(AppError::from)
            .and_then(|p| p.ok_or(AppError::NotFound("photo")))
    };
    let photo = match found {
        Ok(p) => p,
        Err(AppError::NotFound(_)) => return not_found(),
        Err(e) => return error_response(StatusCode::SERVICE_UNAVAILABLE, &e, &request_id),
    };
    let (key, content_type, etag) = match variant {
        photos::Variant::Original => {
            (photo.object_key.clone(), crate::graphql::photo::mime(&photo.format), format!("\"{}\"", photo.sha256))
        }
        photos::Variant::Thumbnail(size) if photo.thumbnails => {
            (photos::thumbnail_key(&photo, size), "image/jpeg", format!("\"{}-{size}\"", photo.sha256))
        }
        photos::Variant::Thumbnail(_) => return not_found(),
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
