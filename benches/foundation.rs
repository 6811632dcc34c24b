//! Foundation figures, measured against the release binary:
//! cold start to `/readyz` on an existing SQLite database, idle RSS, and requests per second for
//! `{ me { id } }` with a valid token at 32 connections against the same server's `/healthz` in the
//! same run (the ratio is what to compare; absolute numbers depend on the machine).
//!
//! Run: `cargo bench --bench foundation` (BENCH_SECONDS sets each load phase's length, default 5).

use std::sync::Arc;
use std::time::Duration;

mod common;

use common::{BenchResult, CONNECTIONS, load, rss_kib, seconds, start};

#[tokio::main]
async fn main() -> BenchResult {
    let seconds = seconds();
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;

    // First start creates, migrates and seeds the database; the measured starts reuse it.
    drop(start(dir.path(), None, &client).await?);
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (server, took) = start(dir.path(), None, &client).await?;
        starts.push(took);
        drop(server);
    }
    starts.sort();
    let cold_start = starts[starts.len() / 2];

    let (server, _) = start(dir.path(), None, &client).await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = rss_kib(server.child.id())?;
    let token = common::login(&client, &server, "admin").await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_login_rss = rss_kib(server.child.id())?;

    let health_url = format!("{}/healthz", server.base);
    let (c1, c2) = (client.clone(), client.clone());
    let health = load(Arc::new(move || c1.get(&health_url)), seconds).await?;
    let graphql_url = format!("{}/graphql", server.base);
    let body = serde_json::json!({ "query": "{ me { id } }" });
    let me = load(Arc::new(move || c2.post(&graphql_url).bearer_auth(&token).json(&body)), seconds).await?;
    let c3 = client.clone();
    let anon_url = format!("{}/graphql", server.base);
    let anon_body = serde_json::json!({ "query": "{ __typename }" });
    let anonymous = load(Arc::new(move || c3.post(&anon_url).json(&anon_body)), seconds).await?;
    let loaded_rss = rss_kib(server.child.id())?;

    println!("foundation benchmark (SQLite, release build, {CONNECTIONS} connections, {seconds} s per phase)");
    println!("  cold start to /readyz (median of 5): {:.0} ms   (target <= 1000 ms)", cold_start.as_secs_f64() * 1e3);
    println!("  idle RSS:                            {:.1} MiB  (target <= 40 MiB)", idle_rss as f64 / 1024.0);
    println!("  RSS after one login (argon2, 19 MiB): {:.1} MiB", after_login_rss as f64 / 1024.0);
    println!("  RSS after load:                      {:.1} MiB", loaded_rss as f64 / 1024.0);
    println!("  /healthz:                            {health:.0} req/s");
    println!("  {{ me {{ id }} }} with a token:          {me:.0} req/s");
    println!("  {{ __typename }} without a token:    {anonymous:.0} req/s  (GraphQL without auth or SQL)");
    println!("  ratio me / healthz:                  {:.2}      (target >= 0.30)", me / health);
    Ok(())
}
