//! Integration figures: what a request costs with an integration key against the same request with a
//! user's token (the key is checked and counted in the database on every request), and the change
//! feed over 100,000 events — read front to back by one client, and one page at 32 connections — on
//! SQLite and on PostgreSQL; and webhook deliveries a second to a receiver on this machine, for one
//! webhook (sent in order, one after another) and for eight at once; and how long a change made on
//! one instance takes to reach a subscriber on another instance of the same database (p50, p99).
//!
//! Run: `cargo bench --bench integrations` (BENCH_SECONDS per phase, default 5).

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{BenchResult, CONNECTIONS, load, seconds, start_with};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const EVENTS: i64 = 100_000;
const READ: &str = "{ projects(first: 1) { edges { node { name } } } }";
const FEED: &str = "query($a: String) { changes(after: $a, first: 100) { events { seq action entityId changes } pageInfo { endSeq hasNextPage } } }";

/// Adds `per` events `action` for each of the 200 projects to the trail, straight in SQL (SQLite
/// keeps UUIDs as 16-byte blobs, the trail names them in their hyphenated text form).
async fn grow_trail(database_url: &str, action: &str, per: i64) -> BenchResult {
    let db = sea_orm::Database::connect(database_url).await?;
    let sql = if database_url.starts_with("postgres") {
        format!(
            "INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, changes) \
             SELECT now(), '{action}', 'project', p.id::text, '{{\"progressBp\":{{\"before\":1,\"after\":2}}}}'::json \
             FROM projects p CROSS JOIN generate_series(1, {per}) ORDER BY 1"
        )
    } else {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {per}) \
             INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, changes) \
             SELECT (SELECT occurred_at FROM audit_events LIMIT 1), '{action}', 'project', \
             lower(substr(hex(p.id), 1, 8) || '-' || substr(hex(p.id), 9, 4) || '-' || substr(hex(p.id), 13, 4) \
             || '-' || substr(hex(p.id), 17, 4) || '-' || substr(hex(p.id), 21)), \
             '{{\"progressBp\":{{\"before\":1,\"after\":2}}}}' FROM projects p, n"
        )
    };
    db.execute_unprepared(&sql).await?;
    if database_url.starts_with("postgres") {
        db.execute_unprepared("VACUUM ANALYZE audit_events").await?;
    }
    Ok(())
}

async fn run(label: &str, database_url: Option<&str>) -> BenchResult {
    let seconds = seconds();
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;
    let settings = [("KP_WEBHOOK_ALLOW_PRIVATE", "true"), ("KP_WEBHOOK_POLL_MILLIS", "100")];
    let (server, _) = start_with(dir.path(), database_url, &client, &settings).await?;
    let token = common::login(&client, &server, "admin").await?;
    let url = format!("{}/graphql", server.base);
    let make = json!({ "query": "mutation { createIntegrationKey(input: { name: \"bench\", scopes: [PROJECTS_READ, CHANGES_READ], rateLimitPerMinute: 1000000 }) { secret } }" });
    let made: Value = client.post(&url).bearer_auth(&token).json(&make).send().await?.json().await?;
    let key = made["data"]["createIntegrationKey"]["secret"].as_str().ok_or("no key")?.to_owned();

    let rate = |bearer: String| {
        let (client, url) = (client.clone(), url.clone());
        let body = json!({ "query": READ });
        load(Arc::new(move || client.post(&url).bearer_auth(&bearer).json(&body)), seconds)
    };
    let with_token = rate(token.clone()).await?;
    let with_key = rate(key.clone()).await?;
    println!(
        "{label}: {READ} with a user's token {with_token:.0} req/s, with a key {with_key:.0} req/s; key / token {:.2}",
        with_key / with_token
    );

    let sqlite = format!("sqlite://{}/keyprojects.db?mode=rwc", dir.path().display());
    let database = database_url.unwrap_or(&sqlite);
    for hooks in [1, 8] {
        let (delivered, elapsed) = webhooks(&client, &url, &token, database, hooks).await?;
        println!(
            "{label}: webhooks, {hooks} receiving {WEBHOOK_EVENTS} events each: {delivered} deliveries in {elapsed:.1} s = {:.0} deliveries/s",
            delivered as f64 / elapsed
        );
    }
    let (second, _) = start_with(dir.path(), database_url, &client, &settings).await?;
    let (p50, p99) = fan_out(&client, &url, &token, &second.base).await?;
    println!(
        "{label}: subscription fan-out, mutation on one instance to a subscriber on another: p50 {p50:.1} ms, p99 {p99:.1} ms"
    );
    drop(second);
    grow_trail(database, "project.update", EVENTS / 200).await?;
    // One client reading the whole trail, page after page.
    let started = Instant::now();
    let (mut after, mut pages, mut events) = ("0".to_owned(), 0u64, 0u64);
    loop {
        let body = json!({ "query": FEED, "variables": { "a": after } });
        let page: Value = client.post(&url).bearer_auth(&key).json(&body).send().await?.json().await?;
        let feed = &page["data"]["changes"];
        events += feed["events"].as_array().ok_or_else(|| format!("no page: {page}"))?.len() as u64;
        pages += 1;
        after = feed["pageInfo"]["endSeq"].as_str().ok_or("no endSeq")?.to_owned();
        if feed["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    println!(
        "{label}: change feed, one client: {events} events in {pages} pages of 100 in {elapsed:.1} s = {:.0} pages/s",
        pages as f64 / elapsed
    );
    // Many readers, each on a page in the middle of the trail.
    let middle = json!({ "query": FEED, "variables": { "a": (EVENTS / 2).to_string() } });
    let (c, u, k) = (client.clone(), url.clone(), key.clone());
    let concurrent = load(Arc::new(move || c.post(&u).bearer_auth(&k).json(&middle)), seconds).await?;
    println!("{label}: change feed, {CONNECTIONS} connections: {concurrent:.0} pages/s");
    Ok(())
}

/// Events each webhook is sent in the webhook phase (5 project creations for each of 200 projects).
const WEBHOOK_EVENTS: u64 = 1000;

/// Makes `hooks` webhooks to a receiver here, records `WEBHOOK_EVENTS` events they subscribe to, and
/// times until every delivery has been answered; returns the deliveries and the seconds.
async fn webhooks(
    client: &reqwest::Client,
    url: &str,
    token: &str,
    database: &str,
    hooks: u64,
) -> BenchResult<(u64, f64)> {
    let received = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = received.clone();
    let receiver = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let target = format!("http://{}/hook", listener.local_addr()?);
    let served = tokio::spawn(async move { axum::serve(listener, receiver).await });
    let mut ids = Vec::new();
    for n in 0..hooks {
        let make = json!({ "query": "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { webhook { id } } }",
            "variables": { "i": { "name": format!("bench {n}"), "url": target, "eventTypes": ["PROJECT_CREATED"] } } });
        let made: Value = client.post(url).bearer_auth(token).json(&make).send().await?.json().await?;
        ids.push(made["data"]["createWebhook"]["webhook"]["id"].as_str().ok_or_else(|| format!("{made}"))?.to_owned());
    }
    grow_trail(database, "project.create", (WEBHOOK_EVENTS / 200) as i64).await?;
    let started = Instant::now();
    let expected = hooks * WEBHOOK_EVENTS;
    while received.load(std::sync::atomic::Ordering::Relaxed) < expected {
        if started.elapsed().as_secs() > 600 {
            return Err(format!(
                "{} of {expected} deliveries in 10 minutes",
                received.load(std::sync::atomic::Ordering::Relaxed)
            )
            .into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    for id in ids {
        let delete = json!({ "query": "mutation($id: UUID!) { deleteWebhook(id: $id) }", "variables": { "id": id } });
        client.post(url).bearer_auth(token).json(&delete).send().await?;
    }
    served.abort();
    Ok((expected, elapsed))
}

/// Comments on one issue through `url`, one after another, each time until a subscriber on the
/// instance at `other` has the change; returns the p50 and p99 of those times in milliseconds.
async fn fan_out(client: &reqwest::Client, url: &str, token: &str, other: &str) -> BenchResult<(f64, f64)> {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let first: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": "{ issues(first: 1) { edges { node { id } } } }" }))
        .send()
        .await?
        .json()
        .await?;
    let issue = first["data"]["issues"]["edges"][0]["node"]["id"].as_str().ok_or("no issue")?.to_owned();
    let mut request = format!("{}/graphql/ws", other.replace("http://", "ws://")).into_client_request()?;
    request.headers_mut().insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let init = json!({ "type": "connection_init", "payload": { "Authorization": format!("Bearer {token}") } });
    socket.send(Message::Text(init.to_string().into())).await?;
    socket.next().await.ok_or("no ack")??;
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": {
        "query": "subscription($f: IssueChangedFilter) { issueChanged(filter: $f) { id } }",
        "variables": { "f": { "issueIds": [issue] } } } });
    socket.send(Message::Text(subscribe.to_string().into())).await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let comment = json!({ "query": "mutation($id: UUID!) { commentOnIssue(id: $id, text: \"基准测试\") { id } }", "variables": { "id": issue } });
    let mut times = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let sent = client.post(url).bearer_auth(token).json(&comment).send();
        let (response, event) =
            tokio::join!(sent, tokio::time::timeout(std::time::Duration::from_secs(10), socket.next()));
        response?;
        match event {
            Ok(Some(Ok(Message::Text(_)))) => times.push(started.elapsed().as_secs_f64() * 1000.0),
            other => return Err(format!("no event: {other:?}").into()),
        }
    }
    times.sort_by(f64::total_cmp);
    Ok((times[times.len() / 2], times[times.len() * 99 / 100]))
}

#[tokio::main]
async fn main() -> BenchResult {
    println!(
        "integrations benchmark (release build, demo county, {CONNECTIONS} connections, {} s per phase)",
        seconds()
    );
    run("SQLite", None).await?;
    match common::fresh_postgres().await {
        Some(url) => run("PostgreSQL", Some(&url)).await?,
        None => println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)"),
    }
    Ok(())
}
