//! GraphQL subscriptions over WebSocket at `/graphql/ws`, by the `graphql-transport-ws` protocol (the
//! `graphql-ws` library's; the older `subscriptions-transport-ws` is accepted too). The bearer token
//! or integration key comes in `connection_init` (`{ "Authorization": "Bearer …" }`); every operation
//! passes the same guards as over HTTP (depth, complexity, a key's scopes). A connection whose
//! account is turned off or whose key is revoked or expires is closed (4403), checked whenever the
//! trail moves and at least every 30 s; one that has not signed in within the header time limit is
//! closed too (4408).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use async_graphql::http::{WebSocketProtocols, WsMessage};
use async_graphql::{Data, Executor, Response};
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures_util::stream::BoxStream;
use futures_util::{SinkExt, StreamExt, future};

use super::{RequestId, Server};
use crate::auth::{Caller, authenticate};
use crate::error::AppError;
use crate::service::account::ClientAddr;

/// Operations one connection may run at once.
pub const MAX_OPERATIONS: usize = 20;
/// How often a connection's credentials are checked when nothing else prompts it.
const RECHECK: Duration = Duration::from_secs(30);

/// Upgrades to a WebSocket speaking the protocol the client asked for.
pub async fn subscriptions(
    State(server): State<Server>,
    peer: Option<axum::Extension<super::PeerAddr>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|list| list.split(',').find_map(|p| p.trim().parse::<WebSocketProtocols>().ok()))
        .unwrap_or(WebSocketProtocols::GraphQLWS);
    let Ok(permit) = server.sockets.clone().try_acquire_owned() else {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "too many WebSocket connections").into_response();
    };
    let header = server.state.config.login.client_ip_header.as_deref();
    let from = super::client_addr(&headers, peer.map(|p| p.0), header);
    let max = server.state.config.limits.max_body_bytes;
    upgrade
        .protocols(["graphql-transport-ws", "graphql-ws"])
        .max_message_size(max)
        .max_frame_size(max)
        .on_upgrade(move |socket| async move {
            serve_socket(server, socket, protocol, from).await;
            drop(permit);
        })
        .into_response()
}

/// Runs the operations of one connection until it closes or its credentials lapse.
async fn serve_socket(server: Server, socket: WebSocket, protocol: WebSocketProtocols, from: ClientAddr) {
    let (mut sink, incoming) = socket.split();
    let caller: Arc<OnceLock<Caller>> = Arc::default();
    let executor = Operations { server: server.clone(), from, caller: caller.clone(), open: Arc::default() };
    let incoming = incoming.take_while(|m| future::ready(m.is_ok())).filter_map(|m| {
        future::ready(match m {
            Ok(Message::Text(text)) => Some(text.as_bytes().to_vec()),
            Ok(Message::Binary(bytes)) => Some(bytes.to_vec()),
            _ => None,
        })
    });
    let init = {
        let (server, caller) = (server.clone(), caller.clone());
        move |payload: serde_json::Value| async move {
            let found =
                ["Authorization", "authorization"].iter().find_map(|k| payload.get(*k)?.as_str().map(str::to_owned));
            let token = found.or_else(|| payload.get("token")?.as_str().map(|t| format!("Bearer {t}")));
            let Some(value) = token.and_then(|t| HeaderValue::from_str(&t).ok()) else {
                return Err("sign in: send { \"Authorization\": \"Bearer <token>\" } in connection_init".into());
            };
            let mut headers = HeaderMap::new();
            headers.insert(header::AUTHORIZATION, value);
            let state = &server.state;
            match authenticate(&state.accounts, &state.keys, &headers, state.config.clock.now()).await {
                Ok(Some(found)) => {
                    let _ = caller.set(found);
                    Ok(Data::default())
                }
                Ok(None) => Err("sign in first".into()),
                Err(e) => Err(async_graphql::Error::new(e.to_string())),
            }
        }
    };
    let mut messages = async_graphql::http::WebSocket::new(executor, incoming, protocol)
        .on_connection_init(init)
        .keepalive_timeout(None);
    let mut trail = server.state.trail.follow();
    let mut recheck = tokio::time::interval(RECHECK);
    // A connection that does not sign in within the header time limit is closed (4408, as the
    // protocol says), so idle sockets cannot hold connections open anonymously.
    let limit = Duration::from_secs(server.state.config.limits.header_timeout_secs);
    let init_deadline = tokio::time::sleep(limit);
    tokio::pin!(init_deadline);
    loop {
        let lapsed = tokio::select! {
            () = &mut init_deadline, if caller.get().is_none() => {
                let reason = "Connection initialisation timeout".into();
                let _ = sink.send(Message::Close(Some(CloseFrame { code: 4408, reason }))).await;
                return;
            }
            message = messages.next() => match message {
                Some(WsMessage::Text(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                    continue;
                }
                Some(WsMessage::Close(code, reason)) => {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    return;
                }
                None => return,
            },
            changed = trail.changed() => changed.is_err() || !still_allowed(&server, caller.get()).await,
            _ = recheck.tick() => !still_allowed(&server, caller.get()).await,
        };
        if lapsed {
            let reason = "the account was turned off or the key revoked or expired".into();
            let _ = sink.send(Message::Close(Some(CloseFrame { code: 4403, reason }))).await;
            return;
        }
    }
}

/// Whether the connection's caller may still act: the account active and its sessions not ended
/// (a password change ends them), a key neither revoked nor expired.
async fn still_allowed(server: &Server, caller: Option<&Caller>) -> bool {
    use sea_orm::EntityTrait;
    let Some(caller) = caller else { return true };
    let db = &server.state.db;
    let user = server.state.accounts.get(caller.id()).await;
    let user_ok = matches!(user, Ok(Some(u)) if u.active && u.session_epoch == caller.user.session_epoch);
    let key_ok = match &caller.key {
        None => true,
        Some(grant) => {
            let key = entity::integration_key::Entity::find_by_id(grant.key_id).one(db).await;
            let now = server.state.config.clock.now();
            matches!(key, Ok(Some(k)) if k.works_at(now))
        }
    };
    user_ok && key_ok
}

/// Runs a connection's operations as the HTTP endpoint runs them, as its caller.
#[derive(Clone)]
struct Operations {
    server: Server,
    /// The client's address, as over HTTP (sign-in limits count by it).
    from: ClientAddr,
    caller: Arc<OnceLock<Caller>>,
    open: Arc<AtomicUsize>,
}

/// Counts an operation open on a connection while it lives.
struct Open(Arc<AtomicUsize>);

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Operations {
    fn refused(error: AppError) -> BoxStream<'static, Response> {
        let mut response =
            Response::from_errors(vec![async_graphql::Error::from(error).into_server_error(Default::default())]);
        crate::graphql::guards::coded(&mut response);
        futures_util::stream::once(future::ready(response)).boxed()
    }

    fn prepared(
        &self,
        request: async_graphql::Request,
    ) -> Result<(async_graphql::Request, Caller), async_graphql::ServerError> {
        let Some(caller) = self.caller.get().cloned() else {
            return Err(async_graphql::Error::from(AppError::Unauthenticated("sign in first"))
                .into_server_error(Default::default()));
        };
        let id = RequestId(uuid::Uuid::now_v7().to_string());
        let request = super::endpoint::admit(&self.server, request, Some(&caller), false, &id, &self.from)?;
        Ok((request, caller))
    }
}

impl Executor for Operations {
    async fn execute(&self, request: async_graphql::Request) -> Response {
        let mut response = match self.prepared(request) {
            Ok((request, _)) => self.server.schema.execute(request).await,
            Err(refused) => Response::from_errors(vec![refused]),
        };
        crate::graphql::guards::coded(&mut response);
        response
    }

    fn execute_stream(
        &self,
        request: async_graphql::Request,
        session: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let (request, _) = match self.prepared(request) {
            Ok(prepared) => prepared,
            Err(refused) => {
                let mut response = Response::from_errors(vec![refused]);
                crate::graphql::guards::coded(&mut response);
                return futures_util::stream::once(future::ready(response)).boxed();
            }
        };
        if self.open.fetch_add(1, Ordering::AcqRel) >= MAX_OPERATIONS {
            self.open.fetch_sub(1, Ordering::AcqRel);
            let message = format!("at most {MAX_OPERATIONS} operations at once on one connection");
            return Self::refused(AppError::BadUserInput { field: None, message });
        }
        let open = Open(self.open.clone());
        self.server
            .schema
            .execute_stream_with_session_data(request, session.unwrap_or_default())
            .map(move |mut response| {
                let _open = &open;
                crate::graphql::guards::coded(&mut response);
                response
            })
            .boxed()
    }
}
