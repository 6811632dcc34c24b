//! Field figures, in one go:
//! - End-to-end upload over HTTP of `mobile_jolla.jpg` (8 MP) — acknowledged with EXIF, hash, both
//!   thumbnails and the row — against `vipsthumbnail -s 1024` on the same file in the same run.
//! - Peak RSS above idle (before any upload) with 4 uploads sent at once, per upload really in
//!   flight (the server's photo workers, one per CPU).
//! - A sync of 500 inspections × 20 answers, then the same sync replayed: time and new rows.
//!
//! Run: `cargo bench --bench photos` (needs `vipsthumbnail`, from libvips-tools, for the comparison;
//! BENCH_PG for the PostgreSQL sync run). The fixtures folder `../shared/fixtures/photos` must exist.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{BenchResult, start};
use serde_json::{Value, json};
use uuid::Uuid;

const UPLOAD: &str = "mutation($i: PhotoInput!, $file: Upload!) { uploadPhoto(input: $i, file: $file) { id sha256 takenAt thumbnailUrl(size: 1024) trustScore } }";
const SYNC: &str =
    "mutation($i: [InspectionInput!]!) { syncInspections(inputs: $i) { id outcome error { code message } } }";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn upload(client: &reqwest::Client, url: &str, token: &str, project: &str, bytes: Vec<u8>) -> BenchResult {
    let operations = json!({ "query": UPLOAD, "variables": { "file": null, "i": {
        "id": Uuid::new_v4(), "projectId": project, "capturedAt": chrono::Utc::now().to_rfc3339(),
        "deviceLocation": { "lat": 29.61, "lng": 111.87, "accuracyM": 5.0 } } } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.file"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes).file_name("mobile_jolla.jpg"));
    let answer: Value = client
        .post(url)
        .bearer_auth(token)
        .header("apollo-require-preflight", "true")
        .multipart(form)
        .send()
        .await?
        .json()
        .await?;
    if answer.get("errors").is_some() || answer["data"]["uploadPhoto"]["thumbnailUrl"].is_null() {
        return Err(format!("upload failed: {answer}").into());
    }
    Ok(())
}

async fn gql(client: &reqwest::Client, url: &str, token: &str, query: &str, variables: Value) -> BenchResult<Value> {
    let answer: Value = client
        .post(url)
        .bearer_auth(token)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await?
        .json()
        .await?;
    if answer.get("errors").is_some() {
        return Err(format!("query failed: {answer}").into());
    }
    Ok(answer["data"].clone())
}

async fn photos(dir: &std::path::Path) -> BenchResult {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/fixtures/photos");
    let bytes = std::fs::read(fixtures.join("mobile_jolla.jpg"))
        .map_err(|e| format!("the photo fixtures folder {} is needed: {e}", fixtures.display()))?;
    let client = reqwest::Client::new();
    // The first start loads the demo county (argon2 hashing leaves the allocator holding memory);
    // the figures are taken on a restart, as a server in service runs.
    drop(start(dir, None, &client).await?);
    let (server, _) = start(dir, None, &client).await?;
    let url = format!("{}/graphql", server.base);
    let token = common::login(&client, &server, "inspector").await?;
    let project = gql(&client, &url, &token, "{ projects(first: 1) { edges { node { id } } } }", json!({})).await?;
    let project = project["projects"]["edges"][0]["node"]["id"].as_str().ok_or("no project")?.to_owned();

    let fresh = common::rss_kib(server.child.id())?;
    // Warm up, then time single uploads one after another, alternating with vipsthumbnail.
    upload(&client, &url, &token, &project, bytes.clone()).await?;
    let out = dir.join("vips_%s.jpg");
    let (mut ours, mut vips) = (Vec::new(), Vec::new());
    for _ in 0..9 {
        let t = Instant::now();
        upload(&client, &url, &token, &project, bytes.clone()).await?;
        ours.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        let status = std::process::Command::new("vipsthumbnail")
            .args(["-s", "1024", "-o"])
            .arg(&out)
            .arg(fixtures.join("mobile_jolla.jpg"))
            .status()
            .map_err(|e| format!("vipsthumbnail (libvips-tools) is needed: {e}"))?;
        if !status.success() {
            return Err("vipsthumbnail failed".into());
        }
        vips.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    // vipsthumbnail is timed as a whole process: its start-up is part of its figure, stated here.
    let mut startup = Vec::new();
    for _ in 0..9 {
        let t = Instant::now();
        std::process::Command::new("vipsthumbnail").arg("--version").output()?;
        startup.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let (ours, vips, startup) = (median(ours), median(vips), median(startup));
    let (w, h) = image::ImageReader::new(std::io::Cursor::new(&bytes)).with_guessed_format()?.into_dimensions()?;
    println!(
        "upload of mobile_jolla.jpg ({:.1} MP, {} KiB), end to end over HTTP: median {ours:.0} ms; vipsthumbnail -s 1024: median {vips:.0} ms, of which {startup:.0} ms is starting the process (`vipsthumbnail --version`); ratio {:.2} ({:.2} without vips's start-up)",
        f64::from(w) * f64::from(h) / 1e6,
        bytes.len() / 1024,
        ours / vips,
        ours / (vips - startup).max(1.0)
    );

    // Peak RSS with 4 uploads sent at once, sampled every 2 ms. The server processes as many at
    // once as it has photo workers (one per CPU), so that is how many are really in flight.
    let pid = server.child.id();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let after_uploads = common::rss_kib(pid)?;
    let idle = fresh;
    let in_flight = 4.min(std::thread::available_parallelism().map_or(2, |n| n.get()));
    let peak = Arc::new(AtomicU64::new(idle));
    let stop = Arc::new(AtomicBool::new(false));
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(kib) = common::rss_kib(pid) {
                    peak.fetch_max(kib, Ordering::Relaxed);
                }
                tokio::time::sleep(Duration::from_millis(2)).await;
            }
        })
    };
    for _ in 0..3 {
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let (client, url, token, project, bytes) =
                (client.clone(), url.clone(), token.clone(), project.clone(), bytes.clone());
            tasks.push(tokio::spawn(async move { upload(&client, &url, &token, &project, bytes).await }));
        }
        for t in tasks {
            t.await??;
        }
    }
    stop.store(true, Ordering::Relaxed);
    sampler.await?;
    let above = peak.load(Ordering::Relaxed).saturating_sub(idle) as f64 / 1024.0;
    println!(
        "RSS: {:.1} MiB idle before any upload, {:.1} MiB after 10 uploads; peak with 4 sent at once ({in_flight} processed at once) {:.1} MiB: {above:.1} MiB above idle, {:.1} MiB per upload in flight",
        idle as f64 / 1024.0,
        after_uploads as f64 / 1024.0,
        peak.load(Ordering::Relaxed) as f64 / 1024.0,
        above / in_flight as f64
    );
    Ok(())
}

async fn sync(label: &str, dir: &std::path::Path, database_url: Option<&str>) -> BenchResult {
    let client = reqwest::Client::new();
    let (server, _) = start(dir, database_url, &client).await?;
    let url = format!("{}/graphql", server.base);
    let admin = common::login(&client, &server, "admin").await?;
    let inspector = common::login(&client, &server, "inspector").await?;
    let items: Vec<Value> = (0..20)
        .map(|i| match i % 4 {
            0 => json!({ "key": format!("i{i}"), "label": format!("第{i}项"), "type": "PASS_FAIL_NA", "weight": 2 }),
            1 => json!({ "key": format!("i{i}"), "label": format!("第{i}项"), "type": "YES_NO" }),
            2 => {
                json!({ "key": format!("i{i}"), "label": format!("第{i}项"), "type": "NUMBER", "min": 0, "max": 1000 })
            }
            _ => json!({ "key": format!("i{i}"), "label": format!("第{i}项"), "type": "TEXT", "required": false }),
        })
        .collect();
    let template = gql(
        &client,
        &url,
        &admin,
        "mutation($i: PublishChecklistTemplateInput!) { publishChecklistTemplate(input: $i) { id } }",
        json!({ "i": { "key": "bench20", "name": "二十项检查表", "sections": [{ "title": "全部", "items": items }] } }),
    )
    .await?;
    let template = template["publishChecklistTemplate"]["id"].as_str().ok_or("no template")?.to_owned();
    let projects = gql(&client, &url, &admin, "{ projects(first: 50) { edges { node { id } } } }", json!({})).await?;
    let projects: Vec<String> = projects["projects"]["edges"]
        .as_array()
        .ok_or("no projects")?
        .iter()
        .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
        .collect();
    let inspections: Vec<Value> = (0..500)
        .map(|n| {
            let answers: Vec<Value> = (0..20)
                .map(|i| {
                    let value = match i % 4 {
                        0 => "PASS".to_owned(),
                        1 => "YES".to_owned(),
                        2 => format!("{}", (n * 7 + i) % 900),
                        _ => format!("现场情况良好 {n}-{i}"),
                    };
                    json!({ "itemKey": format!("i{i}"), "value": value })
                })
                .collect();
            json!({
                "id": Uuid::new_v4(), "kind": "TRACKING", "focus": "PROGRESS",
                "projectId": projects[n % projects.len()], "templateId": template,
                "startedAt": "2026-11-20T09:00:00+08:00", "completedAt": "2026-11-20T09:30:00+08:00",
                "location": { "lat": 29.61, "lng": 111.87, "accuracyM": 10.0 }, "answers": answers,
            })
        })
        .collect();
    let count = || async {
        let d = gql(&client, &url, &admin, "{ inspections(filter: { allRevisions: true }) { totalCount } }", json!({}))
            .await?;
        BenchResult::Ok(d["inspections"]["totalCount"].as_u64().unwrap_or(0))
    };
    let run = |expect: &'static str| {
        let (client, url, inspector, inspections) =
            (client.clone(), url.clone(), inspector.clone(), inspections.clone());
        async move {
            let t = Instant::now();
            for batch in inspections.chunks(100) {
                let d = gql(&client, &url, &inspector, SYNC, json!({ "i": batch })).await?;
                let results = d["syncInspections"].as_array().ok_or("no results")?;
                if let Some(bad) = results.iter().find(|r| r["outcome"] != expect) {
                    return Err(format!("expected {expect}: {bad}").into());
                }
            }
            BenchResult::Ok(t.elapsed().as_secs_f64())
        }
    };
    let before = count().await?;
    let first = run("STORED").await?;
    let after_first = count().await?;
    let replay = run("ALREADY_STORED").await?;
    let after_replay = count().await?;
    println!(
        "{label}: sync of 500 inspections × 20 answers in 5 requests: {first:.2} s ({} rows); replayed: {replay:.2} s, {} new rows; ratio {:.3}",
        after_first - before,
        after_replay - after_first,
        replay / first
    );
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult {
    println!("photos and sync benchmark (release build, this machine, local folder storage, SQLite unless said)");
    let dir = tempfile::tempdir()?;
    photos(dir.path()).await?;
    let dir = tempfile::tempdir()?;
    sync("SQLite", dir.path(), None).await?;
    match common::fresh_postgres().await {
        Some(url) => {
            let dir = tempfile::tempdir()?;
            sync("PostgreSQL", dir.path(), Some(&url)).await?
        }
        None => println!("PostgreSQL: skipped (no server at BENCH_PG or 127.0.0.1:5432)"),
    }
    Ok(())
}
