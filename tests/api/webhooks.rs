//! Webhooks: a receiver inside the test checks each message as a receiver in the field would
//! (the Standard Webhooks signature, DingTalk's signed URL), sees retries after a failure, the order
//! kept, and nothing lost when the instance sending dies mid-delivery.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

const CREATE: &str = "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret webhook { id name target eventTypes active } } }";
const DELIVERIES: &str = "query($id: UUID!) { webhookDeliveries(webhookId: $id, first: 50) { totalCount edges { node { id eventType seq messageId status payload attempts { statusCode response error durationMs } } } } }";

/// One request the receiver got.
#[derive(Debug, Clone)]
struct Got {
    headers: axum::http::HeaderMap,
    query: String,
    body: String,
    at: Instant,
}

/// How the receiver answers one request.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    body: &'static str,
    delay: Duration,
}

impl Reply {
    fn ok() -> Self {
        Self { status: 200, body: "ok", delay: Duration::ZERO }
    }
}

#[derive(Clone, Default)]
struct Log {
    got: Arc<Mutex<Vec<Got>>>,
    plan: Arc<Mutex<VecDeque<Reply>>>,
    otherwise: Arc<Mutex<Option<Reply>>>,
    first_seen: Arc<tokio::sync::Notify>,
}

/// A webhook receiver on loopback: answers as planned, then with `otherwise` (200 "ok").
struct Receiver {
    url: String,
    log: Log,
}

impl Receiver {
    async fn start(plan: Vec<Reply>, otherwise: Reply) -> TestResult<Self> {
        let log = Log {
            plan: Arc::new(Mutex::new(plan.into())),
            otherwise: Arc::new(Mutex::new(Some(otherwise))),
            ..Log::default()
        };
        let app = axum::Router::new().route("/hook", axum::routing::post(receive)).with_state(log.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hook", listener.local_addr()?);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Ok(Self { url, log })
    }

    fn got(&self) -> Vec<Got> {
        self.log.got.lock().map(|g| g.clone()).unwrap_or_default()
    }

    async fn wait_for(&self, n: usize, within: Duration) -> TestResult<Vec<Got>> {
        let started = Instant::now();
        loop {
            let got = self.got();
            if got.len() >= n {
                return Ok(got);
            }
            if started.elapsed() > within {
                return Err(format!("the receiver got {} of {n} messages in {within:?}: {got:?}", got.len()).into());
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

async fn receive(
    axum::extract::State(log): axum::extract::State<Log>,
    headers: axum::http::HeaderMap,
    uri: axum::http::Uri,
    body: String,
) -> (axum::http::StatusCode, &'static str) {
    let got = Got { headers, query: uri.query().unwrap_or_default().to_owned(), body, at: Instant::now() };
    let first = log.got.lock().map(|mut g| {
        g.push(got);
        g.len() == 1
    });
    if first.unwrap_or(false) {
        log.first_seen.notify_one();
    }
    let planned = log.plan.lock().ok().and_then(|mut p| p.pop_front());
    let reply = planned.or_else(|| log.otherwise.lock().ok().and_then(|o| o.clone())).unwrap_or_else(Reply::ok);
    tokio::time::sleep(reply.delay).await;
    (axum::http::StatusCode::from_u16(reply.status).unwrap_or(axum::http::StatusCode::OK), reply.body)
}

/// Verifies a message as the Standard Webhooks specification tells receivers to: HMAC-SHA256 over
/// `id.timestamp.body` keyed with the secret's bytes, one of the space-separated `v1,` signatures
/// matching, the timestamp within five minutes.
fn verify_standard(secret: &str, got: &Got) -> TestResult<Value> {
    let header = |name: &str| got.headers.get(name).and_then(|v| v.to_str().ok()).ok_or(format!("no {name}"));
    let (id, ts, signatures) = (header("webhook-id")?, header("webhook-timestamp")?, header("webhook-signature")?);
    let ts_secs: i64 = ts.parse()?;
    assert!((chrono::Utc::now().timestamp() - ts_secs).abs() < 300, "timestamp {ts} is current");
    let key = BASE64.decode(secret.strip_prefix("whsec_").ok_or("not a whsec_ secret")?)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key)?;
    mac.update(format!("{id}.{ts}.{}", got.body).as_bytes());
    let expected = BASE64.encode(mac.finalize().into_bytes());
    let ok = signatures.split(' ').any(|s| s.strip_prefix("v1,") == Some(expected.as_str()));
    assert!(ok, "signature {signatures} is not {expected}");
    Ok(serde_json::from_str(&got.body)?)
}

/// Delivery rounds every 100 ms (other tests' servers poll too rarely to disturb their counts).
fn often(c: &mut api::config::Config) {
    c.webhooks.poll_millis = 100;
}

async fn make(app: &TestApp, token: &str, input: Value) -> TestResult<(String, String)> {
    let data = app.data(CREATE, json!({ "i": input }), Some(token)).await?;
    let made = &data["createWebhook"];
    Ok((made["webhook"]["id"].as_str().ok_or("id")?.to_owned(), made["secret"].as_str().ok_or("secret")?.to_owned()))
}

async fn deliveries(app: &TestApp, token: &str, webhook: &str) -> TestResult<Vec<Value>> {
    let data = app.data(DELIVERIES, json!({ "id": webhook }), Some(token)).await?;
    let edges = data["webhookDeliveries"]["edges"].as_array().ok_or("edges")?;
    // Oldest first, as they were sent.
    Ok(edges.iter().rev().map(|e| e["node"].clone()).collect())
}

#[tokio::test]
async fn a_system_gets_the_events_it_asked_for_signed_in_order_and_only_what_its_maker_may_see() -> TestResult {
    let app = TestApp::spawn_with(often).await?;
    let admin = app.login_as("admin").await?;
    let rx = Receiver::start(Vec::new(), Reply::ok()).await?;
    let types = json!(["ISSUE_RAISED", "ISSUE_ASSIGNED"]);
    let (hook, secret) = make(&app, &admin, json!({ "name": "大数据局", "url": rx.url, "eventTypes": types })).await?;
    assert!(secret.starts_with("whsec_"), "{secret}");
    // Narrowed to a unit the issue never touches: it must hear nothing of it.
    let other = Receiver::start(Vec::new(), Reply::ok()).await?;
    let narrowed = json!({ "name": "民政局", "url": other.url, "eventTypes": types, "unitIds": [unit_id("民政局")] });
    let (narrowed, _) = make(&app, &admin, narrowed).await?;

    let project = crate::projects::create(&app, &admin, "推送测试项目").await?;
    let issue = crate::issues::raise(&app, &admin, &project).await?;
    crate::issues::act(&app, &admin, "comment", &issue).await?;
    crate::issues::act(&app, &admin, "assign", &issue).await?;
    let got = rx.wait_for(2, Duration::from_secs(20)).await?;
    let ping = app
        .data("mutation($id: UUID!) { pingWebhook(id: $id) { eventType status } }", json!({ "id": hook }), Some(&admin))
        .await?;
    assert_eq!(ping["pingWebhook"], json!({ "eventType": "webhook.ping", "status": "PENDING" }));
    let got_all = rx.wait_for(3, Duration::from_secs(20)).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(rx.got().len(), 3, "the project and the comment were not asked for: {:?}", rx.got());

    let mut seqs = Vec::new();
    for (got, kind) in got.iter().zip(["issue.raised", "issue.assigned"]) {
        let body = verify_standard(&secret, got)?;
        assert_eq!(body["type"], kind, "{body}");
        assert_eq!(body["data"]["entityId"], json!(issue));
        let seq = body["data"]["seq"].as_str().ok_or("seq")?.to_owned();
        assert_eq!(got.headers["webhook-id"], format!("evt_{seq}").as_str());
        seqs.push(seq.parse::<i64>()?);
    }
    assert!(seqs[0] < seqs[1], "in the trail's order: {seqs:?}");
    let assigned = verify_standard(&secret, &got[1])?;
    let summary = assigned["data"]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("征地拆迁") && summary.contains("已交办自然资源局") && summary.contains("2030-01-01"),
        "{summary}"
    );
    assert_eq!(verify_standard(&secret, &got_all[2])?["type"], "webhook.ping");

    let log = deliveries(&app, &admin, &hook).await?;
    let states: Vec<(&str, &str)> =
        log.iter().map(|d| (d["eventType"].as_str().unwrap_or(""), d["status"].as_str().unwrap_or(""))).collect();
    assert_eq!(states, [("issue.raised", "DELIVERED"), ("issue.assigned", "DELIVERED"), ("webhook.ping", "DELIVERED")]);
    assert_eq!(log[0]["attempts"][0]["statusCode"], 200);
    assert_eq!(log[0]["attempts"][0]["response"], "ok");
    assert_eq!(log[0]["payload"].as_str(), Some(got[0].body.as_str()), "the log holds the bytes sent");

    assert!(other.got().is_empty(), "a webhook narrowed to 民政局 heard of another unit's issue: {:?}", other.got());
    assert_eq!(deliveries(&app, &admin, &narrowed).await?.len(), 0);
    Ok(())
}

#[tokio::test]
async fn a_failure_is_retried_after_a_pause_and_later_events_wait_their_turn() -> TestResult {
    let app = TestApp::spawn_with(often).await?;
    let admin = app.login_as("admin").await?;
    let boom = Reply { status: 500, body: "boom", delay: Duration::ZERO };
    let rx = Receiver::start(vec![boom], Reply::ok()).await?;
    let (hook, secret) =
        make(&app, &admin, json!({ "name": "重试", "url": rx.url, "eventTypes": ["ISSUE_RAISED"] })).await?;
    let project = crate::projects::create(&app, &admin, "重试测试项目").await?;
    let first = crate::issues::raise(&app, &admin, &project).await?;
    let second = crate::issues::raise(&app, &admin, &project).await?;
    let got = rx.wait_for(3, Duration::from_secs(30)).await?;
    let ids: Vec<Value> = got
        .iter()
        .map(|g| verify_standard(&secret, g).map(|b| b["data"]["entityId"].clone()))
        .collect::<TestResult<_>>()?;
    assert_eq!(ids, [json!(first), json!(first), json!(second)], "the second waits until the first is delivered");
    assert_eq!(got[0].headers["webhook-id"], got[1].headers["webhook-id"], "a retry is the same message");
    let pause = got[1].at - got[0].at;
    assert!(pause >= Duration::from_millis(4900) && pause < Duration::from_secs(15), "retried after {pause:?}");

    let log = deliveries(&app, &admin, &hook).await?;
    let codes: Vec<&Value> =
        log[0]["attempts"].as_array().ok_or("attempts")?.iter().map(|a| &a["statusCode"]).collect();
    assert_eq!(codes, [&json!(500), &json!(200)]);
    assert_eq!(log[0]["attempts"][0]["response"], "boom");
    assert_eq!(log[0]["status"], "DELIVERED");

    // Sent again by hand: a new delivery with the same message id, at the end of the queue.
    let id = log[1]["id"].as_str().ok_or("id")?;
    let again = app
        .data("mutation($d: ID!) { redeliver(deliveryId: $d) { messageId status } }", json!({ "d": id }), Some(&admin))
        .await?;
    assert_eq!(again["redeliver"]["messageId"], log[1]["messageId"]);
    let got = rx.wait_for(4, Duration::from_secs(20)).await?;
    assert_eq!(got[3].headers["webhook-id"], got[2].headers["webhook-id"]);
    assert_eq!(got[3].body, got[2].body);
    Ok(())
}

#[tokio::test]
async fn nothing_is_lost_when_the_sending_instance_dies_mid_delivery() -> TestResult {
    let a = TestApp::spawn_with(often).await?;
    let admin = a.login_as("admin").await?;
    // The first message is answered late: the instance sending it is stopped before the answer.
    let slow = Reply { status: 200, body: "ok", delay: Duration::from_millis(1500) };
    let rx = Receiver::start(vec![slow], Reply::ok()).await?;
    let (hook, secret) =
        make(&a, &admin, json!({ "name": "重启", "url": rx.url, "eventTypes": ["ISSUE_RAISED"] })).await?;
    let project = crate::projects::create(&a, &admin, "重启测试项目").await?;
    let mut issues = Vec::new();
    for _ in 0..3 {
        issues.push(json!(crate::issues::raise(&a, &admin, &project).await?));
    }
    tokio::time::timeout(Duration::from_secs(20), rx.log.first_seen.notified()).await?;
    a.stop();
    let b = TestApp::spawn_on(a.database_url.clone(), tempfile::tempdir()?, often).await?;
    let got = rx.wait_for(4, Duration::from_secs(30)).await?;
    let ids: Vec<Value> = got
        .iter()
        .map(|g| verify_standard(&secret, g).map(|b| b["data"]["entityId"].clone()))
        .collect::<TestResult<_>>()?;
    // At least once and in order: the message cut off is sent again, then the rest, each once.
    let mut firsts: Vec<Value> = Vec::new();
    for id in &ids {
        if !firsts.contains(id) {
            firsts.push(id.clone());
        }
    }
    assert_eq!(firsts, issues, "every event, in order: {ids:?}");
    assert_eq!(ids[0], ids[1], "the message cut off went out again first: {ids:?}");
    let log = deliveries(&b, &b.login_as("admin").await?, &hook).await?;
    assert!(log.iter().all(|d| d["status"] == "DELIVERED"), "{log:?}");
    assert_eq!(log.len(), 3, "each event queued once: {log:?}");
    Ok(())
}

#[tokio::test]
async fn group_robots_get_a_message_for_people_signed_as_dingtalk_expects() -> TestResult {
    let app = TestApp::spawn_with(often).await?;
    let admin = app.login_as("admin").await?;
    let ding = Receiver::start(
        Vec::new(),
        Reply { status: 200, body: r#"{"errcode":0,"errmsg":"ok"}"#, delay: Duration::ZERO },
    )
    .await?;
    let refused =
        Reply { status: 200, body: r#"{"errcode":310000,"errmsg":"keywords not in content"}"#, delay: Duration::ZERO };
    let wecom = Receiver::start(Vec::new(), refused).await?;
    let secret = "SEC0123456789abcdef";
    let input = json!({ "name": "项目办钉钉群", "url": format!("{}?access_token=t0k", ding.url), "target": "DINGTALK", "secret": secret, "eventTypes": ["ISSUE_ASSIGNED"] });
    make(&app, &admin, input).await?;
    let input = json!({ "name": "企业微信群", "url": wecom.url, "target": "WECOM", "eventTypes": ["ISSUE_ASSIGNED"] });
    let (wecom_hook, _) = make(&app, &admin, input).await?;

    let project = crate::projects::create(&app, &admin, "群机器人测试项目").await?;
    let issue = crate::issues::raise(&app, &admin, &project).await?;
    crate::issues::act(&app, &admin, "assign", &issue).await?;
    let got = ding.wait_for(1, Duration::from_secs(20)).await?;
    let query: std::collections::HashMap<&str, &str> =
        got[0].query.split('&').filter_map(|p| p.split_once('=')).collect();
    assert_eq!(query.get("access_token"), Some(&"t0k"));
    let ts = query.get("timestamp").ok_or("timestamp")?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())?;
    mac.update(format!("{ts}\n{secret}").as_bytes());
    let sign = BASE64.encode(mac.finalize().into_bytes()).replace('+', "%2B").replace('/', "%2F").replace('=', "%3D");
    assert_eq!(query.get("sign"), Some(&sign.as_str()));
    let body: Value = serde_json::from_str(&got[0].body)?;
    assert_eq!(body["msgtype"], "markdown");
    let text = body["markdown"]["text"].as_str().unwrap_or_default();
    assert!(text.contains("已交办自然资源局") && text.contains("征地拆迁"), "{text}");

    // A robot that answers 200 with an error code has not taken the message: logged, retried.
    wecom.wait_for(1, Duration::from_secs(20)).await?;
    let started = Instant::now();
    let log = loop {
        let log = deliveries(&app, &admin, &wecom_hook).await?;
        if log.first().is_some_and(|d| d["attempts"].as_array().is_some_and(|a| !a.is_empty()))
            || started.elapsed() > Duration::from_secs(10)
        {
            break log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(log[0]["status"], "PENDING");
    let error = log[0]["attempts"][0]["error"].as_str().unwrap_or_default();
    assert!(error.contains("errcode 310000"), "{error}");
    let wecom_body: Value = serde_json::from_str(&wecom.got()[0].body)?;
    assert!(wecom_body["markdown"]["content"].as_str().is_some_and(|c| c.contains("已交办")), "{wecom_body}");
    Ok(())
}

#[tokio::test]
async fn webhooks_are_managed_by_admins_and_keys_that_may_and_never_reach_inside_the_network() -> TestResult {
    let app = TestApp::spawn_with(|c| c.webhooks.allow_private = false).await?;
    let admin = app.login_as("admin").await?;
    let input = |url: &str| json!({ "i": { "name": "x", "url": url, "eventTypes": ["ISSUE_RAISED"] } });
    for url in [
        "http://127.0.0.1:9/hook",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://localhost/",
        "http://10.0.0.8/",
        "ftp://example.com/",
        "not a url",
    ] {
        let body = app.gql(CREATE, input(url), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{url}: {body}");
    }
    let ok = |extra: Value| {
        let mut i = json!({ "name": "外部系统", "url": "https://example.com/hooks", "eventTypes": ["CASE_OPENED"] });
        if let (Some(i), Some(e)) = (i.as_object_mut(), extra.as_object()) {
            i.extend(e.clone());
        }
        json!({ "i": i })
    };
    let body = app.gql(CREATE, ok(json!({ "secret": "not-a-secret" })), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.gql(CREATE, ok(json!({ "eventTypes": [] })), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.gql(CREATE, ok(json!({})), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let (admins, _) = make(&app, &admin, ok(json!({}))["i"].clone()).await?;

    // Keys: without the scope, refused naming it; with it, each key manages its own alone.
    let key = |scopes: Value| {
        let admin = admin.clone();
        let app = &app;
        async move {
            let q = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret } }";
            let data = app.data(q, json!({ "i": { "name": "k", "scopes": scopes } }), Some(&admin)).await?;
            TestResult::Ok(data["createIntegrationKey"]["secret"].as_str().ok_or("secret")?.to_owned())
        }
    };
    let reader = key(json!(["ISSUES_READ"])).await?;
    let body = app.gql(CREATE, ok(json!({})), Some(&reader)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("WEBHOOKS_MANAGE")), "{body}");
    let manager = key(json!(["WEBHOOKS_MANAGE", "CASES_READ"])).await?;
    let (own, _) = make(&app, &manager, ok(json!({}))["i"].clone()).await?;
    let list = "{ webhooks { totalCount edges { node { id } } } }";
    let seen = app.data(list, json!({}), Some(&manager)).await?;
    assert_eq!(seen["webhooks"]["edges"], json!([{ "node": { "id": own } }]), "a key sees its own webhooks alone");
    assert_eq!(app.data(list, json!({}), Some(&admin)).await?["webhooks"]["totalCount"], 2);
    let body =
        app.gql("mutation($id: UUID!) { deleteWebhook(id: $id) }", json!({ "id": admins }), Some(&manager)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "another's webhook is not there for a key: {body}");

    // Turned off and on again by hand; deleted with its log.
    let update = "mutation($id: UUID!, $i: UpdateWebhookInput!) { updateWebhook(id: $id, input: $i) { active disabledReason name } }";
    let off = app.data(update, json!({ "id": own, "i": { "active": false } }), Some(&manager)).await?;
    assert_eq!(off["updateWebhook"]["active"], false);
    assert!(off["updateWebhook"]["disabledReason"].is_string());
    let on = app.data(update, json!({ "id": own, "i": { "active": true, "name": "改名" } }), Some(&manager)).await?;
    assert_eq!(on["updateWebhook"], json!({ "active": true, "disabledReason": null, "name": "改名" }));
    let body = app.gql(update, json!({ "id": own, "i": { "url": "http://192.168.1.1/" } }), Some(&manager)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    app.data("mutation($id: UUID!) { deleteWebhook(id: $id) }", json!({ "id": own }), Some(&manager)).await?;
    let body = app.gql(DELIVERIES, json!({ "id": own }), Some(&manager)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(app.data(list, json!({}), Some(&admin)).await?["webhooks"]["totalCount"], 1);
    Ok(())
}

#[tokio::test]
async fn a_webhook_failing_for_three_days_is_turned_off_saying_why_and_can_be_turned_on() -> TestResult {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = TestApp::spawn_with(often).await?;
    let admin = app.login_as("admin").await?;
    let down = Reply { status: 503, body: "maintenance", delay: Duration::ZERO };
    let rx = Receiver::start(Vec::new(), down).await?;
    let (hook, _) =
        make(&app, &admin, json!({ "name": "坏的", "url": rx.url, "eventTypes": ["ISSUE_RAISED"] })).await?;
    let project = crate::projects::create(&app, &admin, "停用测试项目").await?;
    crate::issues::raise(&app, &admin, &project).await?;
    rx.wait_for(1, Duration::from_secs(20)).await?;
    // As if it had been failing for four days already.
    let id: uuid::Uuid = hook.parse()?;
    let four_days_ago = chrono::Utc::now() - chrono::Duration::days(4);
    let set = entity::webhook::Entity::update_many()
        .col_expr(entity::webhook::Column::FailingSince, Expr::value(four_days_ago))
        .filter(entity::webhook::Column::Id.eq(id));
    let started = Instant::now();
    let state = loop {
        set.clone().exec(&app.state.db).await?;
        let q = "{ webhooks { edges { node { id active disabledReason failingSince } } } }";
        let seen = app.data(q, json!({}), Some(&admin)).await?;
        let node = seen["webhooks"]["edges"][0]["node"].clone();
        if node["active"] == false || started.elapsed() > Duration::from_secs(20) {
            break node;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(state["active"], false, "{state}");
    let reason = state["disabledReason"].as_str().unwrap_or_default();
    assert!(reason.contains("3 days") && reason.contains("503"), "{reason}");
    let retries = rx.got().len();
    assert!(retries >= 1, "it was tried before being turned off");
    tokio::time::sleep(Duration::from_millis(600)).await;
    assert_eq!(rx.got().len(), retries, "nothing is sent while it is off");
    let update = "mutation($id: UUID!) { updateWebhook(id: $id, input: { active: true }) { active disabledReason failingSince } }";
    let on = app.data(update, json!({ "id": hook }), Some(&admin)).await?;
    assert_eq!(on["updateWebhook"], json!({ "active": true, "disabledReason": null, "failingSince": null }));
    Ok(())
}
