//! The project library: who may write what, validation, lists and filters, and no N+1.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

pub const CREATE: &str = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id code name category industry status totalInvestment plannedInvestment completedInvestment completedInvestmentTotal progressPercent plannedStart plannedCompletion location { lat lng } siteRadiusM boundary { lat lng } responsibleUnit { name } leader { username } pairedUnits { name } health { light } } }";

pub fn leader_id() -> String {
    api::seed::demo::demo_id("user", "leader").to_string()
}

/// A valid new project owned by 自然资源局 (the `zrzyj` demo account's unit).
pub fn new_project(name: &str) -> Value {
    let year = crate::helpers::county_today().format("%Y").to_string().parse::<i32>().unwrap_or(2026);
    json!({ "i": {
        "code": "2026-430781-04-01-654321",
        "name": name,
        "category": "KEY_CONSTRUCTION",
        "industry": "SALT_CHEMICAL",
        "status": "UNDER_CONSTRUCTION",
        "responsibleUnitId": unit_id("自然资源局"),
        "leaderId": leader_id(),
        "pairedUnitIds": [unit_id("生态环境局"), unit_id("应急管理局")],
        "totalInvestment": "12345.678901",
        "yearPlans": [{ "year": year, "plannedInvestment": "1200" }],
        "plannedStart": "2026-01-10",
        "plannedCompletion": "2027-12-31",
        "location": { "lat": 29.61, "lng": 111.87 },
        "siteRadiusM": 400,
        "boundary": [{ "lat": 29.60, "lng": 111.86 }, { "lat": 29.62, "lng": 111.86 }, { "lat": 29.61, "lng": 111.88 }],
        "address": "工业园区盐化大道",
        "description": "离子膜烧碱扩能"
    }})
}

pub async fn create(app: &TestApp, token: &str, name: &str) -> TestResult<String> {
    let mut vars = new_project(name);
    vars["i"]["code"] = Value::Null;
    let data = app.data(CREATE, vars, Some(token)).await?;
    Ok(data["createProject"]["id"].as_str().ok_or("no id")?.to_owned())
}

#[tokio::test]
async fn admin_creates_a_project_with_exact_money() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let data = app.data(CREATE, new_project("盐化工离子膜扩能项目"), Some(&admin)).await?;
    let p = &data["createProject"];
    assert_eq!(p["code"], "2026-430781-04-01-654321");
    assert_eq!(p["totalInvestment"], "12345.678901", "decimal string, never a float");
    assert_eq!(p["plannedInvestment"], "1200");
    assert_eq!(p["completedInvestment"], "0");
    assert_eq!(p["plannedStart"], "2026-01-10");
    assert_eq!(p["responsibleUnit"]["name"], "自然资源局");
    assert_eq!(p["leader"]["username"], "leader");
    assert_eq!(p["pairedUnits"].as_array().map(Vec::len), Some(2));
    assert_eq!(p["boundary"].as_array().map(Vec::len), Some(3));
    assert_eq!(p["location"], json!({ "lat": 29.61, "lng": 111.87 }));
    // The same code again is a conflict.
    let body = app.gql(CREATE, new_project("另一个项目"), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    Ok(())
}

#[tokio::test]
async fn project_validation_names_the_field() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = api::seed::demo::demo_id("user", "inspector").to_string();
    let cases = [
        ("code", json!({ "code": "2026-43078-04-01-654321X" })),
        ("name", json!({ "name": "x" })),
        ("leaderId", json!({ "leaderId": inspector })),
        ("responsibleUnitId", json!({ "responsibleUnitId": uuid::Uuid::new_v4().to_string() })),
        ("pairedUnitIds", json!({ "pairedUnitIds": [uuid::Uuid::new_v4().to_string()] })),
        ("totalInvestment", json!({ "totalInvestment": "1.0000001" })),
        ("totalInvestment", json!({ "totalInvestment": "-5" })),
        ("yearPlans", json!({ "yearPlans": [{ "year": 1999, "plannedInvestment": "1" }] })),
        ("location", json!({ "location": { "lat": 95.0, "lng": 111.0 } })),
        ("siteRadiusM", json!({ "siteRadiusM": 0 })),
        ("plannedCompletion", json!({ "plannedCompletion": "2025-01-01" })),
        ("boundary", json!({ "boundary": [{ "lat": 29.6, "lng": 111.8 }] })),
    ];
    for (field, change) in cases {
        let mut vars = new_project("校验项目");
        for (k, v) in change.as_object().ok_or("object")? {
            vars["i"][k] = v.clone();
        }
        let body = app.gql(CREATE, vars, Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let mut vars = new_project("日期项目");
    vars["i"]["plannedStart"] = json!("2026-02-30");
    assert_eq!(error_code(&app.gql(CREATE, vars, Some(&admin)).await?), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn only_admin_creates_and_only_the_owner_updates_operational_fields() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "权限测试项目").await?;
    for who in ["leader", "zrzyj", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(CREATE, new_project("不该建的项目"), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let update = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { name progressPercent actualStart priorCompletedInvestment } }";
    let owner = app.login_as("zrzyj").await?;
    let data = app
        .data(
            update,
            json!({ "id": id, "i": { "progressPercent": "42.5", "actualStart": "2026-02-01", "priorCompletedInvestment": "300.25" } }),
            Some(&owner),
        )
        .await?;
    assert_eq!(data["updateProject"]["progressPercent"], "42.5");
    assert_eq!(data["updateProject"]["actualStart"], "2026-02-01");
    assert_eq!(data["updateProject"]["priorCompletedInvestment"], "300.25");
    let body = app.gql(update, json!({ "id": id, "i": { "name": "改名" } }), Some(&owner)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "the owner may not rename: {body}");
    for who in ["fgj", "leader", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(update, json!({ "id": id, "i": { "progressPercent": "50" } }), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let data = app.data(update, json!({ "id": id, "i": { "name": "改名后的项目" } }), Some(&admin)).await?;
    assert_eq!(data["updateProject"]["name"], "改名后的项目");
    let body = app.gql(update, json!({ "id": id, "i": { "progressPercent": "101" } }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "progressPercent");
    let unknown = uuid::Uuid::new_v4().to_string();
    let body = app.gql(update, json!({ "id": unknown, "i": { "name": "x项目" } }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // Every change is in the audit trail with its fields.
    let trail = app
        .data(
            "query($id: String) { auditEvents(filter: { entityType: \"project\", entityId: $id }) { edges { node { action changes } } } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await?;
    let actions: Vec<&str> = trail["auditEvents"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .filter_map(|e| e["node"]["action"].as_str())
        .collect();
    assert_eq!(actions, vec!["project.update", "project.update", "project.create"]);
    assert_eq!(trail["auditEvents"]["edges"][0]["node"]["changes"]["name"]["after"], "改名后的项目");
    Ok(())
}

#[tokio::test]
async fn the_demo_county_has_the_three_lists_and_all_three_lights() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let data = app
        .data(
            "{ c: projects(filter: { category: KEY_CONSTRUCTION }) { totalCount }
               p: projects(filter: { category: KEY_PRELIMINARY }) { totalCount }
               d: projects(filter: { category: KEY_DEVELOPMENT }) { totalCount }
               g: projects(filter: { light: GREEN }) { totalCount }
               y: projects(filter: { light: YELLOW }) { totalCount }
               r: projects(filter: { light: RED }) { totalCount edges { node { health { light reasons } } } } }",
            json!({}),
            Some(&token),
        )
        .await?;
    assert_eq!(
        (data["c"]["totalCount"].as_i64(), data["p"]["totalCount"].as_i64(), data["d"]["totalCount"].as_i64()),
        (Some(82), Some(57), Some(61))
    );
    for light in ["g", "y", "r"] {
        assert!(data[light]["totalCount"].as_i64().unwrap_or(0) > 0, "{light} appears: {data}");
    }
    let sum: i64 = ["g", "y", "r"].iter().map(|l| data[*l]["totalCount"].as_i64().unwrap_or(0)).sum();
    assert_eq!(sum, 200);
    for edge in data["r"]["edges"].as_array().ok_or("edges")? {
        assert_eq!(edge["node"]["health"]["light"], "RED");
        assert!(!edge["node"]["health"]["reasons"].as_array().ok_or("reasons")?.is_empty(), "a red light says why");
    }
    Ok(())
}

#[tokio::test]
async fn projects_filter_by_unit_leader_text_and_map_window() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("inspector").await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "澧水沿岸生态修复示范项目").await?;
    let q = "query($f: ProjectFilter) { projects(filter: $f, first: 100) { totalCount edges { node { id name responsibleUnit { id } leader { id } location { lat lng } industry } } } }";
    let by_unit = app.data(q, json!({ "f": { "responsibleUnitId": unit_id("发改局") } }), Some(&token)).await?;
    let edges = by_unit["projects"]["edges"].as_array().ok_or("edges")?;
    assert!(!edges.is_empty());
    assert!(edges.iter().all(|e| e["node"]["responsibleUnit"]["id"] == unit_id("发改局").as_str()));
    let by_leader = app.data(q, json!({ "f": { "leaderId": leader_id() } }), Some(&token)).await?;
    assert!(
        by_leader["projects"]["edges"]
            .as_array()
            .ok_or("edges")?
            .iter()
            .all(|e| e["node"]["leader"]["id"] == leader_id().as_str())
    );
    let text = app.data(q, json!({ "f": { "search": "生态修复" } }), Some(&token)).await?;
    assert_eq!(text["projects"]["edges"][0]["node"]["id"], id.as_str());
    let window = json!({ "south": 29.60, "west": 111.85, "north": 29.65, "east": 111.90 });
    let boxed = app.data(q, json!({ "f": { "bbox": window } }), Some(&token)).await?;
    for e in boxed["projects"]["edges"].as_array().ok_or("edges")? {
        let (lat, lng) = (
            e["node"]["location"]["lat"].as_f64().unwrap_or(0.0),
            e["node"]["location"]["lng"].as_f64().unwrap_or(0.0),
        );
        assert!((29.60..=29.65).contains(&lat) && (111.85..=111.90).contains(&lng), "{e}");
    }
    assert!(boxed["projects"]["edges"].as_array().ok_or("edges")?.iter().any(|e| e["node"]["id"] == id.as_str()));
    let combined =
        app.data(q, json!({ "f": { "industry": "FOOD", "category": "KEY_CONSTRUCTION" } }), Some(&token)).await?;
    assert!(combined["projects"]["edges"].as_array().ok_or("edges")?.iter().all(|e| e["node"]["industry"] == "FOOD"));
    let bad = app
        .gql(q, json!({ "f": { "bbox": { "south": 30, "west": 111, "north": 29, "east": 112 } } }), Some(&token))
        .await?;
    assert_eq!(error_code(&bad), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn ordered_pages_have_no_gaps_or_repeats() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let q = "query($after: String) { projects(first: 37, after: $after, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }) { edges { node { id totalInvestment } } pageInfo { hasNextPage endCursor } } }";
    let mut seen: Vec<(f64, String)> = Vec::new();
    let mut after = Value::Null;
    loop {
        let data = app.data(q, json!({ "after": after }), Some(&token)).await?;
        for e in data["projects"]["edges"].as_array().ok_or("edges")? {
            let amount: f64 = e["node"]["totalInvestment"].as_str().ok_or("amount")?.parse()?;
            seen.push((amount, e["node"]["id"].as_str().ok_or("id")?.to_owned()));
        }
        if data["projects"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = data["projects"]["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 200);
    assert!(seen.windows(2).all(|w| w[0].0 >= w[1].0), "descending by investment");
    let mut ids: Vec<&String> = seen.iter().map(|s| &s.1).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 200, "no repeats");
    Ok(())
}

const NESTED: &str = "query($n: Int) { projects(first: $n) { totalCount edges { node { id name responsibleUnit { name } leader { displayName } pairedUnits { name } plannedInvestment completedInvestment completedInvestmentTotal milestones { name daysLate } worstSlipDays health { light reasons } reports(first: 3) { period investmentThisMonth unit { name } submittedBy { username } } scheduleHistory { version } } } } }";

#[tokio::test]
async fn a_page_of_projects_costs_the_same_statements_at_any_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    // The periodic jobs at start made every light current (to note changed lights); the office's
    // rules, saved again, make them all stale, so each page below meets lights to compute.
    let admin = app.login_as("admin").await?;
    let rules = "mutation($i: HealthRulesInput!) { updateHealthRules(input: $i) { yellowGapPp } }";
    app.data(rules, json!({ "i": { "yellowGapPp": 5 } }), Some(&admin)).await?;
    let mut costs = Vec::new();
    for n in [5, 50, 100] {
        let (data, cost) = app.data_and_cost(NESTED, json!({ "n": n }), Some(&token)).await?;
        assert_eq!(data["projects"]["edges"].as_array().map(Vec::len), Some(n as usize));
        costs.push(cost);
    }
    eprintln!("statements per request: {costs:?}");
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per request depend on the page size: {costs:?}");
    // Each page above met lights not yet computed for today: read, computed (6 statements, one of
    // them the month's progress measured on site against its reports), stored.
    assert!(costs[0] <= 22, "{costs:?}");
    // Asked again, the kept lights are current: one statement reads them.
    let again = app.cost(NESTED, json!({ "n": 100 }), Some(&token)).await?;
    assert!(again + 6 <= costs[2], "kept lights are read, not computed again: {again} vs {costs:?}");
    Ok(())
}

#[tokio::test]
async fn a_pages_units_leaders_kept_lights_and_reports_cost_no_statement_of_their_own() -> TestResult {
    // Read with the page's own statement, whatever the page's size; the page's names alone are the
    // measure. (The lights were made current by the periodic jobs at start.)
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    for n in [5, 50] {
        let page = |node: &str| format!("{{ projects(first: {n}) {{ edges {{ node {{ id name {node} }} }} }} }}");
        let names = app.cost(&page(""), json!({}), Some(&token)).await?;
        for node in [
            "responsibleUnit { name }",
            "leader { displayName }",
            "responsibleUnit { id name kind } leader { username displayName role active createdAt }",
            "a: responsibleUnit { name } b: leader { displayName } health { light }",
            "reports(first: 3) { period investmentThisMonth progressPercent }",
            "reports { id period version investmentThisMonth progressPercent narrative problems submittedAt onTime }",
            "responsibleUnit { name } leader { displayName } health { light } reports(first: 3) { period }",
        ] {
            let cost = app.cost(&page(node), json!({}), Some(&token)).await?;
            assert_eq!(cost, names, "{n} projects with `{node}`: {cost} statements, the names alone {names}");
        }
        // The reports' size given by a variable is known before the page is read as well.
        let by_variable = format!(
            "query($k: Int) {{ projects(first: {n}) {{ edges {{ node {{ id name reports(first: $k) {{ period }} }} }} }} }}"
        );
        let (data, cost) = app.data_and_cost(&by_variable, json!({ "k": 2 }), Some(&token)).await?;
        assert_eq!(cost, names, "{n} projects with reports(first: $k)");
        let edges = data["projects"]["edges"].as_array().ok_or("no edges")?;
        assert!(edges.iter().any(|e| e["node"]["reports"].as_array().map(Vec::len) == Some(2)), "{data}");
    }
    Ok(())
}

/// The newest reports read with the page (by its own statement) are those the reports' loader reads
/// (two lists under aliases go through it), and reading them leaves the pages as they were: the
/// same projects, in the same order, with the same cursors, however many reports each one has (a
/// lateral join repeats a project once per report; the page counts projects).
#[tokio::test]
async fn a_pages_own_reports_are_the_loaders_and_leave_its_pages_alone() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let token = app.login_as("leader").await?;
    // A project with no report at all, and one whose single report is current.
    create(&app, &admin, "尚无月报项目").await?;
    for order in ["{ field: NAME }", "{ field: TOTAL_INVESTMENT, direction: DESC }", "{ field: CREATED_AT }"] {
        let walk = |node: &'static str| {
            let (app, token) = (&app, &token);
            async move {
                let (mut after, mut pages) = (Value::Null, Vec::new());
                loop {
                    let q = format!(
                        "query($after: String) {{ projects(first: 7, after: $after, orderBy: {order}) {{ \
                         edges {{ cursor node {{ id {node} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
                    );
                    let data = app.data(&q, json!({ "after": after }), Some(token)).await?;
                    let page = data["projects"].clone();
                    pages.push(page.clone());
                    if page["pageInfo"]["hasNextPage"] != json!(true) {
                        return TestResult::Ok(pages);
                    }
                    after = page["pageInfo"]["endCursor"].clone();
                }
            }
        };
        let bare = walk("").await?;
        let own = walk("reports(first: 3) { id period progressPercent }").await?;
        let loaded = walk("reports(first: 3) { id period progressPercent } x: reports(first: 3) { id }").await?;
        assert_eq!(own.len(), bare.len(), "{order}: as many pages");
        // The field `name` of every node of `pages`, in order.
        let each = |pages: &[Value], name: &str| -> Vec<Value> {
            pages
                .iter()
                .flat_map(|p| p["edges"].as_array().cloned().unwrap_or_default())
                .map(|e| e["node"][name].clone())
                .collect()
        };
        assert_eq!(each(&own, "id"), each(&bare, "id"), "{order}: the same projects in the same order");
        assert_eq!(each(&own, "id").len(), 201, "{order}: the whole library");
        for (own, bare) in own.iter().zip(&bare) {
            assert_eq!(own["pageInfo"], bare["pageInfo"], "{order}");
        }
        assert_eq!(each(&own, "reports"), each(&loaded, "reports"), "{order}: the page's reports are the loader's");
        let counts: Vec<usize> = each(&own, "reports").iter().map(|r| r.as_array().map_or(0, Vec::len)).collect();
        assert!(counts.contains(&0) && counts.contains(&3), "{order}: some with none, some with three: {counts:?}");
    }
    Ok(())
}

#[tokio::test]
async fn racing_updates_of_different_fields_both_survive() -> TestResult {
    // Each update reads the project and writes the whole row back; unless the row is held from the
    // read to the commit, one of two racing updates undoes the other.
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let id = create(&app, &admin, "并发修改项目").await?;
    let update = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }";
    for round in 1..=10 {
        let name = format!("并发修改项目{round}");
        let progress = format!("{round}");
        let (renamed, progressed) = tokio::join!(
            app.data(update, json!({ "id": id, "i": { "name": name } }), Some(&admin)),
            app.data(update, json!({ "id": id, "i": { "progressPercent": progress } }), Some(&owner)),
        );
        renamed?;
        progressed?;
        let seen = app
            .data("query($id: UUID!) { project(id: $id) { name progressPercent } }", json!({ "id": id }), Some(&admin))
            .await?;
        assert_eq!(
            (&seen["project"]["name"], &seen["project"]["progressPercent"]),
            (&json!(name), &json!(progress)),
            "round {round}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_demo_county_spreads_its_projects_over_every_unit_and_the_city_leaders() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    // All 55 responsible units carry projects, in shares as uneven as a county's.
    let units = app
        .data("{ units(first: 100) { edges { node { name kind projects { totalCount } } } } }", json!({}), Some(&admin))
        .await?;
    let counts: Vec<(String, i64)> = units["units"]["edges"]
        .as_array()
        .ok_or("units")?
        .iter()
        .filter(|e| !["PROJECT_OFFICE", "LEADING_GROUP"].contains(&e["node"]["kind"].as_str().unwrap_or_default()))
        .map(|e| {
            (
                e["node"]["name"].as_str().unwrap_or_default().to_owned(),
                e["node"]["projects"]["totalCount"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(counts.len(), 55);
    assert!(counts.iter().all(|(_, n)| *n >= 1), "every responsible unit carries a project: {counts:?}");
    assert_eq!(counts.iter().map(|(_, n)| n).sum::<i64>(), 200);
    let (min, max) = (counts.iter().map(|c| c.1).min(), counts.iter().map(|c| c.1).max());
    assert!(max >= min.map(|m| m + 5), "shares differ: {counts:?}");
    // The mayor links the largest construction projects; each deputy mayor one industry's projects.
    let q =
        "{ users(first: 100, filter: { role: LEADER }) { edges { node { id username projects { totalCount } } } } }";
    let leaders = app.data(q, json!({}), Some(&admin)).await?;
    let leaders = leaders["users"]["edges"].as_array().ok_or("users")?;
    let mut linked = 0;
    let mut industries_by_deputy = std::collections::BTreeMap::new();
    let of_leader =
        "query($l: UUID) { projects(first: 100, filter: { leaderId: $l }) { edges { node { industry category } } } }";
    for l in leaders {
        let node = &l["node"];
        let found = app.data(of_leader, json!({ "l": node["id"] }), Some(&admin)).await?;
        let projects = found["projects"]["edges"].as_array().ok_or("projects")?;
        let total = node["projects"]["totalCount"].as_i64().ok_or("totalCount")?;
        assert!(total < 100 && total > 0, "{} leads {total} projects", node["username"]);
        assert_eq!(projects.len() as i64, total);
        linked += total;
        let industries: std::collections::BTreeSet<&str> =
            projects.iter().filter_map(|p| p["node"]["industry"].as_str()).collect();
        let username = node["username"].as_str().unwrap_or_default();
        if username.starts_with("deputy.") {
            assert_eq!(industries.len(), 1, "{username} is linked to one industry: {industries:?}");
            let industry = industries.into_iter().next().unwrap_or_default().to_owned();
            industries_by_deputy.insert(username.to_owned(), industry);
        }
        if username == "leader" {
            assert!(
                projects.iter().all(|p| p["node"]["category"] == "KEY_CONSTRUCTION"),
                "the mayor's are the big ones"
            );
        }
    }
    assert_eq!(linked, 200, "every project has one linked leader");
    let five: std::collections::BTreeSet<&str> = industries_by_deputy.values().map(String::as_str).collect();
    assert_eq!(five, ["AUTO_PARTS", "FOOD", "PAPER", "SALT_CHEMICAL", "TEXTILE"].into_iter().collect());
    Ok(())
}
