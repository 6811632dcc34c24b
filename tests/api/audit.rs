//! The audit trail: every change, in its transaction, in order, readable by the project office only.

use serde_json::json;

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

const EVENTS: &str = "query($f: AuditEventFilter) { auditEvents(filter: $f, first: 50) { totalCount edges { node { seq action entityType entityId changes requestId occurredAt actor { username } } } } }";

#[tokio::test]
async fn a_change_is_recorded_with_actor_fields_and_request_id() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let response = app
        .post(
            json!({
                "query": "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
                "variables": { "i": { "username": "audited", "displayName": "审计对象", "password": "a-good-password", "role": "INSPECTOR", "unitId": unit_id("项目办") } }
            }),
            Some(&admin),
        )
        .await?;
    let request_id = response.headers().get("x-request-id").ok_or("no request id")?.to_str()?.to_owned();
    let body: serde_json::Value = response.json().await?;
    let id = body["data"]["createUser"]["id"].as_str().ok_or("no id")?.to_owned();
    let data = app.data(EVENTS, json!({ "f": { "entityType": "user", "entityId": id } }), Some(&admin)).await?;
    let events = data["auditEvents"]["edges"].as_array().ok_or("edges")?;
    assert_eq!(events.len(), 1);
    let event = &events[0]["node"];
    assert_eq!(event["action"], "user.create");
    assert_eq!(event["actor"]["username"], "admin");
    assert_eq!(event["requestId"], request_id.as_str());
    assert_eq!(event["changes"]["username"], json!({ "before": null, "after": "audited" }));
    assert_eq!(event["changes"]["role"]["after"], "INSPECTOR");
    assert!(event["changes"].get("password_hash").is_none(), "no secrets in the trail");
    assert!(!event.to_string().contains("argon2"), "no hash anywhere");
    Ok(())
}

#[tokio::test]
async fn sequence_grows_and_failed_changes_leave_no_event() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let before = app.data(EVENTS, json!({}), Some(&admin)).await?["auditEvents"]["totalCount"].clone();
    // A conflict (duplicate username) is rolled back with its event.
    let dup = app
        .gql(
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            json!({ "i": { "username": "admin", "displayName": "x", "password": "a-good-password", "role": "ADMIN", "unitId": unit_id("项目办") } }),
            Some(&admin),
        )
        .await?;
    assert_eq!(error_code(&dup), Some("CONFLICT"));
    let after = app.data(EVENTS, json!({}), Some(&admin)).await?["auditEvents"]["totalCount"].clone();
    assert_eq!(before, after);
    // Two real changes: newer events have larger seq and come first.
    for who in ["fgj", "zrzyj"] {
        let id = api::seed::demo::demo_id("user", who).to_string();
        app.data("mutation($id: UUID!) { deactivateUser(id: $id) { id } }", json!({ "id": id }), Some(&admin)).await?;
    }
    let data = app.data(EVENTS, json!({ "f": { "action": "user.deactivate" } }), Some(&admin)).await?;
    let seqs: Vec<i64> = data["auditEvents"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .map(|e| e["node"]["seq"].as_str().and_then(|s| s.parse().ok()).unwrap_or(-1))
        .collect();
    assert_eq!(seqs.len(), 2);
    assert!(seqs[0] > seqs[1] && seqs[1] > 0, "{seqs:?}");
    let changes = &data["auditEvents"]["edges"][0]["node"]["changes"];
    assert_eq!(changes["active"], json!({ "before": true, "after": false }));
    // Deactivating again changes nothing and records nothing.
    let id = api::seed::demo::demo_id("user", "fgj").to_string();
    app.data("mutation($id: UUID!) { deactivateUser(id: $id) { id } }", json!({ "id": id }), Some(&admin)).await?;
    let again = app.data(EVENTS, json!({ "f": { "action": "user.deactivate" } }), Some(&admin)).await?;
    assert_eq!(again["auditEvents"]["totalCount"], 2);
    Ok(())
}

#[tokio::test]
async fn the_seed_is_recorded_as_a_system_change() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let data = app.data(EVENTS, json!({ "f": { "action": "seed.demo" } }), Some(&admin)).await?;
    let event = &data["auditEvents"]["edges"][0]["node"];
    assert!(event["actor"].is_null());
    assert_eq!(event["changes"]["units"]["after"], 57);
    Ok(())
}

#[tokio::test]
async fn only_admin_reads_the_trail() -> TestResult {
    let app = TestApp::spawn().await?;
    for who in ["leader", "fgj", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(EVENTS, json!({}), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    Ok(())
}
