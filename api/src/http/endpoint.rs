//! The GraphQL endpoint: POST `/graphql` (JSON, or uploads by the GraphQL multipart request spec),
//! and GET `/graphql?query=…` or `?extensions=…` for queries (short, cacheable URLs with persisted
//! documents). Every operation names its document by text or by hash (see
//! [`crate::service::documents`]) and passes the request guards before it runs.

use async_graphql::http::MultipartOptions;
use async_graphql::parser::types::{DocumentOperations, OperationType};
use async_graphql::{BatchRequest, BatchResponse};
use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};

use super::{PeerAddr, RequestId, Server, client_addr, error_response, upload};
use crate::auth::{Caller, authenticate};
use crate::error::AppError;
use crate::graphql::loaders;
use crate::service::account::ClientAddr;

/// Who is calling, known from the headers alone, before a byte of the body is read. A refused
/// token does not stop the request: what needs no caller (signing in again) works, and what needs
/// one answers UNAUTHENTICATED, with HTTP 401 when that is all the answer says.
async fn caller(
    server: &Server,
    headers: &HeaderMap,
    request_id: &RequestId,
) -> Result<(Option<Caller>, Option<AppError>), Response> {
    let state = &server.state;
    match authenticate(&state.accounts, &state.keys, headers, state.config.clock.now()).await {
        Ok(caller) => Ok((caller, None)),
        Err(err @ AppError::Unauthenticated(_)) => Ok((None, Some(err))),
        Err(err @ AppError::RateLimited { .. }) => Err(error_response(StatusCode::TOO_MANY_REQUESTS, &err, request_id)),
        Err(err) => {
            if let AppError::Internal(detail) = &err {
                tracing::error!(detail = %detail, "authentication failed");
            }
            Err(error_response(StatusCode::SERVICE_UNAVAILABLE, &err, request_id))
        }
    }
}

pub(super) async fn graphql(
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
    let (caller, rejected) = match caller(&server, &headers, &request_id).await {
        Ok(found) => found,
        Err(response) => return response,
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
    let mut http = run(&server, &request_id, (caller, rejected), from, batch, false).await;
    http.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    http
}

/// GET `/graphql`: a query from the URL (`query`, `operationName`, `variables`, `extensions`); with
/// neither `query` nor `extensions`, GraphiQL.
pub(super) async fn graphql_get(
    State(server): State<Server>,
    Extension(request_id): Extension<RequestId>,
    peer: Option<Extension<PeerAddr>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let asks = |raw: &String| raw.split('&').any(|p| p.starts_with("query=") || p.starts_with("extensions="));
    let Some(raw) = raw.filter(asks) else {
        return super::graphiql::graphiql(State(server)).await;
    };
    let request = match async_graphql::http::parse_query_string(&raw) {
        Ok(request) => request,
        Err(e) => {
            let err = AppError::BadUserInput { field: None, message: format!("unreadable GraphQL request: {e}") };
            return error_response(StatusCode::BAD_REQUEST, &err, &request_id);
        }
    };
    let who = match caller(&server, &headers, &request_id).await {
        Ok(found) => found,
        Err(response) => return response,
    };
    let state = &server.state;
    let from = client_addr(&headers, peer.map(|p| p.0), state.config.login.client_ip_header.as_deref());
    let mut http = run(&server, &request_id, who, from, BatchRequest::Single(request), true).await;
    // Every answer is the caller's own: a browser may keep it, a shared cache may not.
    http.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("private, max-age=0"));
    http.headers_mut().insert(header::VARY, HeaderValue::from_static("authorization"));
    http
}

/// Runs a batch: each operation's document resolved (persisted, trusted), guarded, executed.
/// `queries_only` refuses mutations and subscriptions (GET).
async fn run(
    server: &Server,
    request_id: &RequestId,
    (caller, rejected): (Option<Caller>, Option<AppError>),
    from: ClientAddr,
    batch: BatchRequest,
    queries_only: bool,
) -> Response {
    let state = &server.state;
    let execute = |mut request: async_graphql::Request| async {
        let policy = state.config.trusted_documents;
        let now = state.config.clock.now();
        let documents = &server.documents;
        let resolved =
            crate::service::documents::resolve(&state.db, documents, policy, &mut request, caller.as_ref(), now).await;
        let checked = resolved.and_then(|()| if queries_only { query_only(&request) } else { Ok(()) });
        let mut response = match checked {
            Err(e) => async_graphql::Response::from_errors(vec![
                async_graphql::Error::from(e).into_server_error(async_graphql::Pos::default()),
            ]),
            Ok(()) => match admit(server, request, caller.as_ref(), rejected.is_some(), request_id, &from) {
                Ok(request) => server.schema.execute(request).await,
                Err(refused) => async_graphql::Response::from_errors(vec![refused]),
            },
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
    http
}

/// A request made ready to run, over HTTP or a WebSocket alike: passed through the request guards
/// (depth, complexity, selections, a key's scopes) and given its loaders, id, client address and
/// caller (or the mark of a refused token).
pub(super) fn admit(
    server: &Server,
    request: async_graphql::Request,
    caller: Option<&Caller>,
    token_rejected: bool,
    request_id: &RequestId,
    from: &ClientAddr,
) -> Result<async_graphql::Request, async_graphql::ServerError> {
    let guards = crate::graphql::guards::RequestGuards::of(&server.state.config);
    let key = caller.and_then(|c| c.key.as_deref()).map(|grant| (&*server.types, grant));
    let request = guards.prepare(request, key, &server.parsed)?;
    let request = loaders::register(request, &server.state.db, server.state.config.loader_delay)
        .data(request_id.clone())
        .data(from.clone());
    Ok(match caller {
        Some(caller) => request.data(caller.clone()),
        None if token_rejected => request.data(crate::auth::TokenRejected),
        None => request,
    })
}

/// `BAD_USER_INPUT` unless the operation the request runs is a query (a document that does not
/// parse is left for execution to report).
fn query_only(request: &async_graphql::Request) -> Result<(), AppError> {
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return Ok(());
    };
    let kind = match &document.operations {
        DocumentOperations::Single(op) => Some(op.node.ty),
        DocumentOperations::Multiple(ops) => match &request.operation_name {
            Some(name) => ops.get(name.as_str()).map(|op| op.node.ty),
            None => ops.values().next().map(|op| op.node.ty),
        },
    };
    match kind {
        Some(OperationType::Mutation | OperationType::Subscription) => Err(AppError::BadUserInput {
            field: None,
            message: "over GET only queries run: send mutations by POST, subscriptions over /graphql/ws".into(),
        }),
        _ => Ok(()),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

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
