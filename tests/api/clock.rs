//! The county's day, not UTC's: from 00:00 to 08:00 in China, UTC still lives on yesterday.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::{TestApp, TestResult};
use crate::projects::create;

fn at(instant: &str) -> TestResult<api::clock::Clock> {
    let t: DateTime<Utc> = instant.parse()?;
    Ok(api::clock::Clock::new(api::clock::china(), Some(t)))
}

#[tokio::test]
async fn an_issue_is_overdue_from_the_county_midnight_after_its_due_date() -> TestResult {
    // 23:59 on 10 March in the county.
    let before = at("2026-03-10T15:59:00Z")?;
    let app = TestApp::spawn_with(|c| c.clock = before).await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "午夜测试项目").await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id } }";
    let vars =
        json!({ "i": { "projectId": project, "kind": "OTHER", "title": "三月十日到期", "dueDate": "2026-03-10" } });
    let id = app.data(raise, vars, Some(&admin)).await?["raiseIssue"]["id"].as_str().ok_or("id")?.to_owned();
    let q = "query($id: UUID!, $s: String) { issue(id: $id) { overdue } issues(filter: { overdue: true, search: $s }) { totalCount } }";
    let vars = json!({ "id": id, "s": "三月十日到期" });
    let seen = app.data(q, vars.clone(), Some(&admin)).await?;
    assert_eq!(seen["issue"]["overdue"], false, "still the due date in the county: {seen}");
    assert_eq!(seen["issues"]["totalCount"], 0);

    // 00:00 on 11 March in the county, while UTC still says 10 March.
    let after = at("2026-03-10T16:00:00Z")?;
    let next = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |c| c.clock = after).await?;
    let admin = next.login_as("admin").await?;
    let seen = next.data(q, vars, Some(&admin)).await?;
    assert_eq!(seen["issue"]["overdue"], true, "overdue from the county's midnight: {seen}");
    assert_eq!(seen["issues"]["totalCount"], 1);
    Ok(())
}

#[tokio::test]
async fn a_date_in_the_county_today_is_not_in_the_future() -> TestResult {
    // 07:30 on 1 January in the county is 23:30 on 31 December UTC.
    let app = TestApp::spawn_with(|c| c.clock = at("2026-12-31T23:30:00Z").unwrap_or_default()).await?;
    let admin = app.login_as("admin").await?;
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id measures { id } } }";
    let data = app
        .data(
            open,
            json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "元旦的决定", "policy": "测试", "leadUnitId": crate::helpers::unit_id("自然资源局"),
                           "measures": [{ "description": "措施", "ownerUnitId": crate::helpers::unit_id("自然资源局"), "deadline": "2027-02-28" }] } }),
            Some(&admin),
        )
        .await?;
    let measure = data["openCase"]["measures"][0]["id"].as_str().ok_or("measure")?.to_owned();
    let done = "mutation($m: UUID!, $d: Date) { completeCaseMeasure(measureId: $m, doneOn: $d) { status } }";
    // New Year's Day is today in the county, though not yet in UTC.
    app.data(done, json!({ "m": measure, "d": "2027-01-01" }), Some(&admin)).await?;
    let body = app.gql(done, json!({ "m": measure, "d": "2027-01-02" }), Some(&admin)).await?;
    assert_eq!(crate::helpers::error_code(&body), Some("BAD_USER_INPUT"), "tomorrow is still the future: {body}");
    Ok(())
}
