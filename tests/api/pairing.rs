//! 六包 pairing: the office's duties, pairing a unit with a project for some of them, what the
//! paired unit then sees and does (the project's issues, cases, inspections and photos; raising
//! issues; logging service), the month's activity with its idle units, and the demo county's.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_today, error_code, unit_id};

const SEEN: &str = "query($p: UUID!) { project(id: $p) { issues { totalCount } cases { totalCount } inspections { totalCount } photos { totalCount } } }";
const PAIR: &str = "mutation($p: UUID!, $u: UUID!, $d: [String!]!) { pairUnit(projectId: $p, unitId: $u, duties: $d) { unit { name } duties pairedAt } }";
const LOG: &str = "mutation($p: UUID!, $i: LogPairingServiceInput!) { logPairingService(projectId: $p, input: $i) { id duty servedOn text unit { name } project { id } } }";
const ACTIVITY: &str = "query($m: String!) { pairingActivity(period: $m) { period idleUnits units { unit { name } projects services idle idleProjectCount idleProjects(first: 100) { id } } } }";

fn counts(data: &Value) -> [i64; 4] {
    let p = &data["project"];
    ["issues", "cases", "inspections", "photos"].map(|f| p[f]["totalCount"].as_i64().unwrap_or(-1))
}

/// A project 自然资源局 neither answers for nor serves, with issues it cannot see.
async fn unserved_project(app: &TestApp, admin: &str, dept: &str) -> TestResult<(String, [i64; 4], [i64; 4])> {
    let list = app
        .data(
            "{ projects(first: 100) { edges { node { id responsibleUnit { name } pairings { unit { name } } } } } }",
            json!({}),
            Some(admin),
        )
        .await?;
    for edge in list["projects"]["edges"].as_array().ok_or("edges")? {
        let node = &edge["node"];
        let paired = node["pairings"].as_array().ok_or("pairings")?.iter().any(|p| p["unit"]["name"] == "自然资源局");
        if node["responsibleUnit"]["name"] == "自然资源局" || paired {
            continue;
        }
        let id = node["id"].as_str().ok_or("id")?.to_owned();
        let all = counts(&app.data(SEEN, json!({ "p": id }), Some(admin)).await?);
        let own = counts(&app.data(SEEN, json!({ "p": id }), Some(dept)).await?);
        if all[0] > own[0] {
            return Ok((id, all, own));
        }
    }
    Err("no project with issues hidden from 自然资源局".into())
}

#[tokio::test]
async fn a_paired_unit_sees_raises_and_logs_service_on_its_project_until_unpaired() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let dept = app.login_as("zrzyj").await?;
    let unit = unit_id("自然资源局");
    let (project, all, own) = unserved_project(&app, &admin, &dept).await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id } }";
    let issue = json!({ "i": { "projectId": project, "kind": "LAND_ACQUISITION", "title": "用地报批材料缺失" } });
    let today = county_today().to_string();
    let service = json!({ "date": today, "duty": "LAND", "text": "现场协调用地报批" });

    // Not paired: the unit raises nothing and logs nothing there.
    assert_eq!(error_code(&app.gql(raise, issue.clone(), Some(&dept)).await?), Some("FORBIDDEN"));
    let refused = app.gql(LOG, json!({ "p": project, "i": service }), Some(&dept)).await?;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));

    // Pairing: duties come from the office's list; only the office pairs.
    let duties = app.data("{ pairingDuties { code name } }", json!({}), Some(&dept)).await?;
    let codes: Vec<&str> =
        duties["pairingDuties"].as_array().ok_or("duties")?.iter().filter_map(|d| d["code"].as_str()).collect();
    assert_eq!(codes, ["POLICY", "APPROVAL", "LAND", "UTILITIES", "FINANCING", "ENVIRONMENT"]);
    let bogus = app.gql(PAIR, json!({ "p": project, "u": unit, "d": ["LAND", "BOGUS"] }), Some(&admin)).await?;
    assert_eq!(error_code(&bogus), Some("BAD_USER_INPUT"), "{bogus}");
    let by_unit = app.gql(PAIR, json!({ "p": project, "u": unit, "d": ["LAND"] }), Some(&dept)).await?;
    assert_eq!(error_code(&by_unit), Some("FORBIDDEN"));
    let paired = app.data(PAIR, json!({ "p": project, "u": unit, "d": ["LAND", "APPROVAL"] }), Some(&admin)).await?;
    assert_eq!(paired["pairUnit"]["duties"], json!(["APPROVAL", "LAND"]));
    assert!(paired["pairUnit"]["pairedAt"].is_string());

    // Paired: it sees what the responsible unit sees of the project, and raises issues on it.
    assert_eq!(counts(&app.data(SEEN, json!({ "p": project }), Some(&dept)).await?), all);
    let raised = app.data(raise, issue, Some(&dept)).await?;
    let raised_id = raised["raiseIssue"]["id"].as_str().ok_or("issue id")?.to_owned();

    // It logs service under one of its duties, today or before; a retry stores it once.
    let wrong_duty = json!({ "date": today, "duty": "POLICY", "text": "政策宣讲" });
    let refused = app.gql(LOG, json!({ "p": project, "i": wrong_duty }), Some(&dept)).await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    let tomorrow = (county_today() + chrono::Duration::days(1)).to_string();
    let future = json!({ "date": tomorrow, "duty": "LAND", "text": "明天再去" });
    let refused = app.gql(LOG, json!({ "p": project, "i": future }), Some(&dept)).await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"));
    let id = "0191f000-0000-7000-8000-00000000a001";
    let keyed = json!({ "id": id, "date": today, "duty": "LAND", "text": "现场协调用地报批" });
    let logged = app.data(LOG, json!({ "p": project, "i": keyed }), Some(&dept)).await?;
    assert_eq!(logged["logPairingService"]["unit"]["name"], "自然资源局");
    let again = app.data(LOG, json!({ "p": project, "i": keyed }), Some(&dept)).await?;
    assert_eq!(again, logged);
    let other = json!({ "id": id, "date": today, "duty": "LAND", "text": "另一件事" });
    assert_eq!(error_code(&app.gql(LOG, json!({ "p": project, "i": other }), Some(&dept)).await?), Some("CONFLICT"));
    let photo =
        json!({ "date": today, "duty": "LAND", "text": "附图", "photoIds": ["0191f000-0000-7000-8000-00000000beef"] });
    let refused = app.gql(LOG, json!({ "p": project, "i": photo }), Some(&dept)).await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"));

    // The month's activity shows the project served; the unit sees its own row alone.
    let month = county_today().format("%Y-%m").to_string();
    let mine = app.data(ACTIVITY, json!({ "m": month }), Some(&dept)).await?;
    let rows = mine["pairingActivity"]["units"].as_array().ok_or("units")?;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["unit"]["name"], "自然资源局");
    assert!(rows[0]["services"].as_i64() >= Some(1));
    assert!(!rows[0]["idleProjects"].as_array().ok_or("idle")?.iter().any(|p| p["id"] == project.as_str()));

    // Unpaired: the project's records are out of sight again (the issue it raised too: the project's
    // unit owns it), but its service log stays its own.
    let unpair = "mutation($p: UUID!, $u: UUID!) { unpairUnit(projectId: $p, unitId: $u) }";
    app.data(unpair, json!({ "p": project, "u": unit }), Some(&admin)).await?;
    let after = counts(&app.data(SEEN, json!({ "p": project }), Some(&dept)).await?);
    assert_eq!(after, own);
    let hidden = app.gql("query($i: UUID!) { issue(id: $i) { id } }", json!({ "i": raised_id }), Some(&dept)).await?;
    assert_eq!(error_code(&hidden), Some("NOT_FOUND"));
    let logs = app
        .data(
            "query($p: UUID!) { pairingServices(filter: { projectId: $p }) { totalCount edges { node { id } } } }",
            json!({ "p": project }),
            Some(&dept),
        )
        .await?;
    assert_eq!(logs["pairingServices"]["totalCount"], 1);
    assert_eq!(
        error_code(&app.gql(unpair, json!({ "p": project, "u": unit }), Some(&admin)).await?),
        Some("BAD_USER_INPUT")
    );
    Ok(())
}

#[tokio::test]
async fn the_office_keeps_its_own_list_of_duties() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let set = "mutation($d: [PairingDutyInput!]!) { setPairingDuties(duties: $d) { code name position active } }";
    let list = json!([
        { "code": "LAND", "name": "用地包" },
        { "code": "TALENT", "name": "人才包：引才落户" },
    ]);
    let refused = app.gql(set, json!({ "d": list }), Some(&app.login_as("fgj").await?)).await?;
    assert_eq!(error_code(&refused), Some("FORBIDDEN"));
    let bad = json!([{ "code": "land", "name": "用地包" }]);
    assert_eq!(error_code(&app.gql(set, json!({ "d": bad }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let twice = json!([{ "code": "LAND", "name": "用地包" }, { "code": "LAND", "name": "又一个" }]);
    assert_eq!(error_code(&app.gql(set, json!({ "d": twice }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let data = app.data(set, json!({ "d": list }), Some(&admin)).await?;
    let rows = data["setPairingDuties"].as_array().ok_or("rows")?;
    let active: Vec<&str> = rows.iter().filter(|r| r["active"] == true).filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(active, ["LAND", "TALENT"]);
    assert_eq!(rows.iter().filter(|r| r["active"] == false).count(), 5);
    let listed = app.data("{ pairingDuties { code } }", json!({}), Some(&admin)).await?;
    assert_eq!(listed["pairingDuties"], json!([{ "code": "LAND" }, { "code": "TALENT" }]));
    // A retired duty can no longer be taken on.
    let project = app.data("{ projects(first: 1) { edges { node { id } } } }", json!({}), Some(&admin)).await?;
    let project = project["projects"]["edges"][0]["node"]["id"].clone();
    let pair = app.gql(PAIR, json!({ "p": project, "u": unit_id("药山镇"), "d": ["POLICY"] }), Some(&admin)).await?;
    assert_eq!(error_code(&pair), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn the_demo_county_pairs_every_unit_and_shows_who_was_idle_last_month() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let last = county_today().with_day(1).ok_or("day")? - chrono::Duration::days(1);
    let month = last.format("%Y-%m").to_string();
    let (data, cost) = app.data_and_cost(ACTIVITY, json!({ "m": month }), Some(&leader)).await?;
    let activity = &data["pairingActivity"];
    let rows = activity["units"].as_array().ok_or("units")?;
    // All 55 responsible units serve at least one project.
    assert_eq!(rows.len(), 55);
    let idle = rows.iter().filter(|r| r["idle"] == true).count();
    assert_eq!(activity["idleUnits"].as_u64(), Some(idle as u64));
    assert!(idle > 0 && idle < 55, "{idle} idle");
    // Idle ones first; an idle unit left every project unserved; busy ones served some.
    assert_eq!(rows[0]["idle"], true);
    for row in rows {
        let (projects, left) = (row["projects"].as_i64(), row["idleProjectCount"].as_i64());
        if row["idle"] == true {
            assert_eq!(projects, left, "{row}");
            assert_eq!(row["services"], 0);
        } else {
            assert!(left < projects, "{row}");
        }
    }
    // Units and projects of every row in one batch each, beside the two reads and the caller.
    assert!(cost <= 5, "{cost} statements");
    Ok(())
}

use chrono::Datelike;

#[tokio::test]
async fn a_page_of_service_logs_costs_the_same_statements_at_any_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let page = "query($n: Int!) { pairingServices(first: $n) { edges { node { duty servedOn text project { name responsibleUnit { name } } unit { name } recordedBy { displayName } photos { id } } } } }";
    let (small, five) = app.data_and_cost(page, json!({ "n": 5 }), Some(&leader)).await?;
    let (large, fifty) = app.data_and_cost(page, json!({ "n": 50 }), Some(&leader)).await?;
    assert_eq!(small["pairingServices"]["edges"].as_array().map(Vec::len), Some(5));
    assert_eq!(large["pairingServices"]["edges"].as_array().map(Vec::len), Some(50));
    assert_eq!(five, fifty, "statements at 5 and at 50 logs");
    Ok(())
}
