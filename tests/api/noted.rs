//! Events time causes — an issue past its deadline, a month's report not in, a light changing — are
//! noted in the audit trail once each (and again only when the fact changes), so webhooks,
//! subscriptions and the change feed see them.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_day, county_today};

const EVENTS: &str = "query($f: AuditEventFilter) { auditEvents(filter: $f, first: 100) { totalCount edges { node { entityId changes } } } }";

async fn noted(app: &TestApp, admin: &str, filter: Value) -> TestResult<Vec<Value>> {
    let data = app.data(EVENTS, json!({ "f": filter }), Some(admin)).await?;
    Ok(data["auditEvents"]["edges"].as_array().ok_or("edges")?.iter().map(|e| e["node"].clone()).collect())
}

#[tokio::test]
async fn time_caused_events_are_noted_once_each_and_again_when_they_change() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let today = county_today();
    let db = &app.state.db;
    let project = crate::projects::create(&app, &admin, "逾期测试项目").await?;
    let issue = crate::issues::raise_due(&app, &admin, &project, today - chrono::Duration::days(3)).await?;

    // Noting twice (two instances' jobs, or two rounds) notes once.
    let (a, b) = tokio::join!(
        api::service::noted::note(db, county_day(today)),
        api::service::noted::note(db, county_day(today))
    );
    assert!(a? + b? >= 1);
    api::service::noted::note(db, county_day(today)).await?;
    let overdue = noted(&app, &admin, json!({ "entityId": issue, "action": "issue.overdue" })).await?;
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    let due = (today - chrono::Duration::days(3)).to_string();
    assert_eq!(overdue[0]["changes"]["overdue_since"]["after"], json!(due));

    // Reports owed for the last closed month: each project once.
    let missing = noted(&app, &admin, json!({ "action": "report.missing" })).await?;
    let mut projects: Vec<&Value> = missing.iter().map(|e| &e["entityId"]).collect();
    let all = projects.len();
    projects.sort_by_key(|v| v.to_string());
    projects.dedup();
    assert_eq!(projects.len(), all, "each project once");

    // Stricter rules change lights: each change is noted with what it was and what it is.
    let lights_before = noted(&app, &admin, json!({ "action": "project.light_changed" })).await?.len();
    let rules = "mutation($i: HealthRulesInput!) { updateHealthRules(input: $i) { yellowGapPp } }";
    app.data(rules, json!({ "i": { "yellowGapPp": 1, "redGapPp": 2, "redLateDays": 1 } }), Some(&admin)).await?;
    let recorded = api::service::noted::note(db, county_day(today)).await?;
    let changed = noted(&app, &admin, json!({ "action": "project.light_changed" })).await?;
    assert!(changed.len() > lights_before, "stricter rules changed some light");
    assert!(recorded >= changed.len() - lights_before);
    for event in &changed {
        let light = &event["changes"]["light"];
        assert_ne!(light["before"], light["after"], "{event}");
    }
    assert_eq!(api::service::noted::note(db, county_day(today)).await?, 0, "nothing new to note");

    // A new deadline, and once it has passed too, the issue is noted overdue again.
    let set = "mutation($id: UUID!, $d: Date!, $r: String!) { setIssueDueDate(id: $id, dueDate: $d, reason: $r) { dueDate } }";
    let moved = (today + chrono::Duration::days(2)).to_string();
    app.data(set, json!({ "id": issue, "d": moved, "r": "协调后调整" }), Some(&admin)).await?;
    api::service::noted::note(db, county_day(today)).await?;
    assert_eq!(noted(&app, &admin, json!({ "entityId": issue, "action": "issue.overdue" })).await?.len(), 1);
    api::service::noted::note(db, county_day(today + chrono::Duration::days(5))).await?;
    let overdue = noted(&app, &admin, json!({ "entityId": issue, "action": "issue.overdue" })).await?;
    assert_eq!(overdue.len(), 2, "{overdue:?}");
    assert_eq!(overdue[0]["changes"]["overdue_since"]["after"], json!(moved), "newest first");
    Ok(())
}
