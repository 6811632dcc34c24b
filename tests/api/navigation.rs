//! Graph navigation: a project reaches its issues, cases, inspections and photos, a unit and a leader
//! their projects. Each nested list is the root list narrowed to its parent (same filters, same
//! visibility, same order and cursors), and a page of parents costs the same statements whatever its
//! size.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code};
use crate::photos::{input, jpeg, upload};

/// The ids on a connection's page, in order.
fn ids(connection: &Value) -> Vec<String> {
    connection["edges"]
        .as_array()
        .map(|edges| edges.iter().filter_map(|e| e["node"]["id"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The first `n` projects' ids, by name.
async fn project_ids(app: &TestApp, token: &str, n: usize) -> TestResult<Vec<String>> {
    let data = app
        .data("query($n: Int) { projects(first: $n) { edges { node { id } } } }", json!({ "n": n }), Some(token))
        .await?;
    Ok(ids(&data["projects"]))
}

/// For each project, its nested `field` list (with `filter`) against the root list filtered to it:
/// the same page, the same count, the same next page. Returns the counts seen, per project.
async fn nested_matches_root(
    app: &TestApp,
    token: &str,
    projects: &[String],
    field: &str,
    filter: Value,
) -> TestResult<Vec<i64>> {
    let nested = format!(
        "query($id: UUID!, $f: {ty}Filter, $after: String) {{ project(id: $id) {{ {field}(filter: $f, first: 2, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }} }}",
        ty = type_of(field)
    );
    let root = format!(
        "query($f: {ty}Filter, $after: String) {{ {field}(filter: $f, first: 2, after: $after) {{ totalCount pageInfo {{ hasNextPage endCursor }} edges {{ node {{ id }} }} }} }}",
        ty = type_of(field)
    );
    let mut counts = Vec::new();
    for project in projects {
        let mut rooted = filter.clone();
        rooted["projectId"] = json!(project);
        let (mut after_nested, mut after_root) = (Value::Null, Value::Null);
        // Two pages each way: the nested cursor continues the nested list exactly as the root's does.
        for _ in 0..2 {
            let n =
                app.data(&nested, json!({ "id": project, "f": filter, "after": after_nested }), Some(token)).await?;
            let r = app.data(&root, json!({ "f": rooted, "after": after_root }), Some(token)).await?;
            let (n, r) = (&n["project"][field], &r[field]);
            assert_eq!(ids(n), ids(r), "{field} of {project} with {filter}: {n} vs {r}");
            assert_eq!(n["totalCount"], r["totalCount"], "{field} of {project}");
            assert_eq!(n["pageInfo"]["hasNextPage"], r["pageInfo"]["hasNextPage"]);
            if counts.len() < projects.len() && after_nested.is_null() {
                counts.push(n["totalCount"].as_i64().ok_or("totalCount")?);
            }
            if n["pageInfo"]["hasNextPage"] != json!(true) {
                break;
            }
            (after_nested, after_root) = (n["pageInfo"]["endCursor"].clone(), r["pageInfo"]["endCursor"].clone());
        }
    }
    Ok(counts)
}

fn type_of(field: &str) -> &'static str {
    match field {
        "issues" => "Issue",
        "cases" => "Case",
        "inspections" => "Inspection",
        _ => "Photo",
    }
}

/// Photos on the first two projects, so that every nested list has rows to compare.
async fn photograph(app: &TestApp, projects: &[String]) -> TestResult {
    let inspector = app.login_as("inspector").await?;
    for (k, project) in projects.iter().take(2).enumerate() {
        for shade in 0..3 {
            let body = upload(app, &inspector, &input(project), "site.jpg", jpeg(32, 24, shade * 40 + k as u8)).await?;
            assert!(body.get("errors").is_none(), "{body}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_project_reaches_what_the_root_lists_show_of_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let projects = project_ids(&app, &admin, 30).await?;
    photograph(&app, &projects).await?;
    for field in ["issues", "cases", "inspections", "photos"] {
        let counts = nested_matches_root(&app, &admin, &projects, field, json!({})).await?;
        assert!(counts.iter().any(|n| *n > 0), "the demo county gives some of these projects {field}: {counts:?}");
    }
    // Filters mean what they mean at the root.
    nested_matches_root(&app, &admin, &projects, "issues", json!({ "status": "ASSIGNED" })).await?;
    nested_matches_root(&app, &admin, &projects, "issues", json!({ "overdue": true })).await?;
    nested_matches_root(&app, &admin, &projects, "cases", json!({ "status": "OPEN" })).await?;
    nested_matches_root(&app, &admin, &projects, "inspections", json!({ "allRevisions": true })).await?;
    Ok(())
}

#[tokio::test]
async fn a_department_sees_under_a_project_what_it_sees_at_the_root() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let projects = project_ids(&app, &admin, 30).await?;
    photograph(&app, &projects).await?;
    for unit in ["sthjj", "fgj"] {
        let department = app.login_as(unit).await?;
        for field in ["issues", "cases", "inspections", "photos"] {
            let seen = nested_matches_root(&app, &department, &projects, field, json!({})).await?;
            let all = nested_matches_root(&app, &admin, &projects, field, json!({})).await?;
            assert!(seen.iter().zip(&all).all(|(s, a)| s <= a), "{unit} {field}: {seen:?} ⊄ {all:?}");
            if field == "issues" {
                assert!(seen.iter().zip(&all).any(|(s, a)| s < a), "{unit} misses some issues: {seen:?} {all:?}");
            }
        }
    }
    Ok(())
}

#[tokio::test]
async fn a_page_of_projects_with_their_lists_costs_the_same_at_every_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    photograph(&app, &project_ids(&app, &admin, 2).await?).await?;
    let q = "query($n: Int) { projects(first: $n) { edges { node { id
        land: issues(first: 1, filter: { kind: LAND_ACQUISITION }) { edges { node { id } } }
        issues(first: 3) { totalCount pageInfo { hasNextPage } edges { node { id title assignedUnit { name } reporter { username } project { name } } } }
        open: issues(first: 1, filter: { status: ASSIGNED }) { edges { node { id } } }
        cases(first: 2) { totalCount edges { node { id leadUnit { name } measures { ownerUnit { name } } } } }
        inspections(first: 2) { edges { node { id inspector { username } } } }
        photos(first: 2) { totalCount edges { node { id } } } } } } }";
    let mut costs = Vec::new();
    // From 30 projects on, every nested list has rows on the page (and so something to prefetch).
    for n in [30, 40, 50] {
        let (data, cost) = app.data_and_cost(q, json!({ "n": n }), Some(&admin)).await?;
        costs.push(cost);
        let edges = data["projects"]["edges"].as_array().ok_or("edges")?;
        assert_eq!(edges.len(), n);
        for list in ["issues", "cases", "inspections", "photos"] {
            let with_rows = edges.iter().filter(|e| !ids(&e["node"][list]).is_empty()).count();
            assert!(with_rows >= 1, "some of {n} projects show {list}");
        }
    }
    eprintln!("statements per request (30, 40, 50 projects): {costs:?}");
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements per request depend on the page size: {costs:?}");
    // One project alone costs no more per row either.
    let one = "query($id: UUID!, $n: Int) { project(id: $id) { issues(first: $n) { totalCount edges { node { assignedUnit { name } reporter { username } } } } } }";
    let busiest = busy_project(&app, &admin, 5).await?;
    let mut costs = Vec::new();
    for n in [1, 5] {
        let (data, cost) = app.data_and_cost(one, json!({ "id": busiest, "n": n }), Some(&admin)).await?;
        costs.push(cost);
        assert_eq!(data["project"]["issues"]["edges"].as_array().map(Vec::len), Some(n));
    }
    assert_eq!(costs[0], costs[1], "one project's issues cost the same at every page size: {costs:?}");
    Ok(())
}

/// A project with `n` issues more than the demo gave it.
async fn busy_project(app: &TestApp, token: &str, n: usize) -> TestResult<String> {
    let project = project_ids(app, token, 1).await?.pop().ok_or("no projects")?;
    for _ in 0..n {
        crate::issues::raise(app, token, &project).await?;
    }
    Ok(project)
}

#[tokio::test]
async fn units_and_leaders_reach_their_projects() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let total = app.data("{ projects { totalCount } }", json!({}), Some(&admin)).await?["projects"]["totalCount"]
        .as_i64()
        .ok_or("totalCount")?;
    // Every project hangs under exactly one responsible unit and one leader.
    let by_unit = "query($n: Int) { units(first: $n) { edges { node { id projects(first: 3, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }) { totalCount edges { node { id responsibleUnit { id } leader { username } } } } } } } }";
    let by_leader = "query($n: Int) { users(first: $n, filter: { role: LEADER }) { edges { node { id projects(first: 3) { totalCount edges { node { id leader { id } } } } } } } }";
    for (q, list, parent) in [(by_unit, "units", "responsibleUnit"), (by_leader, "users", "leader")] {
        let mut costs = Vec::new();
        for n in [5, 100] {
            let (data, cost) = app.data_and_cost(q, json!({ "n": n }), Some(&admin)).await?;
            costs.push(cost);
            let edges = data[list]["edges"].as_array().ok_or("edges")?;
            for e in edges {
                for p in e["node"]["projects"]["edges"].as_array().ok_or("projects")? {
                    assert_eq!(p["node"][parent]["id"], e["node"]["id"], "{p}");
                }
            }
            if n == 100 {
                let sum: i64 = edges.iter().filter_map(|e| e["node"]["projects"]["totalCount"].as_i64()).sum();
                assert_eq!(sum, total, "every project is under one of the {list}");
            }
        }
        assert_eq!(costs[0], costs[1], "{list}' projects cost the same at every page size: {costs:?}");
    }
    // A unit's list pages and orders like the root list narrowed to it.
    let units = app
        .data("{ units(first: 100) { edges { node { id projects { totalCount } } } } }", json!({}), Some(&admin))
        .await?;
    let unit = units["units"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .max_by_key(|e| e["node"]["projects"]["totalCount"].as_i64())
        .ok_or("units")?["node"]["id"]
        .clone();
    let nested = "query($u: UUID!, $after: String) { unit(id: $u) { projects(first: 2, after: $after, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }, filter: { status: UNDER_CONSTRUCTION }) { pageInfo { endCursor } edges { node { id } } } } }";
    let root = "query($u: UUID!, $after: String) { projects(first: 2, after: $after, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }, filter: { status: UNDER_CONSTRUCTION, responsibleUnitId: $u }) { pageInfo { endCursor } edges { node { id } } } }";
    let (mut a, mut b) = (Value::Null, Value::Null);
    for _ in 0..2 {
        let n = app.data(nested, json!({ "u": unit, "after": a }), Some(&admin)).await?;
        let r = app.data(root, json!({ "u": unit, "after": b }), Some(&admin)).await?;
        assert_eq!(ids(&n["unit"]["projects"]), ids(&r["projects"]));
        (a, b) =
            (n["unit"]["projects"]["pageInfo"]["endCursor"].clone(), r["projects"]["pageInfo"]["endCursor"].clone());
    }
    // The light filter, with its count, as at the root.
    for light in ["GREEN", "YELLOW", "RED"] {
        let nested = "query($u: UUID!, $l: Light) { unit(id: $u) { projects(first: 100, filter: { light: $l }) { totalCount edges { node { id } } } } }";
        let root = "query($u: UUID!, $l: Light) { projects(first: 100, filter: { light: $l, responsibleUnitId: $u }) { totalCount edges { node { id } } } }";
        let n = app.data(nested, json!({ "u": unit, "l": light }), Some(&admin)).await?;
        let r = app.data(root, json!({ "u": unit, "l": light }), Some(&admin)).await?;
        assert_eq!(ids(&n["unit"]["projects"]), ids(&r["projects"]), "{light}");
        assert_eq!(n["unit"]["projects"]["totalCount"], r["projects"]["totalCount"], "{light}");
    }
    Ok(())
}

#[tokio::test]
async fn bad_arguments_of_a_nested_list_are_refused_where_they_were_given() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    for args in ["first: 101", "first: -1", "after: \"zz\"", "after: \"41\"", "filter: { search: \"\" }"] {
        for q in [
            format!(
                "{{ projects(first: 3) {{ edges {{ node {{ issues({args}) {{ edges {{ node {{ id }} }} }} }} }} }} }}"
            ),
            format!(
                "{{ units(first: 3) {{ edges {{ node {{ projects({args}) {{ edges {{ node {{ id }} }} }} }} }} }} }}"
            ),
        ] {
            let body = app.gql(&q, json!({}), Some(&admin)).await?;
            if args.starts_with("filter") {
                assert!(body.get("errors").is_none(), "an empty search matches all: {body}");
                continue;
            }
            assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{args}: {body}");
            let path = &body["errors"][0]["path"];
            assert!(path.as_array().is_some_and(|p| p.len() >= 4), "the error names the nested field: {body}");
        }
    }
    // Too wide a tree (100 projects × 100 issues) is refused before any of it runs.
    let wide = "{ projects(first: 100) { edges { node { issues(first: 100) { edges { node { title } } } } } } }";
    let body = app.gql(wide, json!({}), Some(&admin)).await?;
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("too complex")), "{body}");
    Ok(())
}

/// Every edge's cursor continues its list right after that edge, at the root and in a nested list,
/// however the cursor is asked for (directly, under an alias, through fragments); a page that shows
/// no edge cursors still tells where it starts and ends.
#[tokio::test]
async fn every_cursor_a_page_shows_continues_its_list_from_there() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let busy = busy_project(&app, &admin, 6).await?;
    let lists = [
        ("{ projects(first: 6) { SEL } }".to_owned(), "ProjectConnection"),
        (format!(r#"{{ project(id: "{busy}") {{ issues(first: 6) {{ SEL }} }} }}"#), "IssueConnection"),
    ];
    let at = |data: &Value| {
        if data["projects"].is_null() { data["project"]["issues"].clone() } else { data["projects"].clone() }
    };
    for (list, connection) in lists {
        let shown = |sel: &str| list.replace("SEL", sel);
        let direct = at(&app
            .data(&shown("edges { cursor node { id } } pageInfo { startCursor endCursor }"), json!({}), Some(&admin))
            .await?);
        let edges = direct["edges"].as_array().ok_or("edges")?;
        assert!(edges.len() >= 4, "{list}: {direct}");
        let cursors: Vec<&str> = edges.iter().map(|e| e["cursor"].as_str().unwrap_or_default()).collect();
        assert!(cursors.iter().all(|c| !c.is_empty()), "{cursors:?}");
        assert_eq!(direct["pageInfo"]["startCursor"].as_str(), cursors.first().copied());
        assert_eq!(direct["pageInfo"]["endCursor"].as_str(), cursors.last().copied());
        for (i, cursor) in cursors.iter().enumerate().take(edges.len() - 1) {
            let next = list
                .replace("first: 6", &format!(r#"first: 1, after: "{cursor}""#))
                .replace("SEL", "edges { node { id } }");
            let next = at(&app.data(&next, json!({}), Some(&admin)).await?);
            assert_eq!(next["edges"][0]["node"]["id"], edges[i + 1]["node"]["id"], "after edge {i} of {list}");
        }
        let fragments = format!(
            "{} fragment Page on {connection} {{ edges {{ ...Edge }} }} fragment Edge on {} {{ ... {{ at: cursor }} }}",
            shown("...Page"),
            connection.replace("Connection", "Edge")
        );
        let aliased = at(&app.data(&fragments, json!({}), Some(&admin)).await?);
        let again: Vec<&str> =
            aliased["edges"].as_array().ok_or("edges")?.iter().map(|e| e["at"].as_str().unwrap_or_default()).collect();
        assert_eq!(again, cursors, "{fragments}");
        let ends = at(&app
            .data(&shown("edges { node { id } } pageInfo { startCursor endCursor }"), json!({}), Some(&admin))
            .await?);
        assert_eq!(ends["pageInfo"], direct["pageInfo"], "{list}");
    }
    Ok(())
}
