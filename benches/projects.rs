//! Project library figures: `projects(first: 50)` with its unit, leader, milestones, light and last
//! three reports — SQL statements per request and requests per second at 32 connections — against
//! `{ me { id } }` on the same server in the same run, on SQLite and on PostgreSQL.
//!
//! Run: `cargo bench --bench projects` (BENCH_SECONDS per phase, default 5; BENCH_PG for the server).

mod common;

use std::sync::Arc;

use common::{BenchResult, CONNECTIONS, load, seconds, start, statements};

const PAGE: &str = "query($n: Int) { projects(first: $n) { totalCount edges { node { id name category status totalInvestment plannedInvestment completedInvestment responsibleUnit { name } leader { displayName } milestones { name plannedFinish actualFinish daysLate } health { light reasons } reports(first: 3) { period investmentThisMonth progressPercent } } } } }";

async fn run(label: &str, database_url: Option<&str>) -> BenchResult {
    let seconds = seconds();
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;
    let (server, _) = start(dir.path(), database_url, &client).await?;
    let token = common::login(&client, &server, "leader").await?;
    let url = format!("{}/graphql", server.base);

    // Statements per request at several page sizes (the server counts them; /metrics costs none).
    let mut per_request = Vec::new();
    for n in [10, 50, 100] {
        let before = statements(&client, &server).await?;
        let body = serde_json::json!({ "query": PAGE, "variables": { "n": n } });
        let answer: serde_json::Value = client.post(&url).bearer_auth(&token).json(&body).send().await?.json().await?;
        if answer.get("errors").is_some() {
            return Err(format!("query failed: {answer}").into());
        }
        per_request.push((n, statements(&client, &server).await? - before));
    }

    let (c1, c2, t1, t2, u1, u2) = (client.clone(), client.clone(), token.clone(), token, url.clone(), url);
    let me_body = serde_json::json!({ "query": "{ me { id } }" });
    let me = load(Arc::new(move || c1.post(&u1).bearer_auth(&t1).json(&me_body)), seconds).await?;
    let page_body = serde_json::json!({ "query": PAGE, "variables": { "n": 50 } });
    let page = load(Arc::new(move || c2.post(&u2).bearer_auth(&t2).json(&page_body)), seconds).await?;
    println!("{label}: statements per request {per_request:?} (page size, statements)");
    println!(
        "{label}: {{ me {{ id }} }} {me:.0} req/s; projects(first: 50) with relations {page:.0} req/s; ratio {:.3}",
        page / me
    );
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    println!(
        "projects benchmark (release build, demo county of 200 projects, {CONNECTIONS} connections, {} s per phase)",
        seconds()
    );
    run("SQLite", None).await?;
    match common::fresh_postgres().await {
        Some(url) => run("PostgreSQL", Some(&url)).await?,
        None => println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)"),
    }
    Ok(())
}
