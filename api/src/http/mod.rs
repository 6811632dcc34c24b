//! HTTP: the router, request ids, the GraphQL endpoint, health probes.

use std::time::Instant;

mod endpoint;
mod export_route;
mod geo_route;
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

use axum::extract::Request;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;
use tracing::Instrument;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::AppSchema;
use crate::service::account::ClientAddr;
use crate::state::AppState;

pub use crate::request::RequestId;

const REQUEST_ID_HEADER: &str = "x-request-id";
/// A response's count of SQL statements, when `statement_counts` is configured.
const STATEMENTS_HEADER: &str = "x-sql-statements";

#[derive(Clone)]
struct Server {
    state: AppState,
    schema: AppSchema,
    /// The schema's types, for holding integration keys to their scopes.
    types: std::sync::Arc<crate::graphql::scopes::TypeMap>,
    /// WebSocket connections open on this instance (upgraded connections leave the accept loop's
    /// count), at most `max_connections`.
    sockets: std::sync::Arc<tokio::sync::Semaphore>,
    /// Documents this instance has read from the persisted-document store.
    documents: std::sync::Arc<crate::service::documents::DocumentCache>,
    /// Documents this instance has parsed and found within the request-wide limits.
    parsed: std::sync::Arc<crate::graphql::parsed::ParsedDocuments>,
}

pub fn router(state: AppState, schema: AppSchema) -> Router {
    let types = std::sync::Arc::new(crate::graphql::scopes::TypeMap::from_sdl(&schema.sdl()));
    let sockets = std::sync::Arc::new(tokio::sync::Semaphore::new(state.config.limits.max_connections));
    let documents = std::sync::Arc::default();
    let parsed = std::sync::Arc::default();
    let server = Server { state, schema, types, sockets, documents, parsed };
    Router::new()
        .route("/graphql", get(endpoint::graphql_get).post(endpoint::graphql))
        .route("/graphql/ws", get(ws::subscriptions))
        .route("/graphiql/{version}/{name}", get(graphiql::asset))
        .route("/photos/{id}/{variant}", get(photo))
        .route("/exports/{file}", get(export_route::export))
        .route("/geo/projects.geojson", get(geo_route::projects))
        .route("/geo/photos.geojson", get(geo_route::photos))
        .route("/geo/inspections.geojson", get(geo_route::inspections))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(server.clone())
        .layer(middleware::from_fn_with_state(server.state.config.statement_counts, request_id))
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

async fn request_id(State(tell_statements): State<bool>, mut request: Request, next: Next) -> Response {
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
    let (mut response, statements) = crate::db::counted(next.run(request).instrument(span.clone())).await;
    span.in_scope(|| {
        let status = response.status().as_u16();
        tracing::debug!(status, elapsed_ms = started.elapsed().as_millis() as u64, statements, "done");
    });
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    if tell_statements {
        response.headers_mut().insert(STATEMENTS_HEADER, HeaderValue::from(statements));
    }
    response
}

/// The caller of a plain GET route at `path`, with the resource's own part of `query`: a signed
/// link's user (see [`crate::service::link`]) when the query carries a link and no `Authorization`
/// header is sent (401 when the link is forged, altered or expired, or its user is gone or
/// deactivated), else the bearer token's ([`bearer`]).
async fn caller_of(
    state: &AppState,
    headers: &HeaderMap,
    request_id: &RequestId,
    scope: entity::integration_key::Scope,
    path: &str,
    query: Option<&str>,
) -> Result<(crate::auth::Caller, String), Response> {
    let (own, parts) = crate::service::link::split(query.unwrap_or_default());
    let Some(parts) = parts.filter(|_| !headers.contains_key(header::AUTHORIZATION)) else {
        return bearer(state, headers, request_id, scope).await.map(|caller| (caller, own));
    };
    let now = state.config.clock.now();
    let account = match crate::service::link::verify(state.config.jwt_secret.expose(), path, &own, &parts, now) {
        Some(user) => state.accounts.get(user).await,
        None => Ok(None),
    };
    match account {
        Ok(Some(user)) if user.active => Ok((crate::auth::Caller { user, key: None }, own)),
        Ok(_) => {
            let err = AppError::Unauthenticated("this link has expired or is not valid; ask for a new one");
            Err(error_response(StatusCode::UNAUTHORIZED, &err, request_id))
        }
        Err(e) => Err(error_response(StatusCode::SERVICE_UNAVAILABLE, &e, request_id)),
    }
}

/// The caller a plain HTTP route's bearer token names, holding an integration key to `scope`; else
/// the response to give (401 without valid credentials, 403 for a key without the scope).
async fn bearer(
    state: &AppState,
    headers: &HeaderMap,
    request_id: &RequestId,
    scope: entity::integration_key::Scope,
) -> Result<crate::auth::Caller, Response> {
    match crate::auth::authenticate(&state.accounts, &state.keys, headers, state.config.clock.now()).await {
        Ok(Some(caller)) if caller.key.as_ref().is_some_and(|k| !k.allows(scope)) => {
            Err(error_response(StatusCode::FORBIDDEN, &crate::graphql::scopes::missing(scope), request_id))
        }
        Ok(Some(caller)) => Ok(caller),
        Ok(None) | Err(AppError::Unauthenticated(_)) => {
            Err(error_response(StatusCode::UNAUTHORIZED, &AppError::Unauthenticated("sign in first"), request_id))
        }
        Err(e @ AppError::RateLimited { .. }) => Err(error_response(StatusCode::TOO_MANY_REQUESTS, &e, request_id)),
        Err(e) => Err(error_response(StatusCode::SERVICE_UNAVAILABLE, &e, request_id)),
    }
}

/// An error answered before GraphQL execution, in the same shape (and with the same extensions)
/// GraphQL errors have.
fn error_response(status: StatusCode, err: &AppError, request_id: &RequestId) -> Response {
    let error = async_graphql::Error::from(err.clone());
    let mut extensions = error.extensions.unwrap_or_default();
    extensions.set("requestId", request_id.0.as_str());
    let body = json!({ "errors": [{ "message": error.message, "extensions": extensions }] });
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
}
