//! Scale: the figures a leader opens every morning (and the supervision office's coverage and
//! evidence gaps, beside `{ me { id } }` for scale), on the demo county and on a generated province
//! (by default 20,000 projects, 500 units and 200,000 issues), in the same run on the same kind of
//! database. For each query it prints the median time of sequential requests on both, and their
//! ratio (the goal is ≤ 2×), then the first request after the province was written, which computes
//! every project's light for the day (as the first request of each day does).
//!
//! Run: `cargo bench --bench province` (BENCH_PROJECTS, BENCH_UNITS, BENCH_ISSUES for another size;
//! BENCH_REPEAT requests per median, default 30; BENCH_PG for the PostgreSQL server). Without
//! PostgreSQL it measures SQLite.

mod common;

use std::time::{Duration, Instant};

use api::seed::province::{Size, grow};
use common::{BenchResult, start};
use serde_json::json;

const QUERIES: &[(&str, &str)] = &[
    (
        "dashboard",
        "{ dashboard { total { projectCount plannedInvestment completedInvestment } byCategory { category totals { projectCount } } lights { green yellow red } byUnit { unit { name } projectCount reportsDue reportsSubmitted reportsOnTime averageSlipDays } } }",
    ),
    (
        "projects(filter: { light: RED }, first: 50)",
        "{ projects(filter: { light: RED }, first: 50) { totalCount edges { node { name health { light } } } } }",
    ),
    (
        "missingReports(first: 50)",
        "query($p: String!) { missingReports(period: $p, first: 50) { totalCount edges { node { project { name } unit { name } } } } }",
    ),
    (
        "supervisionCoverage(period)",
        "query($p: String!) { supervisionCoverage(period: $p) { required covered sharePercent units { unit { name } required covered notVisited { name } } } }",
    ),
    (
        "evidenceGaps(period, first: 50)",
        "query($p: String!) { evidenceGaps(period: $p, first: 50) { totalCount edges { node { kind reported observed project { name } } } } }",
    ),
    ("{ me { id } } (for scale)", "{ me { id } }"),
];

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

/// The month before the county's current one, whose reports are due.
fn last_month() -> String {
    let today = api::clock::Clock::default().today();
    let first = today.with_day0(0).unwrap_or(today);
    (first - chrono::Duration::days(1)).format("%Y-%m").to_string()
}

use chrono::Datelike;

async fn time(client: &reqwest::Client, url: &str, token: &str, query: &str) -> BenchResult<Duration> {
    let started = Instant::now();
    let body: serde_json::Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": { "p": last_month() } }))
        .send()
        .await?
        .json()
        .await?;
    if body.get("errors").is_some() {
        return Err(format!("{query}: {body}").into());
    }
    Ok(started.elapsed())
}

async fn median(client: &reqwest::Client, url: &str, token: &str, query: &str) -> BenchResult<Duration> {
    let mut times = Vec::new();
    for _ in 0..env_or("BENCH_REPEAT", 30) {
        times.push(time(client, url, token, query).await?);
    }
    times.sort();
    Ok(times[times.len() / 2])
}

/// The map feed of every project of the province: median time and bytes, plain and gzipped, and the
/// server's peak resident memory above its level before.
async fn map_feed(client: &reqwest::Client, server: &common::Server, token: &str) -> BenchResult {
    let url = format!("{}/geo/projects.geojson", server.base);
    let pid = server.child.id();
    let before = common::rss_kib(pid)?;
    common::reset_peak(pid)?;
    for encoding in ["identity", "gzip"] {
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..env_or("BENCH_FEED_REPEAT", 10) {
            let started = Instant::now();
            let r = client.get(&url).bearer_auth(token).header("accept-encoding", encoding).send().await?;
            if !r.status().is_success() {
                return Err(format!("map feed: {}", r.status()).into());
            }
            bytes = r.bytes().await?.len();
            times.push(started.elapsed());
        }
        times.sort();
        println!(
            "  map feed of the province ({encoding}): {:.0} ms (median), {:.2} MB",
            times[times.len() / 2].as_secs_f64() * 1000.0,
            bytes as f64 / 1e6
        );
    }
    let peak = common::peak_kib(pid)?;
    println!(
        "  map feed: peak RSS {:.1} MiB above the {:.1} MiB before",
        peak.saturating_sub(before) as f64 / 1024.0,
        before as f64 / 1024.0
    );
    Ok(())
}

/// Every spreadsheet of the province (the monthly table of every project, the issue ledger of every
/// issue, ...): time and bytes of each of a few exports, and the server's peak resident memory above
/// its level before, each sheet measured apart.
async fn spreadsheets(client: &reqwest::Client, server: &common::Server) -> BenchResult {
    let token = common::login(client, server, "admin").await?;
    let pid = server.child.id();
    for name in ["monthly-report", "issues", "cases", "missing-reports", "dashboard"] {
        let url = format!("{}/exports/{name}.xlsx", server.base);
        let before = common::rss_kib(pid)?;
        common::reset_peak(pid)?;
        let mut times = Vec::new();
        let mut bytes = 0;
        for _ in 0..3 {
            let started = Instant::now();
            let r = client.get(&url).bearer_auth(&token).send().await?;
            if !r.status().is_success() {
                return Err(format!("export {name}: {}", r.status()).into());
            }
            bytes = r.bytes().await?.len();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        let peak = common::peak_kib(pid)?;
        println!(
            "  {name}.xlsx: {} ms, {:.2} MB, peak RSS {:.1} MiB above the {:.1} MiB before",
            times.iter().map(|t| format!("{t:.0}")).collect::<Vec<_>>().join(" / "),
            bytes as f64 / 1e6,
            peak.saturating_sub(before) as f64 / 1024.0,
            before as f64 / 1024.0
        );
    }
    Ok(())
}

/// Medians of every query on a server at `database_url` (SQLite in `dir` when none), with the SQL
/// statements one request of it makes, after growing its county to `size` when given; and the first
/// request's time after growing.
async fn measure(
    dir: &std::path::Path,
    database_url: Option<&str>,
    size: Option<Size>,
    client: &reqwest::Client,
) -> BenchResult<(Vec<(Duration, u64)>, Option<Duration>)> {
    let (server, _) = start(dir, database_url, client).await?;
    let token = common::login(client, &server, "leader").await?;
    let url = format!("{}/graphql", server.base);
    let mut first = None;
    if let Some(size) = size {
        let db_url = database_url
            .map(str::to_owned)
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", dir.join("keyprojects.db").display()));
        let db = sea_orm::Database::connect(db_url).await?;
        let started = Instant::now();
        let (units, projects, issues) = grow(&db, size).await?;
        db.close().await?;
        println!(
            "  generated the province ({units} units, {projects} projects, {issues} issues) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        first = Some(time(client, &url, &token, QUERIES[0].1).await?);
    }
    if size.is_some() {
        map_feed(client, &server, &token).await?;
        spreadsheets(client, &server).await?;
    }
    let mut medians = Vec::new();
    for (_, query) in QUERIES {
        // One unmeasured request: today's lights of the county are computed by the first reader.
        time(client, &url, &token, query).await?;
        let before = common::statements(client, &server).await?;
        time(client, &url, &token, query).await?;
        let statements = common::statements(client, &server).await? - before;
        medians.push((median(client, &url, &token, query).await?, statements));
    }
    Ok((medians, first))
}

#[tokio::main]
async fn main() -> BenchResult {
    let client = reqwest::Client::new();
    let size = Size {
        units: env_or("BENCH_UNITS", 500),
        projects: env_or("BENCH_PROJECTS", 20_000),
        issues: env_or("BENCH_ISSUES", 200_000),
    };
    let (label, county_db, province_db) = match common::fresh_postgres().await {
        Some(county) => ("PostgreSQL", Some(county), common::fresh_postgres_named("province").await),
        None => ("SQLite", None, None),
    };
    println!("province benchmark ({label}, release build): the demo county against {size:?}");
    let county_dir = tempfile::tempdir()?;
    let (county, _) = measure(county_dir.path(), county_db.as_deref(), None, &client).await?;
    let province_dir = tempfile::tempdir()?;
    let (province, first) = measure(province_dir.path(), province_db.as_deref(), Some(size), &client).await?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (((name, _), (c, cs)), (p, ps)) in QUERIES.iter().zip(&county).zip(&province) {
        println!(
            "{label}: {name}: county {:.1} ms ({cs} statements), province {:.1} ms ({ps} statements), province / county = {:.2}",
            ms(*c),
            ms(*p),
            p.as_secs_f64() / c.as_secs_f64()
        );
    }
    if let Some(first) = first {
        println!("{label}: the province's first dashboard of a day (every light computed): {:.0} ms", ms(first));
    }
    Ok(())
}
