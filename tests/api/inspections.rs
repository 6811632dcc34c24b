//! Checklist templates, inspections from phones, offline sync: validation, idempotency, revisions,
//! reviews, issues raised by failed items, and who may see and do what.

use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResult, error_code};
use crate::projects::create;

const SUBMIT: &str = "mutation($i: InspectionInput!) { submitInspection(input: $i) { id rootId revision isCurrent score result answers { itemKey value } raisedIssues { itemKey issue { id kind source status project { name } } } } }";
const SYNC: &str = "mutation($i: [InspectionInput!]!) { syncInspections(inputs: $i) { id outcome inspection { id score } error { code field violations { itemKey message } } } }";

fn dust_template() -> String {
    api::seed::demo::demo_id("template", "dust").to_string()
}

/// A dust inspection with the cover item as given (PASS or FAIL).
pub fn dust(project: &str, cover: &str) -> Value {
    let failing = cover == "FAIL";
    json!({
        "id": Uuid::new_v4(),
        "kind": "SURPRISE",
        "focus": "QUALITY",
        "projectId": project,
        "templateId": dust_template(),
        "startedAt": "2026-11-20T09:00:00+08:00",
        "completedAt": "2026-11-20T09:40:00+08:00",
        "location": { "lat": 29.61, "lng": 111.87, "accuracyM": 8.0 },
        "answers": [
            { "itemKey": "dust.fence", "value": "PASS" },
            { "itemKey": "dust.cover", "value": cover, "note": if failing { Some("裸土未覆盖") } else { None }, "photoIds": if failing { vec![Uuid::new_v4()] } else { vec![] } },
            { "itemKey": "dust.wash", "value": "PASS" },
            { "itemKey": "dust.pm10", "value": "96" },
            { "itemKey": "dust.date", "value": "2026-11-19" },
        ],
    })
}

async fn count(app: &TestApp, token: &str, filter: Value) -> TestResult<i64> {
    let data = app
        .data(
            "query($f: InspectionFilter) { inspections(filter: $f) { totalCount } }",
            json!({ "f": filter }),
            Some(token),
        )
        .await?;
    Ok(data["inspections"]["totalCount"].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn templates_are_versioned_and_checked() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let data = app.data("{ checklistTemplates(first: 50) { totalCount edges { node { key version sections { items { key type } } } } } }", json!({}), Some(&app.login_as("fgj").await?)).await?;
    let keys: Vec<&str> = data["checklistTemplates"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .filter_map(|e| e["node"]["key"].as_str())
        .collect();
    // The environment evaluation's questionnaire is a template too (its NUMBER items are the criteria).
    assert_eq!(keys, ["dust", "environment", "progress", "quality", "responsibility", "safety"]);
    let demo = app.data("{ inspections(first: 50) { totalCount edges { node { result score raisedIssues { itemKey } template { key } } } } }", json!({}), Some(&admin)).await?;
    assert_eq!(demo["inspections"]["totalCount"], 12, "the demo county's inspections");
    let results: Vec<&str> = demo["inspections"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .filter_map(|e| e["node"]["result"].as_str())
        .collect();
    assert!(results.contains(&"PASSED") && results.contains(&"FAILED"), "{results:?}");

    let publish =
        "mutation($i: PublishChecklistTemplateInput!) { publishChecklistTemplate(input: $i) { id key version } }";
    let mut t = json!({ "i": { "key": "night", "name": "夜间施工检查", "sections": [{ "title": "噪声", "items": [
        { "key": "night.permit", "label": "夜间施工许可", "type": "YES_NO" },
    ] }] } });
    let v1 = app.data(publish, t.clone(), Some(&admin)).await?;
    assert_eq!(v1["publishChecklistTemplate"]["version"], 1);
    let again = app.data(publish, t.clone(), Some(&admin)).await?;
    assert_eq!(
        again["publishChecklistTemplate"]["id"], v1["publishChecklistTemplate"]["id"],
        "nothing changed, no new version"
    );
    t["i"]["sections"][0]["items"][0]["label"] = json!("夜间施工许可证在有效期内");
    let v2 = app.data(publish, t.clone(), Some(&admin)).await?;
    assert_eq!(v2["publishChecklistTemplate"]["version"], 2);
    let versions = app
        .data(
            "{ checklistTemplates(key: \"night\", allVersions: true) { edges { node { version } } } }",
            json!({}),
            Some(&admin),
        )
        .await?;
    assert_eq!(
        versions["checklistTemplates"]["edges"],
        json!([{ "node": { "version": 2 } }, { "node": { "version": 1 } }])
    );

    let body = app.gql(publish, t.clone(), Some(&app.login_as("inspector").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    t["i"]["sections"][0]["items"] = json!([
        { "key": "a", "label": "甲", "type": "CHOICE", "options": ["唯一"] },
        { "key": "a", "label": "乙", "type": "NUMBER", "min": 5, "max": 1 },
    ]);
    let body = app.gql(publish, t, Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["violations"].as_array().map(Vec::len), Some(3), "{body}");
    Ok(())
}

#[tokio::test]
async fn a_submission_is_checked_against_its_template_and_every_violation_named() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "督导测试项目").await?;
    let mut bad = dust(&project, "FAIL");
    bad["answers"][1] = json!({ "itemKey": "dust.cover", "value": "FAIL" }); // no note, no photo
    bad["answers"][3] = json!({ "itemKey": "dust.pm10", "value": "-3" });
    bad["answers"][4] = json!({ "itemKey": "dust.date", "value": "昨天" });
    bad["answers"][0] = json!({ "itemKey": "dust.nope", "value": "PASS" });
    let body = app.gql(SUBMIT, json!({ "i": bad }), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let mut named: Vec<(String, String)> = body["errors"][0]["extensions"]["violations"]
        .as_array()
        .ok_or("violations")?
        .iter()
        .map(|v| {
            (v["itemKey"].as_str().unwrap_or_default().to_owned(), v["message"].as_str().unwrap_or_default().to_owned())
        })
        .collect();
    named.sort();
    let keys: Vec<&str> = named.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(keys, ["dust.cover", "dust.cover", "dust.date", "dust.fence", "dust.nope", "dust.pm10"], "{named:?}");
    assert_eq!(count(&app, &admin, json!({ "projectId": project })).await?, 0, "nothing stored");

    let mut future = dust(&project, "PASS");
    future["completedAt"] = json!("2099-01-01T00:00:00Z");
    let body = app.gql(SUBMIT, json!({ "i": future }), Some(&inspector)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "completedAt", "{body}");
    let body = app.gql(SUBMIT, json!({ "i": dust(&project, "PASS") }), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    Ok(())
}

#[tokio::test]
async fn replays_are_idempotent_and_failed_items_raise_one_issue_across_corrections() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "扬尘督导项目").await?;
    let first = dust(&project, "FAIL");
    let data = app.data(SUBMIT, json!({ "i": first }), Some(&inspector)).await?;
    let stored = &data["submitInspection"];
    assert_eq!((stored["score"].as_f64(), stored["result"].as_str()), (Some(50.0), Some("FAILED")), "{stored}"); // cover weighs 2 of 4
    let raised = stored["raisedIssues"].as_array().ok_or("raised")?;
    assert_eq!(raised.len(), 1, "{stored}");
    assert_eq!(raised[0]["itemKey"], "dust.cover");
    assert_eq!(raised[0]["issue"]["kind"], "CONSTRUCTION_ENVIRONMENT");
    assert_eq!(raised[0]["issue"]["source"], "INSPECTION");
    let issue_id = raised[0]["issue"]["id"].clone();
    let found = "query($id: UUID!) { issue(id: $id) { foundIn { itemKey inspection { id } } } }";
    let origin = app.data(found, json!({ "id": issue_id }), Some(&admin)).await?;
    assert_eq!(origin["issue"]["foundIn"], json!({ "itemKey": "dust.cover", "inspection": { "id": first["id"] } }));

    // The same submission again: the same inspection, no new rows, no second issue.
    let again = app.data(SUBMIT, json!({ "i": first }), Some(&inspector)).await?;
    assert_eq!(again["submitInspection"], data["submitInspection"]);
    let issues = "query($p: UUID!) { issues(filter: { projectId: $p }) { totalCount } }";
    assert_eq!(app.data(issues, json!({ "p": project }), Some(&admin)).await?["issues"]["totalCount"], 1);
    // Other content under the same id: CONFLICT, and the stored inspection is untouched.
    let mut other = first.clone();
    other["answers"][3]["value"] = json!("120");
    let body = app.gql(SUBMIT, json!({ "i": other }), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let shown = app
        .data(
            "query($id: UUID!) { inspection(id: $id) { answers { itemKey value } } }",
            json!({ "id": first["id"] }),
            Some(&admin),
        )
        .await?;
    assert_eq!(shown["inspection"]["answers"][3]["value"], "96");

    // A correction replaces the current revision and raises nothing new.
    let mut fix = dust(&project, "FAIL");
    fix["revisionOf"] = first["id"].clone();
    let data = app.data(SUBMIT, json!({ "i": fix }), Some(&inspector)).await?;
    let corrected = &data["submitInspection"];
    assert_eq!((corrected["revision"].as_i64(), corrected["rootId"].clone()), (Some(2), first["id"].clone()));
    assert_eq!(corrected["raisedIssues"][0]["issue"]["id"], issue_id);
    assert_eq!(app.data(issues, json!({ "p": project }), Some(&admin)).await?["issues"]["totalCount"], 1);
    // Correcting the replaced revision again is a conflict naming the current one.
    let mut stale = dust(&project, "PASS");
    stale["revisionOf"] = first["id"].clone();
    let body = app.gql(SUBMIT, json!({ "i": stale }), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(
        body["errors"][0]["message"].as_str().unwrap_or_default().contains(fix["id"].as_str().unwrap_or("?")),
        "{body}"
    );
    assert_eq!(count(&app, &admin, json!({ "projectId": project })).await?, 1, "current revisions only");
    assert_eq!(count(&app, &admin, json!({ "projectId": project, "allRevisions": true })).await?, 2);

    // Review: the office, the current revision, a note unless approved.
    let review = "mutation($id: UUID!, $s: ReviewStatus!, $n: String) { reviewInspection(id: $id, status: $s, note: $n) { reviewStatus reviewNote reviewedBy { username } } }";
    let body = app.gql(review, json!({ "id": fix["id"], "s": "APPROVED" }), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql(review, json!({ "id": fix["id"], "s": "HAS_ISSUES" }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "note", "{body}");
    let body = app.gql(review, json!({ "id": first["id"], "s": "APPROVED" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let data =
        app.data(review, json!({ "id": fix["id"], "s": "HAS_ISSUES", "n": "覆盖问题限期整改" }), Some(&admin)).await?;
    assert_eq!(data["reviewInspection"]["reviewedBy"]["username"], "admin");
    Ok(())
}

#[tokio::test]
async fn a_sync_answers_per_inspection_so_one_bad_item_hides_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "离线同步项目").await?;
    let good = dust(&project, "PASS");
    app.data(SUBMIT, json!({ "i": good }), Some(&inspector)).await?;
    let fresh = dust(&project, "FAIL");
    let mut broken = dust(&project, "PASS");
    broken["answers"][3]["value"] = json!("很高");
    let data = app.data(SYNC, json!({ "i": [good, broken, fresh] }), Some(&inspector)).await?;
    let results = data["syncInspections"].as_array().ok_or("results")?;
    let outcomes: Vec<&str> = results.iter().filter_map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["ALREADY_STORED", "FAILED", "STORED"]);
    assert_eq!(results[1]["error"]["code"], "BAD_USER_INPUT");
    assert_eq!(results[1]["error"]["violations"], json!([{ "itemKey": "dust.pm10", "message": "a number" }]));
    assert_eq!(results[2]["inspection"]["id"], fresh["id"]);
    // Replaying the whole sync stores nothing new.
    let data = app.data(SYNC, json!({ "i": [good, fresh] }), Some(&inspector)).await?;
    let outcomes: Vec<&str> =
        data["syncInspections"].as_array().ok_or("results")?.iter().filter_map(|r| r["outcome"].as_str()).collect();
    assert_eq!(outcomes, ["ALREADY_STORED", "ALREADY_STORED"]);
    assert_eq!(count(&app, &admin, json!({ "projectId": project })).await?, 2);
    let too_many: Vec<Value> = (0..101).map(|_| dust(&project, "PASS")).collect();
    let body = app.gql(SYNC, json!({ "i": too_many }), Some(&inspector)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "inputs", "{body}");
    Ok(())
}

#[tokio::test]
async fn departments_see_the_inspections_of_their_own_projects_and_cases_link_them() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "可见督导项目").await?; // 自然资源局's
    let i = dust(&project, "PASS");
    app.data(SUBMIT, json!({ "i": i }), Some(&inspector)).await?;
    let see = "query($id: UUID!) { inspection(id: $id) { id project { name } inspector { username } template { key version } } }";
    let data = app.data(see, json!({ "id": i["id"] }), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(data["inspection"]["template"], json!({ "key": "dust", "version": 1 }));
    let fgj = app.login_as("fgj").await?;
    let body = app.gql(see, json!({ "id": i["id"] }), Some(&fgj)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    assert_eq!(count(&app, &fgj, json!({ "projectId": project })).await?, 0);

    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id } }";
    let case = app
        .data(open, json!({ "i": { "kind": "ONE_PROJECT_ONE_POLICY", "projectId": project, "title": "扬尘整治一项一策", "policy": "限期整改", "leadUnitId": crate::helpers::unit_id("生态环境局") } }), Some(&admin))
        .await?;
    let link = "mutation($c: UUID!, $x: [UUID!]) { linkToCase(caseId: $c, inspectionIds: $x) { links { targetType targetId } } }";
    let data = app.data(link, json!({ "c": case["openCase"]["id"], "x": [i["id"]] }), Some(&inspector)).await?;
    assert_eq!(data["linkToCase"]["links"], json!([{ "targetType": "INSPECTION", "targetId": i["id"] }]));
    Ok(())
}

#[tokio::test]
async fn an_inspection_page_loads_each_relation_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "分页督导项目").await?;
    let batch: Vec<Value> = (0..12).map(|n| dust(&project, if n % 2 == 0 { "FAIL" } else { "PASS" })).collect();
    app.data(SYNC, json!({ "i": batch }), Some(&inspector)).await?;
    let q = "query($n: Int) { inspections(first: $n) { edges { node { id score project { name } inspector { username } template { key sections { title } } raisedIssues { itemKey issue { number status } } missingPhotoIds photos { id } answers { itemKey } } } } }";
    let mut costs = Vec::new();
    for n in [2, 6, 12] {
        let (data, cost) = app.data_and_cost(q, json!({ "n": n }), Some(&admin)).await?;
        costs.push(cost);
        assert_eq!(data["inspections"]["edges"].as_array().map(Vec::len), Some(n as usize));
    }
    eprintln!("statements per request: {costs:?}");
    // One statement per relation, however many inspections: an N+1 would cost dozens at 12.
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per request depend on the page size: {costs:?}");
    Ok(())
}

#[tokio::test]
async fn a_failed_item_raises_an_issue_with_a_deadline_that_escalates_when_missed() -> TestResult {
    let at = |instant: &str| -> TestResult<api::clock::Clock> {
        Ok(api::clock::Clock::new(api::clock::china(), Some(instant.parse()?)))
    };
    // 10:00 on 21 November 2026 in the county.
    let clock = at("2026-11-21T02:00:00Z")?;
    let app = TestApp::spawn_with(|c| c.clock = clock).await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let project = create(&app, &admin, "期限督办项目").await?;
    let synced = app.data(SYNC, json!({ "i": [dust(&project, "FAIL")] }), Some(&inspector)).await?;
    let inspection = synced["syncInspections"][0]["inspection"]["id"].as_str().ok_or("inspection")?.to_owned();
    let q = "query($id: UUID!) { inspection(id: $id) { raisedIssues { issue { id severity dueDate } } } }";
    let raised = app.data(q, json!({ "id": inspection }), Some(&admin)).await?;
    let issue = &raised["inspection"]["raisedIssues"][0]["issue"];
    // MEDIUM: the office's 15 days, from the day the server received it.
    assert_eq!((&issue["severity"], &issue["dueDate"]), (&json!("MEDIUM"), &json!("2026-12-06")), "{raised}");
    let id = issue["id"].as_str().ok_or("issue id")?.to_owned();
    let assign =
        "mutation($id: UUID!, $u: UUID!, $d: Date) { assignIssue(id: $id, unitId: $u, dueDate: $d) { dueDate } }";
    let vars = json!({ "id": id, "u": crate::helpers::unit_id("自然资源局"), "d": "2026-11-20" });
    let body = app.gql(assign, vars, Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "dueDate", "not in the past: {body}");
    let vars = json!({ "id": id, "u": crate::helpers::unit_id("自然资源局"), "d": null });
    let kept = app.data(assign, vars, Some(&admin)).await?;
    assert_eq!(kept["assignIssue"]["dueDate"], "2026-12-06", "assigning without a date keeps the deadline");
    // The office moves it, saying why on the timeline; a department may not.
    let set = "mutation($id: UUID!, $d: Date!, $r: String!) { setIssueDueDate(id: $id, dueDate: $d, reason: $r) { dueDate timeline { kind text } } }";
    let vars = json!({ "id": id, "d": "2026-12-01", "r": "汛期前完成" });
    let body = app.gql(set, vars.clone(), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(crate::helpers::error_code(&body), Some("FORBIDDEN"), "{body}");
    let moved = app.data(set, vars, Some(&admin)).await?;
    assert_eq!(moved["setIssueDueDate"]["dueDate"], "2026-12-01");
    let last = moved["setIssueDueDate"]["timeline"].as_array().and_then(|t| t.last()).cloned().ok_or("timeline")?;
    assert_eq!(last["kind"], "DUE_CHANGED");
    assert!(
        last["text"].as_str().unwrap_or_default().contains("2026-12-06")
            && last["text"].as_str().unwrap_or_default().contains("汛期前完成"),
        "{last}"
    );
    // Nine days past it the issue goes to the project's linked leader.
    let later = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |c| {
        c.clock = at("2026-12-10T02:00:00Z").unwrap_or_default();
    })
    .await?;
    let admin = later.login_as("admin").await?;
    let shown = later
        .data(
            "query($id: UUID!) { issue(id: $id) { overdue escalation escalatedTo { username } } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await?;
    assert_eq!(shown["issue"]["overdue"], true);
    assert_eq!(shown["issue"]["escalatedTo"]["username"], "leader", "the periodic job escalated it at start: {shown}");
    Ok(())
}
