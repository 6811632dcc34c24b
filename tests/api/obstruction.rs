//! Obstruction cases (惩治查处): reported, accepted with investigators, investigated, handled and
//! answered in order; seen by the office, leaders, the investigators and the reporter, and never by
//! anyone acting for the accused unit — not by id, not in a list, not in a count, not in the feed.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

const REPORT: &str = "mutation($i: ReportObstructionInput!) { reportObstruction(input: $i) { id status stage accusedUnit { name } reportedBy { username } } }";
const ADVANCE: &str = "mutation($id: UUID!, $i: AdvanceObstructionInput!) { advanceObstruction(id: $id, input: $i) { status outcome upheld feedback investigators { username } steps { status note actedBy { username } } availableActions } }";
const ONE: &str = "query($id: UUID!) { obstructionCase(id: $id) { id status } }";
const LIST: &str = "{ obstructionCases(first: 100) { totalCount edges { node { id } } } }";

async fn project(app: &TestApp, token: &str) -> TestResult<String> {
    let data = app.data("{ projects(first: 1) { edges { node { id } } } }", json!({}), Some(token)).await?;
    Ok(data["projects"]["edges"][0]["node"]["id"].as_str().ok_or("project")?.to_owned())
}

async fn user_id(app: &TestApp, token: &str) -> TestResult<String> {
    let me = app.data("{ me { id } }", json!({}), Some(token)).await?;
    Ok(me["me"]["id"].as_str().ok_or("me")?.to_owned())
}

fn ids(list: &Value) -> Vec<String> {
    list["obstructionCases"]["edges"]
        .as_array()
        .map_or_else(Vec::new, |e| e.iter().filter_map(|e| e["node"]["id"].as_str().map(str::to_owned)).collect())
}

#[tokio::test]
async fn a_case_moves_through_its_steps_and_the_accused_unit_never_sees_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let leader = app.login_as("leader").await?;
    let inspector = app.login_as("inspector").await?;
    let reporter = app.login_as("fgj").await?;
    let accused = app.login_as("zrzyj").await?;
    let bystander = app.login_as("sthjj").await?;
    let project = project(&app, &admin).await?;

    // A report names the accused; one that names nobody is refused.
    let nobody =
        json!({ "projectId": project, "stage": "START", "description": "有人阻挠施工队进场施工", "evidence": "视频" });
    assert_eq!(error_code(&app.gql(REPORT, json!({ "i": nobody }), Some(&reporter)).await?), Some("BAD_USER_INPUT"));
    let input = json!({
        "id": "0191f000-0000-7000-8000-0000000ab001", "projectId": project, "stage": "LANDING",
        "accusedUnitId": unit_id("自然资源局"), "accused": "某股室工作人员",
        "description": "用地预审材料齐全却以各种理由拖延四十天不予受理", "evidence": "申报回执、聊天记录",
    });
    let reported = app.data(REPORT, json!({ "i": input }), Some(&reporter)).await?;
    let id = reported["reportObstruction"]["id"].as_str().ok_or("id")?.to_owned();
    assert_eq!(reported["reportObstruction"]["status"], "REPORTED");
    assert_eq!(app.data(REPORT, json!({ "i": input }), Some(&reporter)).await?, reported);

    // Who sees it: the office, leaders, the reporter; not the accused unit, not a bystander.
    for token in [&admin, &leader, &reporter] {
        assert_eq!(app.data(ONE, json!({ "id": id }), Some(token)).await?["obstructionCase"]["id"], id.as_str());
        assert!(ids(&app.data(LIST, json!({}), Some(token)).await?).contains(&id));
    }
    for token in [&accused, &bystander, &inspector] {
        assert_eq!(error_code(&app.gql(ONE, json!({ "id": id }), Some(token)).await?), Some("NOT_FOUND"));
        assert!(!ids(&app.data(LIST, json!({}), Some(token)).await?).contains(&id));
    }

    // Steps go in order; ACCEPT is the office's and names investigators, none of the accused unit.
    let investigate = json!({ "action": "INVESTIGATE", "note": "调阅办件记录" });
    let early = app.gql(ADVANCE, json!({ "id": id, "i": investigate }), Some(&admin)).await?;
    assert_eq!(error_code(&early), Some("BAD_USER_INPUT"));
    let inspector_id = user_id(&app, &inspector).await?;
    let accept = json!({ "action": "ACCEPT", "investigatorIds": [inspector_id] });
    assert_eq!(
        error_code(&app.gql(ADVANCE, json!({ "id": id, "i": accept }), Some(&leader)).await?),
        Some("FORBIDDEN")
    );
    let from_accused = json!({ "action": "ACCEPT", "investigatorIds": [user_id(&app, &accused).await?] });
    let refused = app.gql(ADVANCE, json!({ "id": id, "i": from_accused }), Some(&admin)).await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"));
    let accepted = app.data(ADVANCE, json!({ "id": id, "i": accept }), Some(&admin)).await?;
    assert_eq!(accepted["advanceObstruction"]["investigators"], json!([{ "username": "inspector" }]));

    // The investigator now sees it and moves it on; the accused still does not.
    assert_eq!(app.data(ONE, json!({ "id": id }), Some(&inspector)).await?["obstructionCase"]["status"], "ACCEPTED");
    assert_eq!(error_code(&app.gql(ONE, json!({ "id": id }), Some(&accused)).await?), Some("NOT_FOUND"));
    app.data(ADVANCE, json!({ "id": id, "i": investigate }), Some(&inspector)).await?;
    let no_verdict = json!({ "action": "HANDLE", "outcome": "查实" });
    let refused = app.gql(ADVANCE, json!({ "id": id, "i": no_verdict }), Some(&inspector)).await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"));
    let handle = json!({ "action": "HANDLE", "outcome": "查实，责令限期办结并通报批评", "upheld": true });
    app.data(ADVANCE, json!({ "id": id, "i": handle }), Some(&inspector)).await?;
    let answer = json!({ "action": "ANSWER", "feedback": "已查实处理，预审已受理" });
    let done = app.data(ADVANCE, json!({ "id": id, "i": answer }), Some(&inspector)).await?;
    let case = &done["advanceObstruction"];
    assert_eq!((case["status"].as_str(), case["upheld"].as_bool()), (Some("ANSWERED"), Some(true)));
    let steps: Vec<&str> =
        case["steps"].as_array().ok_or("steps")?.iter().filter_map(|s| s["status"].as_str()).collect();
    assert_eq!(steps, ["REPORTED", "ACCEPTED", "INVESTIGATING", "HANDLED", "ANSWERED"]);
    assert_eq!(case["availableActions"], json!([]));

    // The accused unit's every view: no case by id, none in its list or count, nothing in the feed.
    let list = app.data(LIST, json!({}), Some(&accused)).await?;
    assert!(!ids(&list).contains(&id));
    assert_eq!(list["obstructionCases"]["totalCount"].as_u64(), Some(ids(&list).len() as u64));
    let mut after: Option<String> = None;
    for _ in 0..1000 {
        let page = app
            .data(
                "query($a: String) { changes(after: $a, first: 100) { events { entityType entityId changes } pageInfo { endSeq hasNextPage } } }",
                json!({ "a": after }),
                Some(&accused),
            )
            .await?;
        assert!(!page.to_string().contains(&id), "the feed shows the case");
        let info = &page["changes"]["pageInfo"];
        if info["hasNextPage"] != true {
            break;
        }
        after = info["endSeq"].as_str().map(str::to_owned);
    }
    Ok(())
}

#[tokio::test]
async fn keys_may_not_touch_obstruction_cases_and_the_demo_county_has_two() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let all = app
        .data(
            "{ obstructionCases { totalCount edges { node { status stage upheld accusedUnit { name } } } } }",
            json!({}),
            Some(&admin),
        )
        .await?;
    assert_eq!(all["obstructionCases"]["totalCount"], 2);
    let statuses: Vec<&str> = all["obstructionCases"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .filter_map(|e| e["node"]["status"].as_str())
        .collect();
    assert!(statuses.contains(&"ANSWERED") && statuses.contains(&"INVESTIGATING"), "{statuses:?}");
    // The accused township's people see neither; the investigating inspector sees both.
    let inspector = app.login_as("inspector").await?;
    let seen = app.data(LIST, json!({}), Some(&inspector)).await?;
    assert_eq!(seen["obstructionCases"]["totalCount"], 2);
    Ok(())
}
