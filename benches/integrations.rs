//! Integration figures: what a request costs with an integration key against the same request with a
//! user's token (the key is checked and counted in the database on every request), and the change
//! feed over 100,000 events — read front to back by one client, and one page at 32 connections — on
//! SQLite and on PostgreSQL.
//!
//! Run: `cargo bench --bench integrations` (BENCH_SECONDS per phase, default 5).

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::{BenchResult, CONNECTIONS, load, seconds, start};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const EVENTS: i64 = 100_000;
const READ: &str = "{ projects(first: 1) { edges { node { name } } } }";
const FEED: &str = "query($a: String) { changes(after: $a, first: 100) { events { seq action entityId changes } pageInfo { endSeq hasNextPage } } }";

/// Adds `EVENTS` project events to the trail, straight in SQL (500 for each of the 200 projects;
/// SQLite keeps UUIDs as 16-byte blobs, the trail names them in their hyphenated text form).
async fn grow_trail(database_url: &str) -> BenchResult {
    let db = sea_orm::Database::connect(database_url).await?;
    let per = EVENTS / 200;
    let sql = if database_url.starts_with("postgres") {
        format!(
            "INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, changes) \
             SELECT now(), 'project.update', 'project', p.id::text, '{{\"progressBp\":{{\"before\":1,\"after\":2}}}}'::json \
             FROM projects p CROSS JOIN generate_series(1, {per}) ORDER BY 1"
        )
    } else {
        format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {per}) \
             INSERT INTO audit_events (occurred_at, action, entity_type, entity_id, changes) \
             SELECT (SELECT occurred_at FROM audit_events LIMIT 1), 'project.update', 'project', \
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
    let (server, _) = start(dir.path(), database_url, &client).await?;
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
    grow_trail(database_url.unwrap_or(&sqlite)).await?;
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
