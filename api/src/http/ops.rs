//! What operators read: liveness, readiness and the Prometheus counters.

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::state::AppState;

use super::*;

/// Counters in the Prometheus text format, for a bearer of the configured metrics token. Without a
/// token configured they are served only on the separate metrics address.
pub(super) async fn metrics(State(server): State<Server>, headers: HeaderMap) -> Response {
    let given =
        headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let allowed = match (&server.state.config.metrics_token, given) {
        (Some(token), Some(given)) => constant_time_eq(token.expose().as_bytes(), given.trim().as_bytes()),
        _ => false,
    };
    if !allowed {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    metrics_text(&server.state)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The metrics router for the separate metrics address: `/metrics` without a token.
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", get(move || std::future::ready(metrics_text(&state))))
}

fn metrics_text(state: &AppState) -> Response {
    let body = format!(
        "# HELP keyprojects_sql_statements_total SQL statements executed by this instance.\n\
         # TYPE keyprojects_sql_statements_total counter\n\
         keyprojects_sql_statements_total {}\n\
         # HELP keyprojects_job_failures_total Periodic job runs that failed (each is retried).\n\
         # TYPE keyprojects_job_failures_total counter\n\
         keyprojects_job_failures_total {}\n",
        state.statements_executed(),
        state.job_failures.load(std::sync::atomic::Ordering::Relaxed)
    );
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// The process is up.
pub(super) async fn healthz() -> &'static str {
    "ok"
}

/// The database answers.
pub(super) async fn readyz(State(server): State<Server>) -> Response {
    match server.state.db.ping().await {
        Ok(()) => "ready".into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}
