//! Read speed against the peer a county's IT office would pick for a read API over PostgreSQL:
//! PostGraphile 4, which compiles a whole GraphQL query into one SQL statement. Both servers answer
//! the same page from the same PostgreSQL database with the demo county — 50 projects with name, total
//! investment, responsible unit, leader and the last three monthly reports — in alternating rounds, and
//! the bench prints both rates (median of the rounds) and their ratio. Then it prints what our page is
//! made of (the component rates) on PostgreSQL and SQLite.
//!
//! Run: `cargo bench --bench versus` (BENCH_SECONDS per round, default 5; BENCH_ROUNDS, default 3;
//! BENCH_PG for the PostgreSQL server). PostGraphile comes from npm into a temporary folder; without
//! Node the bench says so and measures ours alone.

mod common;

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{BenchResult, CONNECTIONS, load, load_timed, seconds, start};
use serde_json::{Value, json};

/// Our page.
const OURS: &str = "{ projects(first: 50) { edges { node { id name totalInvestment responsibleUnit { name } leader { displayName } reports(first: 3) { period investmentThisMonth progressPercent } } } } }";

/// The same page in PostGraphile's schema (its names follow the tables and foreign keys).
const THEIRS: &str = "{ allProjects(first: 50, orderBy: NAME_ASC) { nodes { id name totalInvestmentFen unitByResponsibleUnitId { name } userByLeaderId { displayName } monthlyReportsByProjectId(first: 3, orderBy: PERIOD_DESC, condition: { isCurrent: true }) { nodes { period investmentFen progressBp } } } } }";

/// What our page is made of, cheapest first.
const COMPONENTS: &[(&str, &str)] = &[
    ("{ __typename }", "{ __typename }"),
    ("{ me { id } }", "{ me { id } }"),
    ("1 project, name", "{ projects(first: 1) { edges { node { name } } } }"),
    ("50 projects, name", "{ projects(first: 50) { edges { node { name } } } }"),
    (
        "50 projects + unit, leader",
        "{ projects(first: 50) { edges { node { name responsibleUnit { name } leader { displayName } } } } }",
    ),
    ("50 projects + unit, leader, 3 reports (the page)", OURS),
    ("50 projects, health { light }", "{ projects(first: 50) { edges { node { name health { light } } } } }"),
    // A column the name's index does not hold: the projects' rows are read, as a light's are.
    ("50 projects, name, status", "{ projects(first: 50) { edges { node { name status } } } }"),
    (
        "50 projects, name, status, health { light }",
        "{ projects(first: 50) { edges { node { name status health { light } } } } }",
    ),
    ("the page + health { light }", PAGE_AND_LIGHTS),
];

/// The page with each project's light.
const PAGE_AND_LIGHTS: &str = "{ projects(first: 50) { edges { node { id name totalInvestment responsibleUnit { name } leader { displayName } reports(first: 3) { period investmentThisMonth progressPercent } health { light } } } } }";

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3)
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs.get(xs.len() / 2).copied().unwrap_or(0.0)
}

/// Installs PostGraphile 4 into `dir` and serves `database_url` with it, or `None` without Node.
async fn postgraphile(
    dir: &std::path::Path,
    database_url: &str,
    client: &reqwest::Client,
) -> BenchResult<Option<(Node, String)>> {
    let has = |tool: &str| {
        Command::new(tool)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !has("node") || !has("npm") {
        println!("PostGraphile: skipped (no Node.js on this machine); ours alone below");
        return Ok(None);
    }
    let installed = Command::new("npm")
        .args(["install", "--prefix"])
        .arg(dir)
        .args(["postgraphile@4.14", "--no-audit", "--no-fund", "--silent"])
        .status()?;
    if !installed.success() {
        return Err("npm could not install postgraphile@4.14".into());
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = Command::new("node")
        .arg(dir.join("node_modules/.bin/postgraphile"))
        .args(["-c", database_url, "--schema", "public", "--host", "127.0.0.1", "--disable-query-log"])
        .args(["--port", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let node = Node(child);
    let url = format!("http://127.0.0.1:{port}/graphql");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let probe = client.post(&url).json(&json!({ "query": "{ __typename }" })).send().await;
        if probe.is_ok_and(|r| r.status().is_success()) {
            return Ok(Some((node, url)));
        }
        if Instant::now() > deadline {
            return Err("PostGraphile did not answer in 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Requests per second of `query` at `url`, with `token` when given.
async fn rate(client: &reqwest::Client, url: &str, token: Option<&str>, query: &str, seconds: u64) -> BenchResult<f64> {
    Ok(timed(client, url, token, query, seconds).await?.rate)
}

/// [`rate`] and the 99th percentile latency.
async fn timed(
    client: &reqwest::Client,
    url: &str,
    token: Option<&str>,
    query: &str,
    seconds: u64,
) -> BenchResult<common::Measured> {
    let (client, url, token) = (client.clone(), url.to_owned(), token.map(str::to_owned));
    let body = json!({ "query": query });
    load_timed(
        Arc::new(move || {
            let request = client.post(&url).json(&body);
            match &token {
                Some(t) => request.bearer_auth(t),
                None => request,
            }
        }),
        seconds,
    )
    .await
}

/// Both pages must list the same 50 projects in the same order.
async fn same_page(client: &reqwest::Client, ours: (&str, &str), theirs: &str) -> BenchResult {
    let a: Value = client.post(ours.0).bearer_auth(ours.1).json(&json!({ "query": OURS })).send().await?.json().await?;
    let b: Value = client.post(theirs).json(&json!({ "query": THEIRS })).send().await?.json().await?;
    let ids_a: Vec<&Value> =
        a["data"]["projects"]["edges"].as_array().ok_or("our page")?.iter().map(|e| &e["node"]["id"]).collect();
    let ids_b: Vec<&Value> =
        b["data"]["allProjects"]["nodes"].as_array().ok_or("their page")?.iter().map(|n| &n["id"]).collect();
    if ids_a != ids_b {
        return Err("the two servers answer different pages".into());
    }
    Ok(())
}

async fn components(label: &str, database_url: Option<&str>, client: &reqwest::Client) -> BenchResult {
    let dir = tempfile::tempdir()?;
    let (server, _) = start(dir.path(), database_url, client).await?;
    let token = common::login(client, &server, "leader").await?;
    let url = format!("{}/graphql", server.base);
    let seconds = seconds();
    // What 32 requests for the page at once cost in memory: the peak resident set while they run,
    // above the server's just after it started (its pools, caches and threads grow with them).
    let pid = server.child.id();
    let idle = common::rss_kib(pid)?;
    common::reset_peak(pid)?;
    rate(client, &url, Some(&token), OURS, seconds).await?;
    let peak = common::peak_kib(pid)?;
    println!(
        "{label}: the page at {CONNECTIONS} connections: peak RSS {:.1} MiB above the idle {:.1} MiB",
        peak.saturating_sub(idle) as f64 / 1024.0,
        idle as f64 / 1024.0
    );
    let health_url = format!("{}/healthz", server.base);
    let c = client.clone();
    let healthz = load(Arc::new(move || c.get(&health_url)), seconds).await?;
    println!("{label}: /healthz {healthz:.0} req/s");
    for (name, query) in COMPONENTS {
        let m = timed(client, &url, Some(&token), query, seconds).await?;
        println!("{label}: {name}: {:.0} req/s, p99 {:.1} ms", m.rate, m.p99.as_secs_f64() * 1000.0);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;
    let (seconds, rounds) = (seconds(), rounds());
    println!(
        "versus benchmark (release build, demo county, {CONNECTIONS} connections, {rounds} rounds of {seconds} s)"
    );
    let Some(fresh) = common::fresh_postgres().await else {
        println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)");
        return components("SQLite", None, &client).await;
    };
    // Both servers talk to the database in plain text, as PostGraphile does by default (ours would
    // otherwise negotiate TLS with a local server that offers it, and pay for it on every row).
    let database_url = format!("{}?sslmode=disable", &*fresh);
    let dir = tempfile::tempdir()?;
    // Ours first: it creates the schema and loads the demo county that PostGraphile then reads.
    let (server, _) = start(dir.path(), Some(&database_url), &client).await?;
    let token = common::login(&client, &server, "leader").await?;
    let ours_url = format!("{}/graphql", server.base);
    let npm_dir = tempfile::tempdir()?;
    let peer = postgraphile(npm_dir.path(), &database_url, &client).await?;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    if let Some((_, peer_url)) = &peer {
        same_page(&client, (&ours_url, &token), peer_url).await?;
    }
    let (mut ours_p99, mut theirs_p99) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let m = timed(&client, &ours_url, Some(&token), OURS, seconds).await?;
        ours.push(m.rate);
        ours_p99.push(m.p99.as_secs_f64() * 1000.0);
        if let Some((_, peer_url)) = &peer {
            let m = timed(&client, peer_url, None, THEIRS, seconds).await?;
            theirs.push(m.rate);
            theirs_p99.push(m.p99.as_secs_f64() * 1000.0);
        }
    }
    let (ours, theirs) = (median(ours), median(theirs));
    println!("PostgreSQL: the page, ours {ours:.0} req/s, p99 {:.1} ms", median(ours_p99));
    if peer.is_some() {
        println!(
            "PostgreSQL: the page, PostGraphile 4.14 {theirs:.0} req/s, p99 {:.1} ms; ours / theirs = {:.2}",
            median(theirs_p99),
            ours / theirs
        );
    }
    drop(peer);
    drop(server);
    components("PostgreSQL", Some(&database_url), &client).await?;
    components("SQLite", None, &client).await
}
