//! Meeting figures: `meetings(first: 20)` with each meeting's agenda projects, decisions and action
//! items, and `leaderActivity` for the year, on a county of 2,000 generated meetings — SQL statements
//! per request and requests per second at 32 connections — against `{ me { id } }` on the same
//! server in the same run, on SQLite and on PostgreSQL.
//!
//! Run: `cargo bench --bench meetings` (BENCH_SECONDS per phase, default 5; BENCH_MEETINGS, default
//! 2000; BENCH_PG for the server).

mod common;

use std::sync::Arc;

use chrono::Datelike;
use common::{BenchResult, CONNECTIONS, load, seconds, start, statements};

const PAGE: &str = "query($n: Int) { meetings(first: $n) { pageInfo { hasNextPage endCursor } edges { node { id title kind status startsAt chair { displayName } agenda { opinion project { name responsibleUnit { name } } } decisions { text case { title } } actionItems { task status deadline overdue ownerUnit { name } } } } } }";
const ACTIVITY: &str = "query($y: Int!) { leaderActivity(year: $y) { leader { displayName } meetingsChaired meetingsByKind { kind count } projectsDispatched projectsVisited instructions issuesEscalated escalatedClosed medianDaysToClose actionItems actionItemsDoneOnTime actionItemsDoneLate actionItemsOverdue actionItemsOpen } }";

fn meeting_count() -> usize {
    std::env::var("BENCH_MEETINGS").ok().and_then(|s| s.parse().ok()).unwrap_or(2_000)
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
    let have = {
        use sea_orm::{EntityTrait, PaginatorTrait};
        entity::meeting::Entity::find().count(&db).await? as usize
    };
    let total = api::seed::meetings::add_generated(&db, meeting_count().saturating_sub(have)).await?;
    db.close().await?;
    println!("{label}: generated the county's meetings ({total} in all) in {:.1} s", generated.elapsed().as_secs_f64());

    let token = common::login(&client, &server, "admin").await?;
    let url = format!("{}/graphql", server.base);
    let year = api::clock::Clock::default().today().year();
    let mut per_request = Vec::new();
    for (name, body) in [
        ("meetings(first: 5)", serde_json::json!({ "query": PAGE, "variables": { "n": 5 } })),
        ("meetings(first: 20)", serde_json::json!({ "query": PAGE, "variables": { "n": 20 } })),
        ("leaderActivity", serde_json::json!({ "query": ACTIVITY, "variables": { "y": year } })),
    ] {
        let before = statements(&client, &server).await?;
        let answer: serde_json::Value = client.post(&url).bearer_auth(&token).json(&body).send().await?.json().await?;
        if answer.get("errors").is_some() {
            return Err(format!("{name} failed: {answer}").into());
        }
        per_request.push((name, statements(&client, &server).await? - before));
    }

    let (c1, c2, c3, t1, t2, t3) =
        (client.clone(), client.clone(), client.clone(), token.clone(), token.clone(), token);
    let (u1, u2, u3) = (url.clone(), url.clone(), url);
    let me_body = serde_json::json!({ "query": "{ me { id } }" });
    let me = load(Arc::new(move || c1.post(&u1).bearer_auth(&t1).json(&me_body)), seconds).await?;
    let page_body = serde_json::json!({ "query": PAGE, "variables": { "n": 20 } });
    let page = load(Arc::new(move || c2.post(&u2).bearer_auth(&t2).json(&page_body)), seconds).await?;
    let activity_body = serde_json::json!({ "query": ACTIVITY, "variables": { "y": year } });
    let activity = load(Arc::new(move || c3.post(&u3).bearer_auth(&t3).json(&activity_body)), seconds).await?;
    println!("{label}: statements per request {per_request:?}");
    println!(
        "{label}: {{ me {{ id }} }} {me:.0} req/s; meetings(first: 20) with agenda, decisions, items {page:.0} req/s (ratio {:.3}); leaderActivity(year) {activity:.0} req/s (ratio {:.3})",
        page / me,
        activity / me
    );
    drop(server);
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    println!(
        "meetings benchmark (release build, demo county with {} meetings, {CONNECTIONS} connections, {} s per phase)",
        meeting_count(),
        seconds()
    );
    run("SQLite", None).await?;
    match common::fresh_postgres().await {
        Some(url) => run("PostgreSQL", Some(&url)).await?,
        None => println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)"),
    }
    Ok(())
}
