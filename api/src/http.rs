//! HTTP: the router, request ids, the GraphQL endpoint, health probes.

use std::time::Instant;

use async_graphql::http::{GraphiQLSource, MultipartOptions};
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;
use tracing::Instrument;
use uuid::Uuid;

use crate::auth::authenticate;
use crate::error::AppError;
use crate::graphql::{AppSchema, loaders};
use crate::state::AppState;

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
    let bytes = match axum::body::to_bytes(body, limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let err = AppError::PayloadTooLarge(format!("the request body exceeds {} bytes", limits.max_body_bytes));
            return error_response(StatusCode::PAYLOAD_TOO_LARGE, &err, &request_id);
        }
    };
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let batch = match async_graphql::http::receive_batch_body(
        content_type,
        futures_util::io::Cursor::new(bytes),
        MultipartOptions::default(),
    )
    .await
    {
        Ok(batch) => batch,
        Err(e) => {
            let err = AppError::BadUserInput { field: None, message: format!("unreadable GraphQL request: {e}") };
            return error_response(StatusCode::BAD_REQUEST, &err, &request_id);
        }
    };
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
