//! HTTP: the router, request ids, the GraphQL endpoint, health probes.

use std::time::Instant;

mod graphiql;
mod ops;
mod photo_route;
mod serve;
mod upload;
mod ws;

pub use ops::metrics_router;
use ops::{healthz, metrics, readyz};
use photo_route::photo;
pub use serve::{PeerAddr, serve};

use async_graphql::http::MultipartOptions;
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::json;
use tracing::Instrument;
use uuid::Uuid;

use crate::auth::authenticate;
use crate::error::AppError;
use crate::graphql::{AppSchema, loaders};
use crate::service::account::ClientAddr;
use crate::state::AppState;

pub use crate::request::RequestId;

const REQUEST_ID_HEADER: &str = "x-request-id";

#[derive(Clone)]
struct Server {
    state: AppState,
    schema: AppSchema,
    /// The schema's types, for holding integration keys to their scopes.
    types: std::sync::Arc<crate::graphql::scopes::TypeMap>,
    /// WebSocket connections open on this instance (upgraded connections leave the accept loop's
    /// count), at most `max_connections`.
    sockets: std::sync::Arc<tokio::sync::Semaphore>,
}

pub fn router(state: AppState, schema: AppSchema) -> Router {
    let types = std::sync::Arc::new(crate::graphql::scopes::TypeMap::from_sdl(&schema.sdl()));
    let sockets = std::sync::Arc::new(tokio::sync::Semaphore::new(state.config.limits.max_connections));
    let server = Server { state, schema, types, sockets };
    Router::new()
        .route("/graphql", get(graphiql::graphiql).post(graphql))
        .route("/graphql/ws", get(ws::subscriptions))
        .route("/graphiql/{version}/{name}", get(graphiql::asset))
        .route("/photos/{id}/{variant}", get(photo))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(server.clone())
        .layer(middleware::from_fn(request_id))
        .layer(cors(&server.state.config.cors_origins))
}

/// Browsers may call the API from the configured origins alone (none by default). Tokens travel in
/// the `Authorization` header, never in cookies, so no credentials are allowed across origins.
fn cors(origins: &[String]) -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([axum::http::Method::GET, axum::http::Method::POST])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            axum::http::HeaderName::from_static("apollo-require-preflight"),
            axum::http::HeaderName::from_static(REQUEST_ID_HEADER),
        ])
        .expose_headers([axum::http::HeaderName::from_static(REQUEST_ID_HEADER), header::ETAG])
        .max_age(std::time::Duration::from_secs(3600))
}

async fn request_id(mut request: Request, next: Next) -> Response {
    let id = request
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Uuid::try_parse(v).ok())
        .unwrap_or_else(Uuid::now_v7)
        .to_string();
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
    let mut extensions = json!({ "code": err.code(), "requestId": request_id.0 });
    if let AppError::RateLimited { retry_after_secs } = err {
        extensions["retryAfterSecs"] = json!(retry_after_secs);
    }
    let body = json!({ "errors": [{ "message": err.to_string(), "extensions": extensions }] });
    let mut response = (status, Json(body)).into_response();
    if let AppError::RateLimited { retry_after_secs } = err
        && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// Content types a browser may send cross-site without asking first (a "simple" request).
const SIMPLE_CONTENT_TYPES: [&str; 3] = ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"];

/// Whether a POST could not have been sent by a page of another site without the browser asking
/// first: a non-simple content type (JSON), or a header only scripts set — the one the GraphQL
/// multipart request spec's clients send with uploads.
fn preflighted(headers: &HeaderMap) -> bool {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|t| t.split(';').next().unwrap_or_default().trim().to_ascii_lowercase());
    let simple = essence.as_deref().is_none_or(|t| SIMPLE_CONTENT_TYPES.contains(&t));
    !simple
        || ["apollo-require-preflight", "x-apollo-operation-name", "graphql-preflight"]
            .iter()
            .any(|h| headers.get(*h).is_some_and(|v| !v.is_empty()))
}

/// The client's address: the peer of the connection, or, behind a trusted proxy, the last entry of
/// the header that proxy sets (the one it appended; earlier entries are the client's own say).
fn client_addr(headers: &HeaderMap, peer: Option<PeerAddr>, header_name: Option<&str>) -> ClientAddr {
    let from_header = header_name.and_then(|name| {
        let value = headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).next_back()?;
        let last = value.rsplit(',').next()?.trim();
        last.parse::<std::net::IpAddr>().ok()
    });
    let ip = match header_name {
        Some(_) => from_header,
        None => peer.map(|p| p.0.ip()),
    };
    ClientAddr(ip.map(|ip| address_key(ip.to_canonical())))
}

/// How an address is counted: IPv4 as it is; IPv6 by its /64, which one subscriber usually holds
/// whole (counting single IPv6 addresses would give one client 2^64 allowances).
fn address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_string(),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            let prefix = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
            format!("{prefix}/64")
        }
    }
}

async fn graphql(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let state = &server.state;
    let limits = &state.config.limits;
    if !preflighted(&headers) {
        let err = AppError::BadUserInput {
            field: None,
            message: "send GraphQL as application/json, or uploads with an `Apollo-Require-Preflight: true` header"
                .into(),
        };
        return error_response(StatusCode::BAD_REQUEST, &err, &request_id);
    }
    // Who is calling is known from the headers alone, before a byte of the body is read.
    // A refused token does not stop the request: what needs no caller (signing in again) works, and
    // what needs one answers UNAUTHENTICATED, with HTTP 401 when that is all the answer says.
    let (caller, rejected) = match authenticate(&state.accounts, &state.keys, &headers, state.config.clock.now()).await
    {
        Ok(caller) => (caller, None),
        Err(err @ AppError::Unauthenticated(_)) => (None, Some(err)),
        Err(err @ AppError::RateLimited { .. }) => {
            return error_response(StatusCode::TOO_MANY_REQUESTS, &err, &request_id);
        }
        Err(err) => {
            if let AppError::Internal(detail) = &err {
                tracing::error!(detail = %detail, "authentication failed");
            }
            return error_response(StatusCode::SERVICE_UNAVAILABLE, &err, &request_id);
        }
    };
    let from = client_addr(&headers, peer.map(|p| p.0), state.config.login.client_ip_header.as_deref());
    let content_type = headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok());
    let idle = std::time::Duration::from_secs(limits.body_idle_timeout_secs);
    let batch = if let Some(multipart) = content_type.filter(|t| t.starts_with("multipart/form-data")) {
        match &caller {
            None => {
                let err = rejected.unwrap_or(AppError::Unauthenticated("sign in before uploading"));
                return error_response(StatusCode::UNAUTHORIZED, &err, &request_id);
            }
            Some(c) if !crate::service::photo::may_upload_at_all(c) => {
                let err = AppError::Forbidden("your role may not upload files".into());
                return error_response(StatusCode::FORBIDDEN, &err, &request_id);
            }
            Some(_) => {}
        }
        match upload::receive(body, multipart, limits, idle).await {
            Ok(batch) => batch,
            Err((status, err)) => return error_response(status, &err, &request_id),
        }
    } else {
        let bytes = match upload::read_all(body, limits.max_body_bytes, idle).await {
            Ok(bytes) => bytes,
            Err((status, err)) => return error_response(status, &err, &request_id),
        };
        match async_graphql::http::receive_batch_body(
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
    let prepare = |request: async_graphql::Request| {
        let request = loaders::register(request, &state.db).data(request_id.clone()).data(from.clone());
        match (&caller, &rejected) {
            (Some(caller), _) => request.data(caller.clone()),
            (None, Some(_)) => request.data(crate::auth::TokenRejected),
            (None, None) => request,
        }
    };
    let guards = crate::graphql::guards::RequestGuards::of(&state.config);
    let execute = |request| async {
        let key = caller.as_ref().and_then(|c| c.key.as_deref()).map(|grant| (&*server.types, grant));
        let mut response = match guards.prepare(request, key) {
            Ok(request) => server.schema.execute(prepare(request)).await,
            Err(refused) => async_graphql::Response::from_errors(vec![refused]),
        };
        crate::graphql::guards::coded(&mut response);
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
    let refused_only = rejected.is_some() && only_unauthenticated(&response);
    let mut http = Json(response).into_response();
    if refused_only {
        *http.status_mut() = StatusCode::UNAUTHORIZED;
    }
    http.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

/// Whether every operation of `response` failed, and only for want of a caller.
fn only_unauthenticated(response: &BatchResponse) -> bool {
    let refused = |r: &async_graphql::Response| {
        !r.errors.is_empty()
            && r.data == async_graphql::Value::Null
            && r.errors.iter().all(|e| {
                e.extensions.as_ref().and_then(|x| x.get("code"))
                    == Some(&async_graphql::Value::from(AppError::Unauthenticated("").code()))
            })
    };
    match response {
        BatchResponse::Single(r) => refused(r),
        BatchResponse::Batch(rs) => !rs.is_empty() && rs.iter().all(refused),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_addresses_come_from_the_peer_or_the_trusted_header_only() {
        let peer = Some(PeerAddr(std::net::SocketAddr::from(([192, 0, 2, 1], 5000))));
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static("6.6.6.6, 198.51.100.7"));
        assert_eq!(client_addr(&headers, peer, None).0.as_deref(), Some("192.0.2.1"), "header not trusted");
        let behind_proxy = client_addr(&headers, peer, Some("x-forwarded-for"));
        assert_eq!(behind_proxy.0.as_deref(), Some("198.51.100.7"), "the entry the proxy appended");
        headers.insert("x-forwarded-for", HeaderValue::from_static("2001:db8:1:2:aaaa::1"));
        let v6 = client_addr(&headers, peer, Some("x-forwarded-for"));
        assert_eq!(v6.0.as_deref(), Some("2001:db8:1:2::/64"));
        headers.insert("x-forwarded-for", HeaderValue::from_static("::ffff:198.51.100.9"));
        assert_eq!(client_addr(&headers, peer, Some("x-forwarded-for")).0.as_deref(), Some("198.51.100.9"));
    }

    #[test]
    fn only_simple_requests_without_a_script_header_are_refused() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            preflighted(&h)
        };
        assert!(with(&[("content-type", "application/json")]));
        assert!(with(&[("content-type", "application/json; charset=utf-8")]));
        assert!(!with(&[]));
        assert!(!with(&[("content-type", "text/plain")]));
        assert!(!with(&[("content-type", "multipart/form-data; boundary=x")]));
        assert!(with(&[("content-type", "multipart/form-data; boundary=x"), ("apollo-require-preflight", "true")]));
    }
}
