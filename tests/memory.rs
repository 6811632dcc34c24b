//! Memory under abuse, measured on this process alone: cargo runs each test binary by itself, and
//! the tests here take turns, so the resident set is the server's under test (and its client's).

#[expect(dead_code, reason = "the API tests' helpers; this binary uses a few")]
#[path = "api/helpers.rs"]
mod helpers;

#[path = "support/bombs.rs"]
mod bombs;

use std::time::Duration;

use helpers::{TestApp, TestResult, error_code};
use serde_json::{Value, json};

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";

/// One test at a time: each reads the process's memory.
static TURN: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn status_kib(field: &str) -> TestResult<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with(field)).ok_or("no such field")?;
    Ok(line.split_whitespace().nth(1).ok_or("bad line")?.parse()?)
}

/// Forgets the peak so far: the next `VmHWM` is the peak from now on.
fn reset_peak() -> TestResult {
    Ok(std::fs::write("/proc/self/clear_refs", "5")?)
}

async fn failed_logins(app: &TestApp, n: usize, addresses: usize, tag: &str) -> TestResult<(usize, usize)> {
    let mut limited = 0;
    let mut checked = 0;
    let mut tasks = Vec::new();
    for i in 0..n {
        let (client, url) = (app.client.clone(), app.url("/graphql"));
        let address = format!("10.9.{}.{}", i % addresses / 250, i % addresses % 250 + 1);
        let username = format!("{tag}-nobody-{i}");
        tasks.push(tokio::spawn(async move {
            let body: Value = client
                .post(url)
                .header("x-test-client", address)
                .json(&json!({ "query": LOGIN, "variables": { "u": username, "p": "not-the-password" } }))
                .send()
                .await?
                .json()
                .await?;
            Ok::<Value, reqwest::Error>(body)
        }));
        // At most 32 in flight, like a crowd of clients.
        if tasks.len() == 32 {
            for t in tasks.drain(..) {
                match error_code(&t.await??) {
                    Some("RATE_LIMITED") => limited += 1,
                    Some("UNAUTHENTICATED") => checked += 1,
                    other => return Err(format!("unexpected answer {other:?}").into()),
                }
            }
        }
    }
    for t in tasks {
        match error_code(&t.await??) {
            Some("RATE_LIMITED") => limited += 1,
            Some("UNAUTHENTICATED") => checked += 1,
            other => return Err(format!("unexpected answer {other:?}").into()),
        }
    }
    Ok((checked, limited))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_thousand_failed_sign_ins_leave_the_resident_set_flat() -> TestResult {
    let _turn = TURN.lock().await;
    let app = TestApp::spawn_with(|c| c.login.client_ip_header = Some("x-test-client".into())).await?;
    // Warm up: the hashing workers' buffers, the pool's connections, the allocator.
    failed_logins(&app, 64, 64, "warm").await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = status_kib("VmRSS:")?;
    let (checked, limited) = failed_logins(&app, 5_000, 8, "spray").await?;
    let after = status_kib("VmRSS:")?;
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!(
        "5000 failed sign-ins from 8 addresses: {checked} checked, {limited} refused before hashing; RSS {before} → {after} KiB"
    );
    assert!(limited > 4_000, "an address's burst bounds the hashing: {checked} checked");
    assert!(grown_mib <= 50, "RSS grew by {grown_mib} MiB");
    // And when every attempt is hashed (each from its own address), memory stays flat too.
    let before = status_kib("VmRSS:")?;
    let (checked, _) = failed_logins(&app, 160, 160, "hashed").await?;
    let after = status_kib("VmRSS:")?;
    let grown_mib = after.saturating_sub(before) / 1024;
    eprintln!("{checked} hashed failed sign-ins: RSS {before} → {after} KiB");
    assert!(checked >= 150, "{checked}");
    assert!(grown_mib <= 50, "RSS grew by {grown_mib} MiB with every attempt hashed");
    Ok(())
}

async fn upload(app: &TestApp, token: &str, project: &str, name: &str, bytes: Vec<u8>) -> TestResult<Value> {
    let q = "mutation($i: PhotoInput!, $file: Upload!) { uploadPhoto(input: $i, file: $file) { id thumbnailUrl } }";
    let i = json!({ "id": uuid::Uuid::new_v4(), "projectId": project });
    let r = app.upload(q, json!({ "i": i, "file": null }), vec![("variables.file", name, bytes)], Some(token)).await?;
    Ok(r.json().await?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decoding_bombs_stay_within_the_memory_budget() -> TestResult {
    let _turn = TURN.lock().await;
    const BUDGET_MIB: u64 = 64;
    let app = TestApp::spawn_with(|c| {
        c.limits.photo_memory_bytes = BUDGET_MIB << 20;
        c.limits.photo_memory_total_bytes = BUDGET_MIB << 20;
    })
    .await?;
    let admin = app.login_as("admin").await?;
    let project = app.data("{ projects(first: 1) { edges { node { id } } } }", json!({}), Some(&admin)).await?;
    let project = project["projects"]["edges"][0]["node"]["id"].as_str().ok_or("project")?.to_owned();
    // Made before measuring: 4000 × 4000 at 8 bytes a pixel is 128 MB decoded; 16 MP RGBA 64 MB.
    let bombs = [("deep.png", bombs::deep_png(4000, 4000)), ("lossless.webp", bombs::lossless_webp(4000, 4000)?)];
    for (name, bytes) in bombs {
        let small = bytes.len();
        tokio::time::sleep(Duration::from_millis(100)).await;
        reset_peak()?;
        let base = status_kib("VmRSS:")?;
        let body = upload(&app, &admin, &project, name, bytes).await?;
        let peak = status_kib("VmHWM:")?;
        let grown_mib = peak.saturating_sub(base) / 1024;
        eprintln!("{name} ({small} bytes): {:?}, peak RSS growth {grown_mib} MiB", error_code(&body));
        assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
        assert!(grown_mib <= BUDGET_MIB, "{name}: peak grew {grown_mib} MiB");
    }
    // A picture that fits is thumbnailed, and its peak stays within the budget too.
    let img = image::RgbImage::from_pixel(2000, 2000, image::Rgb([90, 10, 200]));
    let mut png8 = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png8, image::ImageFormat::Png)?;
    let png8 = png8.into_inner();
    tokio::time::sleep(Duration::from_millis(100)).await;
    reset_peak()?;
    let base = status_kib("VmRSS:")?;
    let body = upload(&app, &admin, &project, "fits.png", png8).await?;
    let grown_mib = status_kib("VmHWM:")?.saturating_sub(base) / 1024;
    eprintln!("fits.png: peak RSS growth {grown_mib} MiB");
    assert!(body["data"]["uploadPhoto"]["thumbnailUrl"].is_string(), "{body}");
    assert!(grown_mib <= BUDGET_MIB, "peak grew {grown_mib} MiB");
    Ok(())
}
