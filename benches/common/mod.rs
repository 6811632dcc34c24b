//! What the benchmarks share: starting the release binary on a database of its own, a fixed-size
//! client pool looping requests, and reading the server's counters.

#![expect(dead_code, reason = "each bench uses part of this")]

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const CONNECTIONS: usize = 32;

/// The token the benches give the server for `/metrics`.
pub const METRICS_TOKEN: &str = "bench-metrics-token";

pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> BenchResult<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts the release binary with `data_dir` and, when given, a PostgreSQL URL; returns it with the
/// time to a ready `/readyz`.
pub async fn start(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
    client: &reqwest::Client,
) -> BenchResult<(Server, Duration)> {
    start_with(data_dir, database_url, client, &[]).await
}

/// [`start`] with settings of the bench's own (`KP_…` variables) besides those of `BENCH_ENV`.
pub async fn start_with(
    data_dir: &std::path::Path,
    database_url: Option<&str>,
    client: &reqwest::Client,
    env: &[(&str, &str)],
) -> BenchResult<(Server, Duration)> {
    let port = free_port()?;
    let started = Instant::now();
    // BENCH_SERVER_BIN runs another build (an earlier release, say) under the same measurements.
    let binary = std::env::var("BENCH_SERVER_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_keyprojects").to_owned());
    let mut cmd = Command::new(binary);
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("KP_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .env("KP_METRICS_TOKEN", METRICS_TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    match database_url {
        Some(url) => cmd.env("KP_DATABASE_URL", url),
        None => cmd.env_remove("KP_DATABASE_URL"),
    };
    for (name, value) in env {
        cmd.env(name, value);
    }
    for (name, value) in extra_env() {
        cmd.env(name, value);
    }
    let server = Server { child: cmd.spawn()?, base: format!("http://127.0.0.1:{port}") };
    let deadline = started + Duration::from_secs(60);
    loop {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return Ok((server, started.elapsed()));
        }
        if Instant::now() > deadline {
            return Err("server did not become ready in 60 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

pub async fn login(client: &reqwest::Client, server: &Server, username: &str) -> BenchResult<String> {
    let body = serde_json::json!({ "query": format!("mutation {{ login(username: \"{username}\", password: \"demo-2026\") {{ token }} }}") });
    let answer: serde_json::Value =
        client.post(format!("{}/graphql", server.base)).json(&body).send().await?.json().await?;
    Ok(answer["data"]["login"]["token"].as_str().ok_or("login failed")?.to_owned())
}

/// `BENCH_ENV="KP_A=1,KP_B=2"`: settings for the server under test.
fn extra_env() -> Vec<(String, String)> {
    std::env::var("BENCH_ENV")
        .unwrap_or_default()
        .split(',')
        .filter_map(|kv| kv.split_once('=').map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())))
        .collect()
}

/// The peak resident set of process `pid` since the last [`reset_peak`], in KiB.
pub fn peak_kib(pid: u32) -> BenchResult<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).ok_or("no VmHWM")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmHWM")?.parse()?)
}

/// Forgets the peak resident set of process `pid` so far.
pub fn reset_peak(pid: u32) -> BenchResult {
    Ok(std::fs::write(format!("/proc/{pid}/clear_refs"), "5")?)
}

pub fn rss_kib(pid: u32) -> BenchResult<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// The server's SQL statement counter.
pub async fn statements(client: &reqwest::Client, server: &Server) -> BenchResult<u64> {
    let text = client.get(format!("{}/metrics", server.base)).bearer_auth(METRICS_TOKEN).send().await?.text().await?;
    let line = text.lines().find(|l| l.starts_with("keyprojects_sql_statements_total ")).ok_or("no counter")?;
    Ok(line.split(' ').nth(1).ok_or("no value")?.parse()?)
}

/// Requests per second with [`CONNECTIONS`] clients looping for `seconds`. Every answer must be a
/// success without GraphQL errors, or the run fails.
pub async fn load(make: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync>, seconds: u64) -> BenchResult<f64> {
    Ok(load_timed(make, seconds).await?.rate)
}

/// What [`load_timed`] measured: requests per second and the 99th percentile of their latencies.
pub struct Measured {
    pub rate: f64,
    pub p99: Duration,
}

/// [`load`], timing every request.
pub async fn load_timed(
    make: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync>,
    seconds: u64,
) -> BenchResult<Measured> {
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (make, failed) = (make.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            let mut took = Vec::new();
            while Instant::now() < stop {
                let sent = Instant::now();
                let ok = match make().send().await {
                    Ok(r) if r.status().is_success() => {
                        r.bytes().await.map(|b| !b.windows(9).any(|w| w == b"\"errors\":")).unwrap_or(false)
                    }
                    _ => false,
                };
                if ok {
                    took.push(sent.elapsed());
                } else {
                    failed.fetch_add(1, Ordering::Relaxed);
                }
            }
            took
        }));
    }
    let mut took = Vec::new();
    for t in tasks {
        took.extend(t.await?);
    }
    if failed.load(Ordering::Relaxed) > 0 {
        return Err(format!("{} requests failed", failed.load(Ordering::Relaxed)).into());
    }
    took.sort_unstable();
    let p99 = took.get(took.len() * 99 / 100).copied().unwrap_or_default();
    Ok(Measured { rate: took.len() as f64 / started.elapsed().as_secs_f64(), p99 })
}

pub fn seconds() -> u64 {
    std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5)
}

/// A fresh PostgreSQL database for one run, when `BENCH_PG` (a server URL without database, e.g.
/// `postgres://postgres@127.0.0.1:5432`) is set or the default local server answers.
pub async fn fresh_postgres() -> Option<FreshDatabase> {
    fresh_postgres_named("main").await
}

/// Like [`fresh_postgres`], a second database of the same run under another `name`.
pub async fn fresh_postgres_named(name: &str) -> Option<FreshDatabase> {
    let server = std::env::var("BENCH_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
    let name = format!("kp_bench_{}_{name}", std::process::id());
    let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.ok()?;
    use sea_orm::ConnectionTrait;
    admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await.ok()?;
    admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await.ok()?;
    Some(FreshDatabase { url: format!("{server}/{name}"), server, name })
}

/// A database made for one run (its URL, as a `str`); dropped with it, so that runs leave nothing
/// behind (a province is a few hundred megabytes).
pub struct FreshDatabase {
    url: String,
    server: String,
    name: String,
}

impl std::ops::Deref for FreshDatabase {
    type Target = str;

    fn deref(&self) -> &str {
        &self.url
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        // On a thread of its own: a drop inside the bench's runtime cannot wait on it.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
            runtime.block_on(async {
                use sea_orm::ConnectionTrait;
                let admin = sea_orm::Database::connect(format!("{server}/postgres")).await.ok()?;
                admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)")).await.ok()
            })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the bench database {}", self.name);
        }
    }
}
