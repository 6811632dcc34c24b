//! Issues: the workflow, idempotent raising, and who may see and do what.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};
use crate::projects::create;

const RAISE: &str = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id number status title assignedUnit { name } coUnits { name } } }";
const SHOW: &str = "query($id: UUID!) { issue(id: $id) { status number resolution assignedUnit { name } availableActions timeline { kind text actor { username } unit { name } } } }";

/// A fresh issue on a project owned by 自然资源局 (`zrzyj`), co-operated by 生态环境局 (`sthjj`).
pub async fn raise(app: &TestApp, admin: &str, project: &str) -> TestResult<String> {
    let data = app
        .data(
            RAISE,
            json!({ "i": { "projectId": project, "kind": "LAND_ACQUISITION", "title": "征地尚余两户未签约", "coUnitIds": [unit_id("生态环境局")], "dueDate": "2030-01-01" } }),
            Some(admin),
        )
        .await?;
    Ok(data["raiseIssue"]["id"].as_str().ok_or("no id")?.to_owned())
}

fn mutation(action: &str) -> (&'static str, Value) {
    match action {
        "assign" => (
            "mutation($id: UUID!, $u: UUID!) { assignIssue(id: $id, unitId: $u) { status } }",
            json!({ "u": unit_id("自然资源局") }),
        ),
        "accept" => ("mutation($id: UUID!) { acceptIssue(id: $id) { status } }", json!({})),
        "return" => {
            ("mutation($id: UUID!) { returnIssue(id: $id, reason: \"不属于本单位职责\") { status } }", json!({}))
        }
        "start" => ("mutation($id: UUID!) { startIssue(id: $id) { status } }", json!({})),
        "resolve" => {
            ("mutation($id: UUID!) { resolveIssue(id: $id, resolution: \"已完成签约\") { status } }", json!({}))
        }
        "verify" => {
            ("mutation($id: UUID!) { verifyIssue(id: $id, passed: true, note: \"现场核实\") { status } }", json!({}))
        }
        "reopen" => ("mutation($id: UUID!) { reopenIssue(id: $id, reason: \"仍有一户未签\") { status } }", json!({})),
        "close" => ("mutation($id: UUID!) { closeIssue(id: $id) { status } }", json!({})),
        _ => ("mutation($id: UUID!) { commentOnIssue(id: $id, text: \"请加快进度\") { status } }", json!({})),
    }
}

pub async fn act(app: &TestApp, token: &str, action: &str, id: &str) -> TestResult<Value> {
    let (q, mut vars) = mutation(action);
    vars["id"] = json!(id);
    app.gql(q, vars, Some(token)).await
}

/// The admin steps that bring a fresh issue to where `action` applies.
fn path_to(action: &str) -> &'static [&'static str] {
    match action {
        "assign" | "comment" => &[],
        "accept" | "return" => &["assign"],
        "start" => &["assign", "accept"],
        "resolve" => &["assign", "accept", "start"],
        "verify" | "reopen" => &["assign", "accept", "start", "resolve"],
        _ => &["assign", "accept", "start", "resolve", "verify"],
    }
}

#[tokio::test]
async fn an_issue_runs_from_raised_to_closed_with_a_timeline() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "问题流程测试项目").await?;
    let id = raise(&app, &admin, &project).await?;
    let unit = app.login_as("zrzyj").await?;
    let inspector = app.login_as("inspector").await?;
    for (token, action, status) in [
        (&admin, "assign", "ASSIGNED"),
        (&unit, "accept", "ACCEPTED"),
        (&unit, "start", "IN_PROGRESS"),
        (&unit, "resolve", "RESOLVED"),
        (&inspector, "verify", "VERIFIED"),
        (&admin, "close", "CLOSED"),
    ] {
        let body = act(&app, token, action, &id).await?;
        let status_now = body["data"].as_object().and_then(|d| d.values().next()).map(|v| v["status"].clone());
        assert_eq!(status_now, Some(json!(status)), "{action}: {body}");
    }
    let data = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    let issue = &data["issue"];
    let year = crate::helpers::county_today().format("%Y").to_string();
    assert!(issue["number"].as_str().unwrap_or_default().starts_with(&format!("{year}-")), "{issue}");
    assert_eq!(issue["resolution"], "已完成签约");
    let kinds: Vec<&str> =
        issue["timeline"].as_array().ok_or("timeline")?.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["RAISED", "ASSIGNED", "ACCEPTED", "STARTED", "RESOLVED", "VERIFIED", "CLOSED"]);
    assert_eq!(issue["timeline"][1]["unit"]["name"], "自然资源局");
    assert_eq!(issue["timeline"][5]["actor"]["username"], "inspector");
    assert_eq!(issue["availableActions"], json!(["REOPEN"]));
    Ok(())
}

#[tokio::test]
async fn an_illegal_step_says_what_is_allowed() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "非法流转测试项目").await?;
    let id = raise(&app, &admin, &project).await?;
    let body = act(&app, &admin, "close", &id).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("allowed from here: ASSIGN"), "{body}");
    // A failed check sends it back to the unit and needs a note.
    for step in ["assign", "accept", "start", "resolve"] {
        let token = if step == "assign" { admin.clone() } else { app.login_as("zrzyj").await? };
        act(&app, &token, step, &id).await?;
    }
    let inspector = app.login_as("inspector").await?;
    let q = "mutation($id: UUID!, $n: String) { verifyIssue(id: $id, passed: false, note: $n) { status } }";
    let body = app.gql(q, json!({ "id": id, "n": null }), Some(&inspector)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason", "{body}");
    let data = app.data(q, json!({ "id": id, "n": "仍有一户未签" }), Some(&inspector)).await?;
    assert_eq!(data["verifyIssue"]["status"], "IN_PROGRESS");
    Ok(())
}

#[tokio::test]
async fn returning_unassigns_and_the_office_reassigns() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "退回测试项目").await?;
    let id = raise(&app, &admin, &project).await?;
    act(&app, &admin, "assign", &id).await?;
    let unit = app.login_as("zrzyj").await?;
    let body = app
        .gql(
            "mutation($id: UUID!) { returnIssue(id: $id, reason: \" \") { status } }",
            json!({ "id": id }),
            Some(&unit),
        )
        .await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "reason");
    act(&app, &unit, "return", &id).await?;
    let data = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(data["issue"]["status"], "OPEN");
    assert!(data["issue"]["assignedUnit"].is_null());
    let returned = &data["issue"]["timeline"][2];
    assert_eq!((returned["kind"].as_str(), returned["text"].as_str()), (Some("RETURNED"), Some("不属于本单位职责")));
    let reassigned = app
        .data(
            "mutation($id: UUID!, $u: UUID!) { assignIssue(id: $id, unitId: $u) { status assignedUnit { name } } }",
            json!({ "id": id, "u": unit_id("住建局") }),
            Some(&admin),
        )
        .await?;
    assert_eq!(reassigned["assignIssue"]["assignedUnit"]["name"], "住建局");
    Ok(())
}

#[tokio::test]
async fn raising_is_idempotent_by_client_id() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "幂等测试项目").await?;
    let inspector = app.login_as("inspector").await?;
    let client_id = uuid::Uuid::new_v4().to_string();
    let input = json!({ "i": { "id": client_id, "projectId": project, "kind": "SAFETY_HAZARD", "title": "基坑临边防护缺失", "severity": "HIGH", "source": "INSPECTION" } });
    let first = app.data(RAISE, input.clone(), Some(&inspector)).await?;
    let again = app.data(RAISE, input.clone(), Some(&inspector)).await?;
    assert_eq!(first, again, "a replay returns the stored issue");
    let mut changed = input;
    changed["i"]["title"] = json!("另一个问题");
    let body = app.gql(RAISE, changed, Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let list = app
        .data(
            "query($p: UUID) { issues(filter: { projectId: $p }) { totalCount edges { node { title } } } }",
            json!({ "p": project }),
            Some(&admin),
        )
        .await?;
    assert_eq!(list["issues"]["totalCount"], 1);
    assert_eq!(list["issues"]["edges"][0]["node"]["title"], "基坑临边防护缺失", "the stored issue is untouched");
    Ok(())
}

#[tokio::test]
async fn every_role_and_unit_gets_exactly_its_rights() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "权限矩阵测试项目").await?;
    // (who, actions allowed, what the others get)
    let matrix: [(&str, &[&str], &str); 7] = [
        ("admin", &["assign", "accept", "return", "start", "resolve", "verify", "reopen", "close", "comment"], ""),
        ("zrzyj", &["accept", "return", "start", "resolve", "comment"], "FORBIDDEN"),
        ("sthjj", &["comment"], "FORBIDDEN"),
        ("fgj", &[], "NOT_FOUND"),
        ("inspector", &["verify", "reopen", "comment"], "FORBIDDEN"),
        ("leader", &["comment"], "FORBIDDEN"),
        ("integration", &[], "FORBIDDEN"),
    ];
    let actions = ["assign", "accept", "return", "start", "resolve", "verify", "reopen", "close", "comment"];
    let owner = app.login_as("zrzyj").await?;
    for (who, allowed, denied_code) in matrix {
        let token = app.login_as(who).await?;
        for action in actions {
            let id = raise(&app, &admin, &project).await?;
            for step in path_to(action) {
                let token = if ["accept", "start", "resolve"].contains(step) { owner.clone() } else { admin.clone() };
                let body = act(&app, &token, step, &id).await?;
                assert!(body.get("errors").is_none(), "setting up {action}: {step}: {body}");
            }
            let before = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
            let body = act(&app, &token, action, &id).await?;
            if allowed.contains(&action) {
                assert!(body.get("errors").is_none(), "{who} may {action}: {body}");
            } else {
                assert_eq!(error_code(&body), Some(denied_code), "{who} may not {action}: {body}");
                let after = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
                assert_eq!(before, after, "a refused {action} by {who} changed nothing");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn departments_see_only_their_issues_and_hidden_ones_do_not_exist() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "可见性测试项目").await?;
    let id = raise(&app, &admin, &project).await?;
    let q = "query($p: UUID) { issues(filter: { projectId: $p }) { totalCount } }";
    for (who, sees) in
        [("zrzyj", true), ("sthjj", true), ("fgj", false), ("leader", true), ("inspector", true), ("integration", true)]
    {
        let token = app.login_as(who).await?;
        let body = app.gql(SHOW, json!({ "id": id }), Some(&token)).await?;
        let count = app.data(q, json!({ "p": project }), Some(&token)).await?;
        if sees {
            assert!(body.get("errors").is_none(), "{who}: {body}");
            assert_eq!(count["issues"]["totalCount"], 1, "{who}");
        } else {
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{who}: {body}");
            let unknown = app.gql(SHOW, json!({ "id": uuid::Uuid::new_v4().to_string() }), Some(&token)).await?;
            assert_eq!(body["errors"][0]["message"], unknown["errors"][0]["message"], "no hint that it exists");
            assert_eq!(count["issues"]["totalCount"], 0, "{who}");
        }
    }
    Ok(())
}

pub async fn raise_due(app: &TestApp, admin: &str, project: &str, due: chrono::NaiveDate) -> TestResult<String> {
    let data = app
        .data(
            RAISE,
            json!({ "i": { "projectId": project, "kind": "UTILITIES", "title": "施工用电未接入", "assignedUnitId": unit_id("自然资源局"), "dueDate": due.to_string() } }),
            Some(admin),
        )
        .await?;
    Ok(data["raiseIssue"]["id"].as_str().ok_or("no id")?.to_owned())
}

#[tokio::test]
async fn overdue_issues_escalate_once_to_the_linked_leader() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "提级督办测试项目").await?;
    let today = crate::helpers::county_today();
    let days = |n: i64| today + chrono::Duration::days(n);
    let long_overdue = raise_due(&app, &admin, &project, days(-10)).await?;
    let overdue = raise_due(&app, &admin, &project, days(-3)).await?;
    let soon = raise_due(&app, &admin, &project, days(2)).await?;
    let later = raise_due(&app, &admin, &project, days(30)).await?;
    let q =
        "query($id: UUID!) { issue(id: $id) { overdue escalation escalatedTo { username } timeline { kind text } } }";
    for (id, level, overdue_now) in
        [(&long_overdue, "LEADER", true), (&overdue, "RED", true), (&soon, "YELLOW", false), (&later, "NONE", false)]
    {
        let data = app.data(q, json!({ "id": id }), Some(&admin)).await?;
        assert_eq!(data["issue"]["escalation"], level, "{data}");
        assert_eq!(data["issue"]["overdue"], overdue_now);
    }
    let first = app.data("mutation { escalateOverdueIssues }", json!({}), Some(&admin)).await?;
    assert_eq!(first["escalateOverdueIssues"], 1);
    let again = app.data("mutation { escalateOverdueIssues }", json!({}), Some(&admin)).await?;
    assert_eq!(again["escalateOverdueIssues"], 0, "escalation happens once");
    let data = app.data(q, json!({ "id": long_overdue }), Some(&admin)).await?;
    assert_eq!(data["issue"]["escalatedTo"]["username"], "leader");
    let last = data["issue"]["timeline"].as_array().and_then(|t| t.last()).cloned().ok_or("timeline")?;
    assert_eq!(last["kind"], "ESCALATED");
    assert!(last["text"].as_str().unwrap_or_default().contains("逾期10天"));
    // The leader's queue, and the level filters.
    let leader = app.login_as("leader").await?;
    let leader_id = crate::projects::leader_id();
    let queue = app
        .data(
            "query($l: UUID) { issues(filter: { escalatedTo: $l }) { totalCount edges { node { id } } } }",
            json!({ "l": leader_id }),
            Some(&leader),
        )
        .await?;
    assert_eq!(queue["issues"]["edges"][0]["node"]["id"], long_overdue.as_str());
    for (level, expected) in [("LEADER", &long_overdue), ("RED", &overdue), ("YELLOW", &soon)] {
        let data = app
            .data("query($e: Escalation, $p: UUID) { issues(filter: { escalation: $e, projectId: $p }) { totalCount edges { node { id } } } }", json!({ "e": level, "p": project }), Some(&admin))
            .await?;
        assert_eq!(data["issues"]["totalCount"], 1, "{level}");
        assert_eq!(data["issues"]["edges"][0]["node"]["id"], expected.as_str(), "{level}");
    }
    let overdue_list = app
        .data(
            "query($p: UUID) { issues(filter: { overdue: true, projectId: $p }) { totalCount } }",
            json!({ "p": project }),
            Some(&admin),
        )
        .await?;
    assert_eq!(overdue_list["issues"]["totalCount"], 2);
    // Only the office runs escalation by hand.
    assert_eq!(
        error_code(&app.gql("mutation { escalateOverdueIssues }", json!({}), Some(&leader)).await?),
        Some("FORBIDDEN")
    );
    Ok(())
}

async fn land_bureau_stats(app: &TestApp, token: &str) -> TestResult<Value> {
    let data = app
        .data(
            "{ issueStats { unit { name } assigned open resolved overdue dueCount closedOnTime closeOffRate resolvedShare medianDaysToResolve } }",
            json!({}),
            Some(token),
        )
        .await?;
    Ok(data["issueStats"]
        .as_array()
        .ok_or("stats")?
        .iter()
        .find(|l| l["unit"]["name"] == "自然资源局")
        .cloned()
        .unwrap_or_else(|| json!({ "assigned": 0, "open": 0, "resolved": 0, "overdue": 0 })))
}

#[tokio::test]
async fn unit_stats_count_close_off_and_overdue() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let unit = app.login_as("zrzyj").await?;
    let before = land_bureau_stats(&app, &unit).await?;
    let project = create(&app, &admin, "办结率测试项目").await?;
    let today = crate::helpers::county_today();
    let done = raise_due(&app, &admin, &project, today + chrono::Duration::days(5)).await?;
    raise_due(&app, &admin, &project, today - chrono::Duration::days(1)).await?;
    for step in ["accept", "resolve"] {
        let body = act(&app, &unit, step, &done).await?;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let after = land_bureau_stats(&app, &unit).await?;
    let delta = |k: &str| after[k].as_i64().unwrap_or(0) - before[k].as_i64().unwrap_or(0);
    assert_eq!(
        (delta("assigned"), delta("open"), delta("resolved"), delta("overdue")),
        (2, 1, 1, 1),
        "{before} -> {after}"
    );
    // Both are due for the close-off rate: one resolved ahead of its deadline, one past it.
    assert_eq!((delta("dueCount"), delta("closedOnTime")), (2, 1), "{before} -> {after}");
    let percent = |k: &str| -> TestResult<f64> { Ok(after[k].as_str().ok_or("rate")?.parse()?) };
    let share =
        |a: &str, b: &str| 100.0 * after[a].as_i64().unwrap_or(0) as f64 / after[b].as_i64().unwrap_or(1) as f64;
    assert!((percent("closeOffRate")? - share("closedOnTime", "dueCount")).abs() < 0.01, "{after}");
    assert!((percent("resolvedShare")? - share("resolved", "assigned")).abs() < 0.01, "{after}");
    assert!(after["medianDaysToResolve"].as_f64().is_some(), "{after}");
    Ok(())
}

#[tokio::test]
async fn the_demo_county_has_issues_in_every_status_some_escalated() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    for status in ["OPEN", "ASSIGNED", "ACCEPTED", "IN_PROGRESS", "RESOLVED", "VERIFIED", "CLOSED"] {
        let data = app
            .data(
                "query($s: IssueStatus) { issues(filter: { status: $s }) { totalCount } }",
                json!({ "s": status }),
                Some(&admin),
            )
            .await?;
        assert!(data["issues"]["totalCount"].as_i64().unwrap_or(0) > 0, "{status}");
    }
    let data = app
        .data("{ overdue: issues(filter: { overdue: true }) { totalCount } escalated: issues(filter: { escalation: LEADER }) { totalCount edges { node { escalatedTo { role } timeline(last: 1) { kind } } } } }", json!({}), Some(&admin))
        .await?;
    assert!(data["overdue"]["totalCount"].as_i64().unwrap_or(0) > 0);
    assert!(data["escalated"]["totalCount"].as_i64().unwrap_or(0) > 0);
    for e in data["escalated"]["edges"].as_array().ok_or("edges")? {
        assert_eq!(e["node"]["escalatedTo"]["role"], "LEADER");
    }
    // A department sees its own work, and numbering continues after the demo's.
    let land = app.login_as("zrzyj").await?;
    let mine = app.data("{ issues { totalCount } }", json!({}), Some(&land)).await?;
    assert!(mine["issues"]["totalCount"].as_i64().unwrap_or(0) > 0);
    let project = create(&app, &admin, "编号连续测试项目").await?;
    let id = raise(&app, &admin, &project).await?;
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    let year = crate::helpers::county_today().format("%Y").to_string();
    assert_eq!(shown["issue"]["number"], format!("{year}-0078"));
    Ok(())
}

#[tokio::test]
async fn an_issue_page_costs_the_same_statements_at_any_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "query($n: Int) { issues(first: $n) { edges { node { number escalation reporter { username } project { name responsibleUnit { name } health { light } } assignedUnit { name } coUnits { name } timeline(last: 3) { kind actor { username } unit { name } } all: timeline { kind } } } } }";
    let mut costs = Vec::new();
    for n in [5, 20, 50] {
        let (data, cost) = app.data_and_cost(q, json!({ "n": n }), Some(&admin)).await?;
        costs.push(cost);
        let nodes = data["issues"]["edges"].as_array().ok_or("edges")?;
        assert_eq!(nodes.len(), n as usize);
        for node in nodes.iter().map(|e| &e["node"]) {
            let all = node["all"].as_array().ok_or("timeline")?;
            let last: Vec<&Value> = all.iter().skip(all.len().saturating_sub(3)).collect();
            let kinds: Vec<&Value> =
                node["timeline"].as_array().ok_or("timeline")?.iter().map(|e| &e["kind"]).collect();
            assert_eq!(kinds, last.iter().map(|e| &e["kind"]).collect::<Vec<_>>(), "the newest three, oldest first");
        }
    }
    eprintln!("statements per request: {costs:?}");
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per request depend on the page size: {costs:?}");
    // The projects' lights are read from the kept ones, computed and stored where not yet current.
    assert!(costs[0] <= 17, "{costs:?}");
    Ok(())
}

#[tokio::test]
async fn racing_steps_on_one_issue_take_effect_once() -> TestResult {
    // Each step reads the issue, checks the workflow and writes the whole row back. Were the row not
    // held from the read to the commit, two racing requests would both read ASSIGNED, both succeed,
    // and the timeline would show the issue signed for twice.
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let project = create(&app, &admin, "并发签收项目").await?;
    let id = raise(&app, &admin, &project).await?;
    act(&app, &admin, "assign", &id).await?;
    let racers = (0..8).map(|_| act(&app, &zrzyj, "accept", &id));
    let answers = futures_util::future::join_all(racers).await;
    let mut accepted = 0;
    for answer in answers {
        let body = answer?;
        match error_code(&body) {
            None => accepted += 1,
            Some(code) => assert!(["BAD_USER_INPUT", "CONFLICT"].contains(&code), "{body}"),
        }
    }
    assert_eq!(accepted, 1, "exactly one racer signs for the issue");
    let shown = app.data(SHOW, json!({ "id": id }), Some(&admin)).await?;
    let accepts =
        shown["issue"]["timeline"].as_array().ok_or("timeline")?.iter().filter(|e| e["kind"] == "ACCEPTED").count();
    assert_eq!(accepts, 1, "{shown}");
    Ok(())
}

#[tokio::test]
async fn a_refused_step_lists_what_this_caller_may_do_in_the_schema_spelling() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "可用操作提示项目").await?;
    let id = raise(&app, &admin, &project).await?;
    act(&app, &admin, "assign", &id).await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let body = act(&app, &zrzyj, "resolve", &id).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with("an issue that is ASSIGNED; allowed from here: ACCEPT, RETURN"), "{message}");
    // The office may re-assign from here; the unit may not, so it is not offered to the unit.
    let body = act(&app, &admin, "resolve", &id).await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.ends_with("allowed from here: ASSIGN, ACCEPT, RETURN"), "{message}");
    Ok(())
}
