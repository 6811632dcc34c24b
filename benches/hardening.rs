//! What abuse costs the server, in time and peak memory:
//! - a fragment chain (each fragment spreads the previous one twice) of 16 to 30 levels;
//! - decoding bombs within the pixel limit: a 10,000 × 10,000 16-bit RGBA PNG (800 MB decoded) and
//!   a lossless WebP of the same size (400 MB decoded), each well under 25 MB on the wire;
//! - 5,000 failed sign-ins with unique usernames from 8 client addresses.
//!
//! Run: `BENCH_ENV=KP_CLIENT_IP_HEADER=x-forwarded-for cargo bench --bench hardening` (the header
//! carries the 8 client addresses). `BENCH_SERVER_BIN=path/to/keyprojects` measures another build (an
//! earlier release) the same way, so before and after come from one machine and one method;
//! `BENCH_CHAIN_MAX=24` spares a build that expands fragments the 30-level chain.

#[path = "../tests/support/bombs.rs"]
mod bombs;
mod common;

use std::time::{Duration, Instant};

use common::{BenchResult, login, peak_kib, reset_peak, rss_kib, start};
use serde_json::{Value, json};

fn doubling_chain(levels: usize) -> String {
    let mut q = format!("query {{ ...F{levels} }} fragment F1 on Query {{ __typename }}");
    for i in 2..=levels {
        q.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} }}", p = i - 1));
    }
    q
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

#[tokio::main]
async fn main() -> BenchResult {
    let dir = tempfile::tempdir()?;
    let client = reqwest::Client::builder().timeout(Duration::from_secs(120)).build()?;
    let (server, _) = start(dir.path(), None, &client).await?;
    let pid = server.child.id();
    let url = format!("{}/graphql", server.base);
    let admin = login(&client, &server, "admin").await?;
    println!("server: {}", std::env::var("BENCH_SERVER_BIN").unwrap_or_else(|_| "this build".into()));

    println!("\n## Fragment chains (one anonymous request each; 60 s cap)");
    // BENCH_CHAIN_MAX stops short of chains that would keep a build busy long after its answer
    // timed out (and so spoil the measurements after them).
    let max_levels: usize = std::env::var("BENCH_CHAIN_MAX").ok().and_then(|v| v.parse().ok()).unwrap_or(30);
    for levels in [16, 20, 22, 24, 30].into_iter().filter(|l| *l <= max_levels) {
        let q = doubling_chain(levels);
        reset_peak(pid)?;
        let base = rss_kib(pid)?;
        let started = Instant::now();
        let answer =
            tokio::time::timeout(Duration::from_secs(60), client.post(&url).json(&json!({ "query": q })).send()).await;
        let took = started.elapsed();
        let outcome = match answer {
            Ok(Ok(r)) => {
                let v: Value = r.json().await.unwrap_or_default();
                v["errors"][0]["message"].as_str().unwrap_or("answered").chars().take(60).collect::<String>()
            }
            Ok(Err(e)) => format!("failed: {e}"),
            Err(_) => "no answer within 60 s".into(),
        };
        let peak = peak_kib(pid)?;
        println!(
            "{levels} levels ({} bytes): {:.1} ms, peak RSS +{:.1} MiB — {outcome}",
            q.len(),
            took.as_secs_f64() * 1000.0,
            mib(peak.saturating_sub(base))
        );
        if took >= Duration::from_secs(60) {
            // The server is still expanding; longer chains would only take longer.
            break;
        }
    }

    println!("\n## Decoding bombs (authenticated uploads)");
    let project: Value = client
        .post(&url)
        .bearer_auth(&admin)
        .json(&json!({ "query": "{ projects(first: 1) { edges { node { id } } } }" }))
        .send()
        .await?
        .json()
        .await?;
    let project = project["data"]["projects"]["edges"][0]["node"]["id"].as_str().ok_or("project")?.to_owned();
    let bombs = [
        ("16-bit RGBA PNG 10000×10000", "bomb.png", bombs::deep_png(10_000, 10_000)),
        ("lossless WebP 10000×10000", "bomb.webp", bombs::lossless_webp(10_000, 10_000)?),
    ];
    for (what, name, bytes) in bombs {
        let size = bytes.len();
        tokio::time::sleep(Duration::from_millis(500)).await;
        reset_peak(pid)?;
        let base = rss_kib(pid)?;
        let operations = json!({ "query": "mutation($i: PhotoInput!, $f: Upload!) { uploadPhoto(input: $i, file: $f) { id thumbnailNote } }",
            "variables": { "f": null, "i": { "id": uuid::Uuid::new_v4(), "projectId": project } } });
        let form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", json!({ "0": ["variables.f"] }).to_string())
            .part("0", reqwest::multipart::Part::bytes(bytes).file_name(name));
        let started = Instant::now();
        let answer: Value = client
            .post(&url)
            .bearer_auth(&admin)
            .header("apollo-require-preflight", "true")
            .multipart(form)
            .send()
            .await?
            .json()
            .await
            .unwrap_or_default();
        let took = started.elapsed();
        let peak = peak_kib(pid)?;
        let outcome = match answer["errors"][0]["extensions"]["code"].as_str() {
            Some(code) => code.to_owned(),
            None => {
                format!("stored ({})", answer["data"]["uploadPhoto"]["thumbnailNote"].as_str().unwrap_or("thumbnailed"))
            }
        };
        println!(
            "{what} ({:.1} MB on the wire): {:.0} ms, peak RSS +{:.0} MiB — {outcome}",
            size as f64 / 1e6,
            took.as_secs_f64() * 1000.0,
            mib(peak.saturating_sub(base))
        );
    }

    println!("\n## 5,000 failed sign-ins, unique usernames, 8 addresses, 32 in flight");
    let before = rss_kib(pid)?;
    let started = Instant::now();
    let (mut refused, mut checked) = (0, 0);
    for round in 0..(5_000 / 32 + 1) {
        let mut tasks = Vec::new();
        for k in 0..32 {
            let i = round * 32 + k;
            if i >= 5_000 {
                break;
            }
            let (client, url) = (client.clone(), url.clone());
            tasks.push(tokio::spawn(async move {
                let body = json!({ "query": "mutation($u: String!) { login(username: $u, password: \"not-the-password\") { token } }", "variables": { "u": format!("nobody{i}") } });
                let answer: Value = client
                    .post(url)
                    .header("x-forwarded-for", format!("10.0.0.{}", i % 8 + 1))
                    .json(&body)
                    .send()
                    .await?
                    .json()
                    .await?;
                Ok::<Value, reqwest::Error>(answer)
            }));
        }
        for t in tasks {
            match t.await??["errors"][0]["extensions"]["code"].as_str() {
                Some("RATE_LIMITED") => refused += 1,
                _ => checked += 1,
            }
        }
    }
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = rss_kib(pid)?;
    println!(
        "{:.1} s; {checked} passwords checked, {refused} refused before hashing; RSS {:.0} → {:.0} MiB (+{:.0})",
        took.as_secs_f64(),
        mib(before),
        mib(after),
        mib(after.saturating_sub(before))
    );
    Ok(())
}
