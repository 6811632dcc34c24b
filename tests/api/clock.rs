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

/// A second server on `app`'s database whose clock reads `instant`.
pub async fn same_county_at(app: &TestApp, instant: &str) -> TestResult<TestApp> {
    let clock = at(instant)?;
    TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |c| c.clock = clock).await
}

const SUBMIT: &str = "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { version onTime } }";

fn february_report(project: &str) -> serde_json::Value {
    json!({ "i": { "projectId": project, "period": "2026-02", "investmentThisMonth": "12.5", "progressPercent": "8", "narrative": "二月完成场地平整" } })
}

#[tokio::test]
async fn a_report_is_on_time_through_the_county_5th_and_late_from_its_6th() -> TestResult {
    // 23:59 on 5 March in the county: February's report is due today.
    let app = TestApp::spawn_with(|c| c.clock = at("2026-03-05T15:59:00Z").unwrap_or_default()).await?;
    let admin = app.login_as("admin").await?;
    let (on_time, late) = (create(&app, &admin, "五号截止项目").await?, create(&app, &admin, "六号迟报项目").await?);
    let first = app.data(SUBMIT, february_report(&on_time), Some(&admin)).await?;
    assert_eq!(first["submitMonthlyReport"], json!({ "version": 1, "onTime": true }));
    // 00:00 on 6 March in the county (still the 5th in UTC): a first report arrives late, and a
    // replacement of one that came on time stays on time.
    let next = same_county_at(&app, "2026-03-05T16:00:00Z").await?;
    let admin = next.login_as("admin").await?;
    let second = next.data(SUBMIT, february_report(&late), Some(&admin)).await?;
    assert_eq!(second["submitMonthlyReport"], json!({ "version": 1, "onTime": false }));
    let replaced = next.data(SUBMIT, february_report(&on_time), Some(&admin)).await?;
    assert_eq!(replaced["submitMonthlyReport"], json!({ "version": 2, "onTime": true }));
    Ok(())
}

#[tokio::test]
async fn a_period_locks_at_the_county_midnight_after_its_10th() -> TestResult {
    let q = "{ reportingPeriod(period: \"2026-02\") { locked dueDate lockDate } }";
    let app = TestApp::spawn_with(|c| c.clock = at("2026-03-10T15:59:00Z").unwrap_or_default()).await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "十号锁定项目").await?;
    let open = app.data(q, json!({}), Some(&admin)).await?;
    assert_eq!(open["reportingPeriod"], json!({ "locked": false, "dueDate": "2026-03-05", "lockDate": "2026-03-10" }));
    app.data(SUBMIT, february_report(&project), Some(&admin)).await?;
    // 00:00 on 11 March in the county, 10 March in UTC.
    let next = same_county_at(&app, "2026-03-10T16:00:00Z").await?;
    let admin = next.login_as("admin").await?;
    assert_eq!(next.data(q, json!({}), Some(&admin)).await?["reportingPeriod"]["locked"], true);
    let body = next.gql(SUBMIT, february_report(&project), Some(&admin)).await?;
    assert_eq!(crate::helpers::error_code(&body), Some("CONFLICT"), "{body}");
    Ok(())
}

#[tokio::test]
async fn the_year_turns_at_the_county_midnight() -> TestResult {
    let q = "{ dashboard { year } }";
    let app = TestApp::spawn_with(|c| c.clock = at("2026-12-31T15:59:00Z").unwrap_or_default()).await?;
    let admin = app.login_as("admin").await?;
    assert_eq!(app.data(q, json!({}), Some(&admin)).await?["dashboard"]["year"], 2026);
    // 00:00 on 1 January in the county: UTC still has eight hours of 2026 left.
    let next = same_county_at(&app, "2026-12-31T16:00:00Z").await?;
    let admin = next.login_as("admin").await?;
    assert_eq!(next.data(q, json!({}), Some(&admin)).await?["dashboard"]["year"], 2027);
    Ok(())
}

#[tokio::test]
async fn february_ends_on_its_last_day_in_common_and_leap_years() -> TestResult {
    let app = TestApp::spawn_with(|c| c.clock = at("2026-02-28T15:59:00Z").unwrap_or_default()).await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "二月末项目").await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id overdue } }";
    let mut ids = Vec::new();
    for (title, due) in [("二月末到期", "2026-02-28"), ("闰年二月末到期", "2028-02-28")] {
        let vars = json!({ "i": { "projectId": project, "kind": "OTHER", "title": title, "dueDate": due } });
        let raised = app.data(raise, vars, Some(&admin)).await?;
        assert_eq!(raised["raiseIssue"]["overdue"], false, "{title}");
        ids.push(raised["raiseIssue"]["id"].as_str().ok_or("id")?.to_owned());
    }
    let q = "query($id: UUID!) { issue(id: $id) { overdue } }";
    // 00:00 on 1 March 2026 in the county: the 28th was February's last day.
    let march = same_county_at(&app, "2026-02-28T16:00:00Z").await?;
    let token = march.login_as("admin").await?;
    assert_eq!(march.data(q, json!({ "id": ids[0] }), Some(&token)).await?["issue"]["overdue"], true);
    // 00:00 on 29 February 2028 in the county: a leap year's February has a day more.
    let leap = same_county_at(&app, "2028-02-28T16:00:00Z").await?;
    let token = leap.login_as("admin").await?;
    assert_eq!(leap.data(q, json!({ "id": ids[1] }), Some(&token)).await?["issue"]["overdue"], true);
    let period = leap.data("{ reportingPeriod(period: \"2028-02\") { dueDate } }", json!({}), Some(&token)).await?;
    assert_eq!(period["reportingPeriod"]["dueDate"], "2028-03-05");
    Ok(())
}

#[tokio::test]
async fn a_project_owes_a_months_report_when_it_existed_in_that_month_in_the_county() -> TestResult {
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "月初录入项目").await?;
    let q = "query($p: String!) { missingReports(period: $p, first: 100) { edges { node { project { name } } } } }";
    // Entered at 23:00 on 31 October in the county (15:00 UTC), and at 02:00 on 1 November there
    // (still 31 October in UTC): only the first existed during October.
    for (created, owes) in [("2026-10-31T15:00:00Z", true), ("2026-10-31T18:00:00Z", false)] {
        let project = entity::project::Entity::find_by_id(id.parse::<uuid::Uuid>()?)
            .one(&app.state.db)
            .await?
            .ok_or("the project")?;
        let mut active: entity::project::ActiveModel = project.into();
        active.created_at = Set(created.parse()?);
        active.update(&app.state.db).await?;
        let listed = app.data(q, json!({ "p": "2026-10" }), Some(&admin)).await?;
        let names: Vec<&str> = listed["missingReports"]["edges"]
            .as_array()
            .ok_or("edges")?
            .iter()
            .filter_map(|e| e["node"]["project"]["name"].as_str())
            .collect();
        assert_eq!(names.contains(&"月初录入项目"), owes, "created {created}: {names:?}");
    }
    Ok(())
}
