//! Issue list figures: a DEPARTMENT user's `issues(first: 50)` with each issue's project, assigned
//! unit and last three timeline entries, on a county of 10,000 generated issues — SQL statements per
//! request and requests per second at 32 connections — against `{ me { id } }` on the same server in
//! the same run, on SQLite and on PostgreSQL.
//!
//! Run: `cargo bench --bench issues` (BENCH_SECONDS per phase, default 5; BENCH_ISSUES, default
//! 10000; BENCH_PG for the server).

mod common;

use std::sync::Arc;

use common::{BenchResult, CONNECTIONS, load, seconds, start, statements};

const PAGE: &str = "query($n: Int) { issues(first: $n) { pageInfo { hasNextPage endCursor } edges { node { id number title status severity dueDate overdue escalation project { name } assignedUnit { name } timeline(last: 3) { kind text at actor { displayName } } } } } }";

fn issue_count() -> usize {
    std::env::var("BENCH_ISSUES").ok().and_then(|s| s.parse().ok()).unwrap_or(10_000)
}

async fn run(label: &str, database_url: Option<&str>) -> BenchResult {
    let seconds = seconds();
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;
    let (server, _) = start(dir.path(), database_url, &client).await?;
    let db_url = database_url
        .map(str::to_owned)
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.path().join("keyprojects.db").display()));
    let db = sea_orm::Database::connect(db_url).await?;
    let generated = std::time::Instant::now();
    let wanted = issue_count();
    let total = api::seed::issues::add_generated(&db, wanted.saturating_sub(api::seed::issues::DEMO_ISSUES)).await?;
    // No ANALYZE here: the figures are the server's as it runs (PostgreSQL's autovacuum and the
    // server's own periodic `PRAGMA optimize` on SQLite keep statistics, in their own time).
    db.close().await?;
    println!("{label}: generated the county's issues ({total} in all) in {:.1} s", generated.elapsed().as_secs_f64());

    let token = common::login(&client, &server, "zrzyj").await?;
    let url = format!("{}/graphql", server.base);
    let mut per_request = Vec::new();
    for n in [10, 50, 100] {
        let before = statements(&client, &server).await?;
        let body = serde_json::json!({ "query": PAGE, "variables": { "n": n } });
        let answer: serde_json::Value = client.post(&url).bearer_auth(&token).json(&body).send().await?.json().await?;
        if answer.get("errors").is_some() {
            return Err(format!("query failed: {answer}").into());
        }
        let got = answer["data"]["issues"]["edges"].as_array().map_or(0, Vec::len);
        if got != n {
            return Err(format!("asked for {n} issues, got {got}").into());
        }
        per_request.push((n, statements(&client, &server).await? - before));
    }

    let count_body = serde_json::json!({ "query": "{ issues { totalCount } }" });
    let answer: serde_json::Value =
        client.post(&url).bearer_auth(&token).json(&count_body).send().await?.json().await?;
    let visible = answer["data"]["issues"]["totalCount"].as_u64().unwrap_or(0);

    let (c1, c2, c3, t1, t2, t3) =
        (client.clone(), client.clone(), client.clone(), token.clone(), token.clone(), token);
    let (u1, u2, u3) = (url.clone(), url.clone(), url);
    let me_body = serde_json::json!({ "query": "{ me { id } }" });
    let me = load(Arc::new(move || c1.post(&u1).bearer_auth(&t1).json(&me_body)), seconds).await?;
    let page_body = serde_json::json!({ "query": PAGE, "variables": { "n": 50 } });
    let page = load(Arc::new(move || c2.post(&u2).bearer_auth(&t2).json(&page_body)), seconds).await?;
    let counted_body =
        serde_json::json!({ "query": PAGE.replacen("pageInfo", "totalCount pageInfo", 1), "variables": { "n": 50 } });
    let counted = load(Arc::new(move || c3.post(&u3).bearer_auth(&t3).json(&counted_body)), seconds).await?;
    println!("{label}: the department (自然资源局) sees {visible} of {total} issues");
    println!("{label}: statements per request {per_request:?} (page size, statements)");
    println!(
        "{label}: {{ me {{ id }} }} {me:.0} req/s; issues(first: 50) with project, unit, last 3 entries {page:.0} req/s; ratio {:.3}",
        page / me
    );
    println!("{label}: the same page with totalCount {counted:.0} req/s; ratio {:.3}", counted / me);
    drop(server);
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    println!(
        "issues benchmark (release build, demo county with {} issues, {CONNECTIONS} connections, {} s per phase)",
        issue_count(),
        seconds()
    );
    run("SQLite", None).await?;
    match common::fresh_postgres().await {
        Some(url) => run("PostgreSQL", Some(&url)).await?,
        None => println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)"),
    }
    Ok(())
}
