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

    // Phases alternate in short rounds so that drift in the machine's state (the load generator
    // shares the two cores) falls on both sides of the ratio alike; the median round is reported.
    let health_url = format!("{}/healthz", server.base);
    let graphql_url = format!("{}/graphql", server.base);
    let (c1, c2, c3) = (client.clone(), client.clone(), client.clone());
    let me_body = serde_json::json!({ "query": "{ me { id } }" });
    let anon_body = serde_json::json!({ "query": "{ __typename }" });
    let (u2, u3) = (graphql_url.clone(), graphql_url);
    let health_req: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync> = Arc::new(move || c1.get(&health_url));
    let me_req: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move || c2.post(&u2).bearer_auth(&token).json(&me_body));
    let anon_req: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync> =
        Arc::new(move || c3.post(&u3).json(&anon_body));
    let rounds = seconds.max(3);
    let (mut health_rates, mut me_rates, mut anon_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        let h = load(health_req.clone(), 1).await?;
        let m = load(me_req.clone(), 1).await?;
        anon_rates.push(load(anon_req.clone(), 1).await?);
        health_rates.push(h);
        me_rates.push(m);
        ratios.push(m / h);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (lo, hi) = (ratios.iter().copied().fold(f64::MAX, f64::min), ratios.iter().copied().fold(0.0, f64::max));
    let (health, me, anonymous, ratio) =
        (median(&mut health_rates), median(&mut me_rates), median(&mut anon_rates), median(&mut ratios));
    let loaded_rss = rss_kib(server.child.id())?;

    println!(
        "foundation benchmark (SQLite, release build, {CONNECTIONS} connections, {rounds} alternating rounds of 1 s per phase; medians)"
    );
    println!("  cold start to /readyz (median of 5): {:.0} ms   (target <= 1000 ms)", cold_start.as_secs_f64() * 1e3);
    println!("  idle RSS:                            {:.1} MiB  (target <= 40 MiB)", idle_rss as f64 / 1024.0);
    println!("  RSS after one login (argon2, 19 MiB): {:.1} MiB", after_login_rss as f64 / 1024.0);
    println!("  RSS after load:                      {:.1} MiB", loaded_rss as f64 / 1024.0);
    println!("  /healthz:                            {health:.0} req/s");
    println!("  {{ me {{ id }} }} with a token:          {me:.0} req/s");
    println!("  {{ __typename }} without a token:    {anonymous:.0} req/s  (GraphQL without auth or SQL)");
    println!("  ratio me / healthz:                  {ratio:.2}      (target >= 0.30; rounds ranged {lo:.2}–{hi:.2})");
    Ok(())
}
