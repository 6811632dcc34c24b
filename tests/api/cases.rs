//! Coordination cases: 一项一策 and 一事一议, their life, links, and who may see and do what.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};
use crate::issues::{act, raise};
use crate::projects::create;

const OPEN: &str = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id status kind leadUnit { name } units { name } measures { id description ownerUnit { name } doneOn } decision decidedBy } }";
const SHOW: &str = "query($id: UUID!) { case(id: $id) { status closedAt availableActions issues { id number } links { targetType targetId linkedBy { username } } measures { doneOn } } }";
const LINK: &str = "mutation($c: UUID!, $i: [UUID!], $x: [UUID!], $p: [UUID!]) { linkToCase(caseId: $c, issueIds: $i, inspectionIds: $x, photoIds: $p) { id } }";

fn policy(project: &str) -> Value {
    json!({ "i": {
        "kind": "ONE_PROJECT_ONE_POLICY",
        "projectId": project,
        "title": "征地清零一项一策",
        "policy": "自然资源局牵头，限期完成剩余两户签约。",
        "leadUnitId": unit_id("自然资源局"),
        "unitIds": [unit_id("发改局"), unit_id("自然资源局")],
        "measures": [{ "description": "补偿资金拨付到位", "ownerUnitId": unit_id("生态环境局"), "deadline": "2030-01-01" }],
    }})
}

fn matter(lead: &str) -> Value {
    json!({ "i": {
        "kind": "ONE_MATTER_ONE_DISCUSSION",
        "title": "用地指标统筹",
        "policy": "提请县政府统筹安排新增建设用地指标。",
        "leadUnitId": unit_id(lead),
    }})
}

fn id_of(data: &Value, field: &str) -> TestResult<String> {
    Ok(data[field]["id"].as_str().ok_or_else(|| format!("no id in {data}"))?.to_owned())
}

async fn step(app: &TestApp, token: &str, action: &str, id: &str) -> TestResult<Value> {
    app.gql(&format!("mutation($id: UUID!) {{ {action}(id: $id) {{ status }} }}"), json!({ "id": id }), Some(token))
        .await
}

#[tokio::test]
async fn a_policy_runs_from_open_to_closed_once_its_issues_are_closed() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let lead = app.login_as("zrzyj").await?;
    let owner = app.login_as("sthjj").await?;
    let project = create(&app, &admin, "一项一策测试项目").await?;
    let data = app.data(OPEN, policy(&project), Some(&admin)).await?;
    let case = &data["openCase"];
    let id = id_of(&data, "openCase")?;
    assert_eq!(case["status"], "OPEN");
    assert_eq!(case["leadUnit"]["name"], "自然资源局");
    // The measure's owner takes part; the lead unit is not also a participant.
    assert_eq!(case["units"], json!([{ "name": "发改局" }, { "name": "生态环境局" }]), "{case}");

    // One open policy per project.
    let body = app.gql(OPEN, policy(&project), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("征地清零一项一策"), "{body}");

    let issue = raise(&app, &admin, &project).await?;
    app.data(LINK, json!({ "c": id, "i": [issue] }), Some(&admin)).await?;
    app.data(LINK, json!({ "c": id, "i": [issue] }), Some(&lead)).await?; // linking again changes nothing
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(shown["case"]["issues"][0]["id"], json!(issue));
    assert_eq!(shown["case"]["links"].as_array().map(Vec::len), Some(1), "{shown}");
    let filtered = app
        .data(
            "query($c: UUID!) { issues(filter: { caseId: $c }) { totalCount edges { node { id } } } }",
            json!({ "c": id }),
            Some(&admin),
        )
        .await?;
    assert_eq!(filtered["issues"]["totalCount"], 1);
    assert_eq!(filtered["issues"]["edges"][0]["node"]["id"], json!(issue));

    // Resolving needs every measure done.
    let body = step(&app, &lead, "resolveCase", &id).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("补偿资金拨付到位"), "{body}");
    let measure = case["measures"][0]["id"].as_str().ok_or("measure")?;
    let done = "mutation($m: UUID!, $d: Date) { completeCaseMeasure(measureId: $m, doneOn: $d) { status measures { doneOn } } }";
    let today = crate::helpers::county_today().to_string();
    let body = app.gql(done, json!({ "m": measure, "d": today }), Some(&app.login_as("fgj").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "a participant that does not own the measure: {body}");
    let data = app.data(done, json!({ "m": measure, "d": today }), Some(&owner)).await?;
    assert_eq!(data["completeCaseMeasure"]["status"], "IN_PROGRESS");
    assert_eq!(data["completeCaseMeasure"]["measures"][0]["doneOn"], json!(today));
    assert_eq!(step(&app, &lead, "resolveCase", &id).await?["data"]["resolveCase"]["status"], "RESOLVED");

    // Closing waits for the linked issue, and names it.
    let body = step(&app, &lead, "closeCase", &id).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "only the office closes: {body}");
    let body = step(&app, &admin, "closeCase", &id).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let number =
        app.data("query($id: UUID!) { issue(id: $id) { number } }", json!({ "id": issue }), Some(&admin)).await?;
    let number = number["issue"]["number"].as_str().ok_or("number")?;
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains(&format!("{number} (OPEN)")), "{body}");
    let inspector = app.login_as("inspector").await?;
    for (token, action) in [
        (&admin, "assign"),
        (&lead, "accept"),
        (&lead, "start"),
        (&lead, "resolve"),
        (&inspector, "verify"),
        (&admin, "close"),
    ] {
        act(&app, token, action, &issue).await?;
    }
    assert_eq!(step(&app, &admin, "closeCase", &id).await?["data"]["closeCase"]["status"], "CLOSED");
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    assert!(shown["case"]["closedAt"].is_string());
    assert_eq!(shown["case"]["availableActions"], json!([]));
    let body = app.gql(LINK, json!({ "c": id, "i": [issue] }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "a closed case takes no links: {body}");
    // With the first closed, the project may have a new policy.
    app.data(OPEN, policy(&project), Some(&admin)).await?;
    Ok(())
}

#[tokio::test]
async fn a_matter_records_its_decision() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let leader = app.login_as("leader").await?;
    let data = app.data(OPEN, matter("自然资源局"), Some(&admin)).await?;
    let id = id_of(&data, "openCase")?;
    let body = step(&app, &admin, "resolveCase", &id).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "no decision yet: {body}");
    let decide = "mutation($id: UUID!, $on: Date!) { decideCase(id: $id, decision: \"增减挂钩解决\", decidedOn: $on, decidedBy: \"县政府常务会议\") { status decision decidedOn decidedBy } }";
    let today = crate::helpers::county_today();
    let body =
        app.gql(decide, json!({ "id": id, "on": today.to_string() }), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let tomorrow = (today + chrono::Duration::days(1)).to_string();
    let body = app.gql(decide, json!({ "id": id, "on": tomorrow }), Some(&leader)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "decidedOn", "{body}");
    let data = app.data(decide, json!({ "id": id, "on": today.to_string() }), Some(&leader)).await?;
    let d = &data["decideCase"];
    assert_eq!((d["status"].as_str(), d["decidedBy"].as_str()), (Some("IN_PROGRESS"), Some("县政府常务会议")));
    assert_eq!(d["decidedOn"], json!(today.to_string()));
    assert_eq!(step(&app, &admin, "resolveCase", &id).await?["data"]["resolveCase"]["status"], "RESOLVED");
    assert_eq!(step(&app, &admin, "reopenCase", &id).await?["data"]["reopenCase"]["status"], "IN_PROGRESS");

    // A decision comes whole, a policy has a project and no decision.
    let mut half = matter("财政局");
    half["i"]["decision"] = json!("已决定");
    let body = app.gql(OPEN, half, Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let mut no_project = matter("财政局");
    no_project["i"]["kind"] = json!("ONE_PROJECT_ONE_POLICY");
    let body = app.gql(OPEN, no_project, Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "projectId", "{body}");
    let body = app.gql(OPEN, matter("财政局"), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "only the office opens cases: {body}");
    Ok(())
}

#[tokio::test]
async fn units_see_the_cases_they_lead_take_part_in_or_own_and_nothing_else() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let sthjj = app.login_as("sthjj").await?;
    let fgj = app.login_as("fgj").await?;
    // Led by 财政局, with 生态环境局 taking part, on no project.
    let mut m = matter("财政局");
    m["i"]["unitIds"] = json!([unit_id("生态环境局")]);
    let hidden_from_zrzyj = id_of(&app.data(OPEN, m, Some(&admin)).await?, "openCase")?;
    // On a project 自然资源局 is responsible for, led by 生态环境局.
    let project = create(&app, &admin, "可见性测试项目").await?;
    let mut p = policy(&project);
    p["i"]["leadUnitId"] = json!(unit_id("生态环境局"));
    p["i"]["unitIds"] = json!([]);
    p["i"]["measures"] = json!([]);
    let owned_by_zrzyj = id_of(&app.data(OPEN, p, Some(&admin)).await?, "openCase")?;

    let see = "query($id: UUID!) { case(id: $id) { id } }";
    let list = "{ cases(first: 100) { totalCount edges { node { id } } } }";
    let ids = |data: &Value| -> Vec<String> {
        data["cases"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect()
    };
    for (token, case, visible) in [
        (&zrzyj, &hidden_from_zrzyj, false),
        (&zrzyj, &owned_by_zrzyj, true),
        (&sthjj, &hidden_from_zrzyj, true),
        (&sthjj, &owned_by_zrzyj, true),
        (&fgj, &hidden_from_zrzyj, false),
        (&fgj, &owned_by_zrzyj, false),
    ] {
        let body = app.gql(see, json!({ "id": case }), Some(token)).await?;
        assert_eq!(error_code(&body), if visible { None } else { Some("NOT_FOUND") }, "{body}");
        let listed = ids(&app.data(list, json!({}), Some(token)).await?);
        assert_eq!(listed.contains(case), visible);
    }
    // Seeing is not acting: only the lead unit (among departments) links and resolves.
    let issue = raise(&app, &admin, &project).await?;
    let body = app.gql(LINK, json!({ "c": owned_by_zrzyj, "i": [issue] }), Some(&zrzyj)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql(LINK, json!({ "c": hidden_from_zrzyj, "i": [issue] }), Some(&zrzyj)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    // The lead unit links only issues it can see; an issue hidden from it reads as missing.
    let other = create(&app, &admin, "他人项目").await?;
    let hidden_issue = raise(&app, &admin, &other).await?;
    let mut matter_led_by_fgj = matter("发改局");
    matter_led_by_fgj["i"]["title"] = json!("发改局牵头事项");
    let fgj_case = id_of(&app.data(OPEN, matter_led_by_fgj, Some(&admin)).await?, "openCase")?;
    let body = app.gql(LINK, json!({ "c": fgj_case, "i": [hidden_issue] }), Some(&fgj)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "issueIds", "{body}");
    // A 一项一策 links only its own project's issues; inspections and photos must exist.
    let body = app.gql(LINK, json!({ "c": owned_by_zrzyj, "i": [hidden_issue] }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "issueIds", "{body}");
    let body = app.gql(LINK, json!({ "c": owned_by_zrzyj, "x": [uuid::Uuid::new_v4()] }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "inspectionIds", "{body}");
    // Linked issues show only as far as the caller may see them.
    app.data(LINK, json!({ "c": hidden_from_zrzyj, "i": [issue, hidden_issue] }), Some(&admin)).await?;
    let shown = app.data(SHOW, json!({ "id": hidden_from_zrzyj }), Some(&admin)).await?;
    assert_eq!(shown["case"]["issues"].as_array().map(Vec::len), Some(2));
    let shown = app.data(SHOW, json!({ "id": hidden_from_zrzyj }), Some(&sthjj)).await?;
    // 生态环境局 co-operates on both issues (the test issues name it), so it sees both.
    assert_eq!(shown["case"]["issues"].as_array().map(Vec::len), Some(2));
    // Nor does a link give away an issue the caller may not see.
    app.data(LINK, json!({ "c": fgj_case, "i": [hidden_issue] }), Some(&admin)).await?;
    let shown = app.data(SHOW, json!({ "id": fgj_case }), Some(&fgj)).await?;
    assert_eq!((&shown["case"]["issues"], &shown["case"]["links"]), (&json!([]), &json!([])), "{shown}");
    let shown = app.data(SHOW, json!({ "id": fgj_case }), Some(&admin)).await?;
    assert_eq!(shown["case"]["links"].as_array().map(Vec::len), Some(1), "{shown}");
    let unlink = "mutation($c: UUID!, $i: [UUID!]) { unlinkFromCase(caseId: $c, issueIds: $i) { links { targetId } } }";
    let data = app.data(unlink, json!({ "c": hidden_from_zrzyj, "i": [hidden_issue] }), Some(&admin)).await?;
    assert_eq!(data["unlinkFromCase"]["links"], json!([{ "targetId": issue }]));
    Ok(())
}

#[tokio::test]
async fn the_demo_county_has_cases_of_both_kinds_and_lists_them_without_n_plus_1() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "query($n: Int) { cases(first: $n) { totalCount edges { node { kind status project { name } leadUnit { name } units { name } measures { ownerUnit { name } } issues { number status project { name } } links { targetType } openedBy { username } } } } }";
    let mut costs = Vec::new();
    for n in [2, 6] {
        let (data, cost) = app.data_and_cost(q, json!({ "n": n }), Some(&admin)).await?;
        costs.push(cost);
        let nodes: Vec<&Value> = data["cases"]["edges"].as_array().ok_or("edges")?.iter().map(|e| &e["node"]).collect();
        assert_eq!(nodes.len(), n as usize);
        if n == 6 {
            let kinds: std::collections::BTreeSet<&str> = nodes.iter().filter_map(|c| c["kind"].as_str()).collect();
            let statuses: std::collections::BTreeSet<&str> =
                nodes.iter().filter_map(|c| c["status"].as_str()).collect();
            assert_eq!(kinds.len(), 2, "{kinds:?}");
            assert_eq!(statuses.len(), 4, "{statuses:?}");
            assert!(nodes.iter().any(|c| c["issues"].as_array().is_some_and(|i| !i.is_empty())));
        }
    }
    eprintln!("statements per request: {costs:?}");
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per request depend on the page size: {costs:?}");
    // The resolved demo policy has every measure done and only closed issues: the office can close it.
    let sthjj = app.login_as("sthjj").await?;
    let data = app
        .data(
            "{ cases(filter: { status: RESOLVED }) { edges { node { id availableActions } } } }",
            json!({}),
            Some(&admin),
        )
        .await?;
    let resolved = data["cases"]["edges"][0]["node"]["id"].as_str().ok_or("a resolved demo case")?.to_owned();
    assert_eq!(step(&app, &admin, "closeCase", &resolved).await?["data"]["closeCase"]["status"], "CLOSED");
    let data = app.data("{ cases { totalCount } }", json!({}), Some(&sthjj)).await?;
    assert!(data["cases"]["totalCount"].as_i64().unwrap_or(0) >= 1, "生态环境局 leads a demo case: {data}");
    Ok(())
}

#[tokio::test]
async fn a_case_closes_only_once_resolved() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = id_of(&app.data(OPEN, matter("自然资源局"), Some(&admin)).await?, "openCase")?;
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    let actions = shown["case"]["availableActions"].as_array().ok_or("actions")?;
    assert!(!actions.contains(&json!("CLOSE")), "an open case offers no close: {shown}");
    for state in ["OPEN", "IN_PROGRESS"] {
        if state == "IN_PROGRESS" {
            step(&app, &admin, "startCase", &id).await?;
        }
        let body = step(&app, &admin, "closeCase", &id).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{state}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains(&format!("that is {state} (ONE_MATTER_ONE_DISCUSSION)")), "{message}");
        assert!(!message.contains("CLOSE"), "close is not among what is allowed: {message}");
    }
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(shown["case"]["status"], "IN_PROGRESS", "nothing changed");
    Ok(())
}
