//! The periodic jobs, run by several instances on one database at once, as production runs them:
//! each overdue issue is escalated once, bytes a crash left without a row are swept once, and no
//! instance trips over another.

use serde_json::json;

use crate::helpers::{TestApp, TestResult};

#[tokio::test]
async fn two_instances_run_the_periodic_jobs_side_by_side() -> TestResult {
    let shared = tempfile::tempdir()?;
    let objects = shared.path().to_owned();
    // This instance's jobs ran at its start, before anything below existed.
    // Tests keep photos in memory; these instances share a folder, as production shares a bucket.
    let app = TestApp::spawn_with(|c| {
        c.storage_url = None;
        c.storage_dir = objects.clone();
    })
    .await?;
    let admin = app.login_as("admin").await?;
    let project = crate::projects::create(&app, &admin, "双实例定时任务项目").await?;
    let today = crate::helpers::county_today();
    let overdue = crate::issues::raise_due(&app, &admin, &project, today - chrono::Duration::days(10)).await?;
    let inspector = app.login_as("inspector").await?;
    let body = crate::photos::upload(
        &app,
        &inspector,
        &crate::photos::input(&project),
        "kept.jpg",
        crate::photos::jpeg(64, 48, 3),
    )
    .await?;
    let kept = body["data"]["uploadPhoto"]["url"].as_str().ok_or("url")?.to_owned();
    let orphan = format!("photos/{}/{}-0badc0de", chrono::Utc::now().format("%Y-%m-%d"), uuid::Uuid::new_v4());
    app.state.storage.put(&orphan, bytes::Bytes::from_static(b"left by a crash")).await?;

    // Two more instances on the same database and object store, running every job every second:
    // both run them at start, side by side, and again a second later.
    let fast = |c: &mut api::config::Config| {
        c.storage_url = None;
        c.storage_dir = objects.clone();
        c.jobs = api::config::Jobs { every_secs: 1, orphan_sweep_every_secs: 1, orphan_grace_secs: 0 };
    };
    let (b, c) = tokio::try_join!(
        TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, fast),
        TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, fast),
    )?;
    let rounds = |t: &TestApp| t.state.job_rounds.load(std::sync::atomic::Ordering::Acquire);
    let started = std::time::Instant::now();
    while rounds(&b) < 2 || rounds(&c) < 2 {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "the jobs stopped running");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    for (name, instance) in [("b", &b), ("c", &c)] {
        let failures = instance.state.job_failures.load(std::sync::atomic::Ordering::Relaxed);
        assert_eq!(failures, 0, "instance {name} saw its jobs fail");
    }
    let q = "query($id: UUID!) { issue(id: $id) { escalatedTo { username } timeline { kind } } }";
    let seen = app.data(q, json!({ "id": overdue }), Some(&admin)).await?;
    assert_eq!(seen["issue"]["escalatedTo"]["username"], "leader", "{seen}");
    let escalations =
        seen["issue"]["timeline"].as_array().ok_or("timeline")?.iter().filter(|e| e["kind"] == "ESCALATED").count();
    assert_eq!(escalations, 1, "escalated once, by one of the instances: {seen}");
    assert!(app.state.storage.get(&orphan).await?.is_none(), "the orphan was swept");
    assert_eq!(app.client.get(app.url(&kept)).send().await?.status(), 200, "a photo with a row stays");
    Ok(())
}
