//! Foundation figures, measured against the release binary:
//! cold start to `/readyz` on an existing SQLite database, idle RSS, and requests per second for
//! `{ me { id } }` with a valid token at 32 connections against the same server's `/healthz` in the
//! same run (the ratio is what to compare; absolute numbers depend on the machine).
//!
//! Run: `cargo bench --bench foundation` (BENCH_SECONDS sets each load phase's length, default 5).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

type BenchResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const CONNECTIONS: usize = 32;

struct Server {
    child: Child,
    base: String,
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

/// Starts the server on `dir`'s database and returns it with the time to a ready `/readyz`.
async fn start(dir: &std::path::Path, client: &reqwest::Client) -> BenchResult<(Server, Duration)> {
    let port = free_port()?;
    let started = Instant::now();
    let child = Command::new(env!("CARGO_BIN_EXE_keyprojects"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("KP_DATA_DIR", dir)
        .env_remove("DATABASE_URL")
        .env_remove("KP_DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()?;
    let server = Server { child, base: format!("http://127.0.0.1:{port}") };
    let deadline = started + Duration::from_secs(30);
    loop {
        if let Ok(r) = client.get(format!("{}/readyz", server.base)).send().await
            && r.status().is_success()
        {
            return Ok((server, started.elapsed()));
        }
        if Instant::now() > deadline {
            return Err("server did not become ready in 30 s".into());
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn rss_kib(pid: u32) -> BenchResult<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).ok_or("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad VmRSS")?.parse()?)
}

/// Requests per second with `CONNECTIONS` clients looping for `seconds`.
async fn load(make: Arc<dyn Fn() -> reqwest::RequestBuilder + Send + Sync>, seconds: u64) -> BenchResult<f64> {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let stop = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CONNECTIONS {
        let (make, done, failed) = (make.clone(), done.clone(), failed.clone());
        tasks.push(tokio::spawn(async move {
            while Instant::now() < stop {
                match make().send().await {
                    Ok(r) if r.status().is_success() => {
                        let _ = r.bytes().await;
                        done.fetch_add(1, Ordering::Relaxed);
                    }
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
        }));
    }
    for t in tasks {
        t.await?;
    }
    if failed.load(Ordering::Relaxed) > 0 {
        return Err(format!("{} requests failed", failed.load(Ordering::Relaxed)).into());
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

#[tokio::main]
async fn main() -> BenchResult {
    let seconds: u64 = std::env::var("BENCH_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(5);
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().pool_max_idle_per_host(CONNECTIONS).build()?;

    // First start creates, migrates and seeds the database; the measured starts reuse it.
    drop(start(dir.path(), &client).await?);
    let mut starts = Vec::new();
    for _ in 0..5 {
        let (server, took) = start(dir.path(), &client).await?;
        starts.push(took);
        drop(server);
    }
    starts.sort();
    let cold_start = starts[starts.len() / 2];

    let (server, _) = start(dir.path(), &client).await?;
    let login = client
        .post(format!("{}/graphql", server.base))
        .json(&serde_json::json!({ "query": "mutation { login(username: \"admin\", password: \"demo-2026\") { token } }" }))
        .send()
        .await?
        .json::<serde_json::Value>()
        .await?;
    let token = login["data"]["login"]["token"].as_str().ok_or("login failed")?.to_owned();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss = rss_kib(server.child.id())?;

    let health_url = format!("{}/healthz", server.base);
    let (c1, c2) = (client.clone(), client.clone());
    let health = load(Arc::new(move || c1.get(&health_url)), seconds).await?;
    let graphql_url = format!("{}/graphql", server.base);
    let body = serde_json::json!({ "query": "{ me { id } }" });
    let me = load(Arc::new(move || c2.post(&graphql_url).bearer_auth(&token).json(&body)), seconds).await?;
    let loaded_rss = rss_kib(server.child.id())?;

    println!("foundation benchmark (SQLite, release build, {CONNECTIONS} connections, {seconds} s per phase)");
    println!("  cold start to /readyz (median of 5): {:.0} ms   (target <= 1000 ms)", cold_start.as_secs_f64() * 1e3);
    println!("  idle RSS:                            {:.1} MiB  (target <= 40 MiB)", idle_rss as f64 / 1024.0);
    println!("  RSS after load:                      {:.1} MiB", loaded_rss as f64 / 1024.0);
    println!("  /healthz:                            {health:.0} req/s");
    println!("  {{ me {{ id }} }} with a token:          {me:.0} req/s");
    println!("  ratio me / healthz:                  {:.2}      (target >= 0.30)", me / health);
    Ok(())
}
