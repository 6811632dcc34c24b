//! Backward schedules: laid from the deadline, replanned with history, slips in days.

use serde_json::json;

use crate::helpers::{TestApp, TestResult, error_code};
use crate::projects::create;

const PLAN: &str = "mutation($p: UUID!, $d: Date!, $s: [ScheduleStepInput!]!) { planSchedule(projectId: $p, deadline: $d, steps: $s) { version deadline isCurrent milestones { id name position plannedStart plannedFinish actualFinish daysLate durationDays } } }";
const COMPLETE: &str =
    "mutation($id: UUID!, $d: Date!) { completeMilestone(id: $id, actualFinish: $d) { actualFinish daysLate } }";

fn steps() -> serde_json::Value {
    json!([{ "name": "土地报批", "durationDays": 30 }, { "name": "主体施工", "durationDays": 200 }, { "name": "竣工验收", "durationDays": 15 }])
}

#[tokio::test]
async fn steps_are_laid_backwards_and_replanning_keeps_history() -> TestResult {
    // 10 June 2027 in the county: the first step of the plan below was due on 30 May.
    let today: chrono::DateTime<chrono::Utc> = "2027-06-10T02:00:00Z".parse()?;
    let app = TestApp::spawn_with(|c| c.clock = api::clock::Clock::new(api::clock::china(), Some(today))).await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let id = create(&app, &admin, "倒排工期测试项目").await?;
    let data = app.data(PLAN, json!({ "p": id, "d": "2027-12-31", "s": steps() }), Some(&owner)).await?;
    let plan = &data["planSchedule"];
    assert_eq!(plan["version"], 1);
    let ms = plan["milestones"].as_array().ok_or("milestones")?;
    assert_eq!(ms[2]["plannedFinish"], "2027-12-31");
    assert_eq!(ms[2]["plannedStart"], "2027-12-16");
    assert_eq!(ms[1]["plannedFinish"], ms[2]["plannedStart"]);
    assert_eq!(ms[0]["plannedFinish"], ms[1]["plannedStart"]);
    assert_eq!(ms[1]["plannedStart"], "2027-05-30");
    assert_eq!(ms[0]["plannedStart"], "2027-04-30");
    assert_eq!(ms[0]["daysLate"], 11, "open, and due on 30 May");

    // Finish the first step 3 days late, then replan: the finished step keeps its actual finish.
    let first = ms[0]["id"].as_str().ok_or("id")?.to_owned();
    let body = app.gql(COMPLETE, json!({ "id": first, "d": "2027-06-11" }), Some(&owner)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "actualFinish", "no future dates");
    let done = app.data(COMPLETE, json!({ "id": first, "d": "2027-06-02" }), Some(&owner)).await?;
    assert_eq!(done["completeMilestone"], json!({ "actualFinish": "2027-06-02", "daysLate": 3 }));
    let slip = "query($id: UUID!) { project(id: $id) { worstSlipDays health { worstSlipDays } } }";
    let seen = app.data(slip, json!({ "id": id }), Some(&owner)).await?;
    assert_eq!(seen["project"]["worstSlipDays"], 3, "{seen}");
    let replanned = app.data(PLAN, json!({ "p": id, "d": "2028-03-31", "s": steps() }), Some(&admin)).await?;
    assert_eq!(replanned["planSchedule"]["version"], 2);
    let kept = &replanned["planSchedule"]["milestones"][0];
    assert_eq!((&kept["name"], &kept["actualFinish"]), (&json!("土地报批"), &json!("2027-06-02")), "{kept}");
    assert_eq!(replanned["planSchedule"]["milestones"][1]["actualFinish"], serde_json::Value::Null);
    let history = app
        .data("query($id: UUID!) { project(id: $id) { milestones { name plannedFinish } scheduleHistory { version isCurrent deadline milestones { name actualFinish } } } }", json!({ "id": id }), Some(&owner))
        .await?;
    let h = history["project"]["scheduleHistory"].as_array().ok_or("history")?;
    assert_eq!(h.len(), 2);
    assert_eq!((h[0]["version"].as_i64(), h[0]["isCurrent"].as_bool()), (Some(2), Some(true)));
    assert_eq!((h[1]["version"].as_i64(), h[1]["isCurrent"].as_bool()), (Some(1), Some(false)));
    assert_eq!(h[1]["deadline"], "2027-12-31");
    assert_eq!(h[1]["milestones"][0]["actualFinish"], "2027-06-02", "the old plan keeps its record too");
    assert_eq!(history["project"]["milestones"][2]["plannedFinish"], "2028-03-31");
    // A milestone of the old plan cannot be completed any more.
    let body = app.gql(COMPLETE, json!({ "id": first, "d": "2027-06-01" }), Some(&owner)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    Ok(())
}

#[tokio::test]
async fn days_late_count_for_open_and_finished_milestones() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "滞后天数测试项目").await?;
    let today = crate::helpers::county_today();
    let deadline = today - chrono::Duration::days(10);
    let data = app
        .data(PLAN, json!({ "p": id, "d": deadline.to_string(), "s": [{ "name": "施工", "durationDays": 20 }, { "name": "验收", "durationDays": 5 }] }), Some(&admin))
        .await?;
    let ms = data["planSchedule"]["milestones"].as_array().ok_or("milestones")?;
    assert_eq!(ms[1]["daysLate"], 10, "open and 10 days past its planned finish");
    assert_eq!(ms[0]["daysLate"], 15);
    let early = (deadline - chrono::Duration::days(5) - chrono::Duration::days(2)).to_string();
    let done = app.data(COMPLETE, json!({ "id": ms[0]["id"], "d": early }), Some(&admin)).await?;
    assert_eq!(done["completeMilestone"]["daysLate"], -2, "finished two days early");
    let p =
        app.data("query($id: UUID!) { project(id: $id) { worstSlipDays } }", json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(p["project"]["worstSlipDays"], 10);
    Ok(())
}

#[tokio::test]
async fn only_admin_and_the_responsible_unit_plan_and_complete() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "排期权限测试项目").await?;
    let data = app.data(PLAN, json!({ "p": id, "d": "2027-06-30", "s": steps() }), Some(&admin)).await?;
    let milestone = data["planSchedule"]["milestones"][0]["id"].clone();
    for who in ["fgj", "leader", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(PLAN, json!({ "p": id, "d": "2027-06-30", "s": steps() }), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} plan: {body}");
        let body = app.gql(COMPLETE, json!({ "id": milestone, "d": "2026-01-01" }), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} complete: {body}");
    }
    let bad = app
        .gql(PLAN, json!({ "p": id, "d": "2027-06-30", "s": [{ "name": "a", "durationDays": 0 }] }), Some(&admin))
        .await?;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "steps.0.durationDays");
    let dup = app
        .gql(PLAN, json!({ "p": id, "d": "2027-06-30", "s": [{ "name": "a", "durationDays": 1 }, { "name": "a", "durationDays": 1 }] }), Some(&admin))
        .await?;
    assert_eq!(dup["errors"][0]["extensions"]["field"], "steps.1.name");
    assert_eq!(
        error_code(&app.gql(PLAN, json!({ "p": id, "d": "2027-06-30", "s": [] }), Some(&admin)).await?),
        Some("BAD_USER_INPUT")
    );
    Ok(())
}
