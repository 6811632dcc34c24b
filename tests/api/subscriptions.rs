//! Subscriptions over WebSocket by the `graphql-transport-ws` protocol: live events as the caller may
//! see them, a replay of the trail that goes live without a gap, events from another instance, and
//! the connection closed when its key is revoked.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, TestResult, unit_id};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A `graphql-transport-ws` client, as the `graphql-ws` library speaks it.
struct Client {
    socket: Socket,
}

impl Client {
    /// Connects to `app` and signs in with `token`; fails unless the server acknowledges.
    async fn connect(app: &TestApp, token: &str) -> TestResult<Self> {
        let mut client = Self::open(app).await?;
        client
            .send(json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } }))
            .await?;
        let ack = client.next().await?;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
        Ok(client)
    }

    async fn open(app: &TestApp) -> TestResult<Self> {
        let mut request = format!("ws://{}/graphql/ws", app.addr).into_client_request()?;
        request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
        let (socket, response) = tokio_tungstenite::connect_async(request).await?;
        assert_eq!(response.headers()["sec-websocket-protocol"], "graphql-transport-ws");
        Ok(Self { socket })
    }

    async fn send(&mut self, message: Value) -> TestResult {
        self.socket.send(Message::Text(message.to_string().into())).await?;
        Ok(())
    }

    async fn subscribe(&mut self, id: &str, query: &str, variables: Value) -> TestResult {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })).await
    }

    /// The next text message, or `{ "closed": code }` when the server closes; at most 20 s.
    async fn next(&mut self) -> TestResult<Value> {
        self.within(Duration::from_secs(20)).await?.ok_or_else(|| "no message in 20 s".into())
    }

    /// The next message within `wait`, if any.
    async fn within(&mut self, wait: Duration) -> TestResult<Option<Value>> {
        loop {
            let Ok(message) = tokio::time::timeout(wait, self.socket.next()).await else {
                return Ok(None);
            };
            match message {
                Some(Ok(Message::Text(text))) => return Ok(Some(serde_json::from_str(&text)?)),
                Some(Ok(Message::Close(frame))) => {
                    return Ok(Some(json!({ "closed": frame.map(|f| u16::from(f.code)) })));
                }
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Ok(Some(json!({ "closed": null, "error": e.to_string() }))),
                None => return Ok(Some(json!({ "closed": null }))),
            }
        }
    }
}

const ISSUES: &str =
    "subscription($f: IssueChangedFilter) { issueChanged(filter: $f) { id status title assignedUnit { name } } }";

#[tokio::test]
async fn a_subscriber_sees_issues_change_live_and_only_those_it_may_see() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = crate::projects::create(&app, &admin, "订阅测试项目").await?;
    let mut owner = Client::connect(&app, &app.login_as("zrzyj").await?).await?;
    owner.subscribe("1", ISSUES, json!({ "f": { "projectId": project } })).await?;
    // A key narrowed to a unit with nothing to do with the issue.
    let q = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret } }";
    let key = app.data(q, json!({ "i": { "name": "民政局", "scopes": ["ISSUES_READ", "DIRECTORY_READ"], "unitIds": [unit_id("民政局")] } }), Some(&admin)).await?;
    let mut outsider = Client::connect(&app, key["createIntegrationKey"]["secret"].as_str().ok_or("secret")?).await?;
    outsider.subscribe("1", ISSUES, json!({})).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let issue = crate::issues::raise(&app, &admin, &project).await?;
    crate::issues::act(&app, &admin, "assign", &issue).await?;
    let raised = owner.next().await?;
    assert_eq!(raised["type"], "next", "{raised}");
    assert_eq!(raised["id"], "1");
    assert_eq!(raised["payload"]["data"]["issueChanged"]["id"], json!(issue));
    let assigned = owner.next().await?;
    let seen = &assigned["payload"]["data"]["issueChanged"];
    assert_eq!(seen["status"], "ASSIGNED", "{assigned}");
    assert_eq!(seen["assignedUnit"]["name"], "自然资源局", "related records are read for each event");
    assert_eq!(outsider.within(Duration::from_millis(800)).await?, None, "民政局 sees nothing of it");

    // Complete ends one operation; the connection stays.
    owner.send(json!({ "id": "1", "type": "complete" })).await?;
    assert_eq!(owner.next().await?, json!({ "id": "1", "type": "complete" }));
    crate::issues::act(&app, &admin, "comment", &issue).await?;
    assert_eq!(owner.within(Duration::from_millis(800)).await?, None, "nothing after complete");
    Ok(())
}

#[tokio::test]
async fn the_live_change_feed_replays_from_a_position_then_follows_without_a_gap() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let page = app.data("{ changes(first: 1, after: \"0\") { pageInfo { endSeq } } }", json!({}), Some(&admin)).await?;
    let project = crate::projects::create(&app, &admin, "回放测试项目").await?;
    let head = app.data("{ auditEvents(first: 1) { edges { node { seq } } } }", json!({}), Some(&admin)).await?;
    let last: i64 = head["auditEvents"]["edges"][0]["node"]["seq"].as_str().ok_or("seq")?.parse()?;
    let mut client = Client::connect(&app, &admin).await?;
    let q =
        "subscription($a: String) { changes(after: $a, entityTypes: [PROJECT, ISSUE]) { seq action entityId hidden } }";
    client.subscribe("feed", q, json!({ "a": (last - 1).to_string() })).await?;
    let replayed = client.next().await?;
    assert_eq!(replayed["payload"]["data"]["changes"]["entityId"], json!(project), "{replayed}");
    assert_eq!(replayed["payload"]["data"]["changes"]["seq"], json!(last.to_string()));
    let issue = crate::issues::raise(&app, &admin, &project).await?;
    let live = client.next().await?;
    assert_eq!(live["payload"]["data"]["changes"]["entityId"], json!(issue), "{live}");
    assert_eq!(live["payload"]["data"]["changes"]["action"], "issue.raise");
    assert!(page["changes"]["pageInfo"]["endSeq"].is_string());
    Ok(())
}

#[tokio::test]
async fn a_change_on_one_instance_reaches_a_subscriber_on_another() -> TestResult {
    let a = TestApp::spawn().await?;
    let b = TestApp::spawn_on(a.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    let admin = a.login_as("admin").await?;
    let project = crate::projects::create(&a, &admin, "双实例订阅项目").await?;
    let mut client = Client::connect(&b, &b.login_as("admin").await?).await?;
    client.subscribe("1", ISSUES, json!({ "f": { "projectId": project } })).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = std::time::Instant::now();
    let issue = crate::issues::raise(&a, &admin, &project).await?;
    let got = client.next().await?;
    assert_eq!(got["payload"]["data"]["issueChanged"]["id"], json!(issue), "{got}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    Ok(())
}

#[tokio::test]
async fn connections_need_credentials_and_close_when_the_key_is_revoked() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    // No credentials: refused at connection_init.
    let mut anonymous = Client::open(&app).await?;
    anonymous.send(json!({ "type": "connection_init", "payload": {} })).await?;
    assert!(anonymous.next().await?.get("closed").is_some(), "closed without credentials");
    // An operation before connection_init is refused too.
    let mut hasty = Client::open(&app).await?;
    hasty.subscribe("1", ISSUES, json!({})).await?;
    assert!(hasty.next().await?.get("closed").is_some());

    let q = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret key { id } } }";
    let made = app.data(q, json!({ "i": { "name": "看板", "scopes": ["PHOTOS_READ"] } }), Some(&admin)).await?;
    let secret = made["createIntegrationKey"]["secret"].as_str().ok_or("secret")?;
    let id = made["createIntegrationKey"]["key"]["id"].as_str().ok_or("id")?;
    let mut client = Client::connect(&app, secret).await?;
    // Outside the key's scopes: refused, naming the scope.
    client.subscribe("1", ISSUES, json!({})).await?;
    let refused = client.next().await?;
    let error = &refused["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "FORBIDDEN", "{refused}");
    assert!(error["message"].as_str().is_some_and(|m| m.contains("ISSUES_READ")), "{refused}");
    assert_eq!(client.next().await?, json!({ "id": "1", "type": "complete" }));

    let project = crate::projects::create(&app, &admin, "吊销测试项目").await?;
    client
        .subscribe("2", "subscription($p: UUID!) { photoAdded(projectId: $p) { id } }", json!({ "p": project }))
        .await?;
    app.data("mutation($id: UUID!) { revokeIntegrationKey(id: $id) { revokedAt } }", json!({ "id": id }), Some(&admin))
        .await?;
    let closed = client.next().await?;
    assert_eq!(closed["closed"], 4403, "{closed}");
    Ok(())
}

#[tokio::test]
async fn a_connection_closes_when_its_account_is_turned_off() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let token = app.login_as("sthjj").await?;
    let me = app.data("{ me { id } }", json!({}), Some(&token)).await?;
    let mut client = Client::connect(&app, &token).await?;
    client.subscribe("1", ISSUES, json!({})).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    app.data("mutation($id: UUID!) { deactivateUser(id: $id) { id } }", json!({ "id": me["me"]["id"] }), Some(&admin))
        .await?;
    let closed = client.next().await?;
    assert_eq!(closed["closed"], 4403, "{closed}");
    Ok(())
}

#[tokio::test]
async fn a_connection_that_never_signs_in_is_closed() -> TestResult {
    let app = TestApp::spawn_with(|c| c.limits.header_timeout_secs = 1).await?;
    let mut idle = Client::open(&app).await?;
    let started = std::time::Instant::now();
    let closed = idle.next().await?;
    assert_eq!(closed["closed"], 4408, "{closed}");
    assert!(started.elapsed() < Duration::from_secs(5), "closed after {:?}", started.elapsed());
    Ok(())
}
