//! GraphiQL on GET `/graphql`, its assets from the binary under `/graphiql/<version>/`: nothing is
//! loaded from outside, so the page works on an offline government network (政务内网). Turned off
//! (405 on the page, 404 on the assets) when the configuration says so.

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::Server;

/// The GraphiQL release the assets come from; part of their URLs, so browsers may keep them for good.
const VERSION: &str = "3.9.0";

/// The assets by name: content type and bytes.
const ASSETS: &[(&str, &str, &[u8])] = &[
    ("graphiql.min.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.js")),
    ("graphiql.min.css", "text/css; charset=utf-8", include_bytes!("../../assets/graphiql/graphiql.min.css")),
    (
        "react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react.production.min.js"),
    ),
    (
        "react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
    ),
    ("start.js", "text/javascript; charset=utf-8", include_bytes!("../../assets/graphiql/start.js")),
];

/// The page, with the assets' versioned paths.
fn page() -> String {
    include_str!("../../assets/graphiql/index.html").replace("/graphiql/VERSION/", &format!("/graphiql/{VERSION}/"))
}

pub(super) async fn graphiql(State(server): State<Server>) -> Response {
    if !server.state.config.graphiql {
        return (StatusCode::METHOD_NOT_ALLOWED, "POST GraphQL requests to this endpoint").into_response();
    }
    let mut response = Html(page()).into_response();
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

pub(super) async fn asset(State(server): State<Server>, Path((version, name)): Path<(String, String)>) -> Response {
    let found = ASSETS.iter().find(|(n, _, _)| *n == name);
    let (Some((_, content_type, bytes)), true, true) = (found, version == VERSION, server.state.config.graphiql) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    response
}
