//! Users and units: who may manage them, validation, pagination, and no N+1.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { id username displayName role active unit { name } } }";

fn new_user(username: &str) -> serde_json::Value {
    json!({ "input": {
        "username": username, "displayName": "孙工（住建局）", "password": "a-good-password",
        "role": "DEPARTMENT", "unitId": unit_id("住建局"),
    }})
}

#[tokio::test]
async fn admin_creates_a_user_who_can_sign_in() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let data = app.data(CREATE, new_user("Sun.Gong"), Some(&admin)).await?;
    let user = &data["createUser"];
    assert_eq!(user["username"], "sun.gong");
    assert_eq!(user["role"], "DEPARTMENT");
    assert_eq!(user["active"], true);
    assert_eq!(user["unit"]["name"], "住建局");
    app.login("sun.gong", "a-good-password").await?;
    Ok(())
}

#[tokio::test]
async fn create_user_rejects_bad_input_naming_the_field() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let cases = [
        ("username", json!({ "username": "x" })),
        ("username", json!({ "username": "有中文" })),
        ("displayName", json!({ "displayName": "   " })),
        ("password", json!({ "password": "short" })),
        ("unitId", json!({ "unitId": uuid::Uuid::new_v4().to_string() })),
    ];
    for (field, change) in cases {
        let mut vars = new_user("valid.name");
        for (k, v) in change.as_object().ok_or("object")? {
            vars["input"][k] = v.clone();
        }
        let body = app.gql(CREATE, vars, Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{field}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Not a UUID at all: GraphQL's own coercion, still a client error.
    let mut vars = new_user("valid.name");
    vars["input"]["unitId"] = json!("not-a-uuid");
    assert_eq!(error_code(&app.gql(CREATE, vars, Some(&admin)).await?), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn a_taken_username_is_a_conflict_and_changes_nothing() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let body = app.gql(CREATE, new_user("FGJ"), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("fgj"));
    // The existing account still has its password.
    app.login_as("fgj").await?;
    Ok(())
}

#[tokio::test]
async fn only_admin_manages_and_lists_accounts() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin_id = api::seed::demo::demo_id("user", "admin").to_string();
    for who in ["leader", "fgj", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(CREATE, new_user("someone.new"), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} createUser: {body}");
        let body = app.gql("{ users { totalCount } }", json!({}), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} users: {body}");
        let body = app
            .gql("mutation($id: UUID!) { deactivateUser(id: $id) { id } }", json!({ "id": admin_id }), Some(&token))
            .await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} deactivateUser: {body}");
        let body =
            app.gql("query($id: UUID!) { user(id: $id) { id } }", json!({ "id": admin_id }), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who} user: {body}");
        // Their own account and the organisation chart are readable.
        let me = app.data("{ me { id } }", json!({}), Some(&token)).await?;
        app.data("query($id: UUID!) { user(id: $id) { username } }", json!({ "id": me["me"]["id"] }), Some(&token))
            .await?;
        app.data("{ units(first: 1) { totalCount } }", json!({}), Some(&token)).await?;
    }
    let body = app.gql(CREATE, new_user("someone.new"), None).await?;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    Ok(())
}

#[tokio::test]
async fn nobody_deactivates_themselves_and_unknown_ids_are_not_found() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "mutation($id: UUID!) { deactivateUser(id: $id) { id } }";
    let own = api::seed::demo::demo_id("user", "admin").to_string();
    assert_eq!(error_code(&app.gql(q, json!({ "id": own }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_eq!(error_code(&app.gql(q, json!({ "id": unknown }), Some(&admin)).await?), Some("NOT_FOUND"));
    Ok(())
}

#[tokio::test]
async fn users_page_through_without_gaps_or_repeats() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "query($after: String) { users(first: 3, after: $after) { totalCount edges { cursor node { username } } pageInfo { hasNextPage hasPreviousPage endCursor } } }";
    let mut seen = Vec::new();
    let mut after = serde_json::Value::Null;
    loop {
        let data = app.data(q, json!({ "after": after }), Some(&admin)).await?;
        let page = &data["users"];
        assert_eq!(page["totalCount"], api::seed::demo::USERS.len());
        assert_eq!(page["pageInfo"]["hasPreviousPage"], !after.is_null());
        for edge in page["edges"].as_array().ok_or("edges")? {
            seen.push(edge["node"]["username"].as_str().ok_or("username")?.to_owned());
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(seen, sorted, "ordered by username, no repeats");
    assert_eq!(seen.len(), api::seed::demo::USERS.len());
    let body = app.gql(q, json!({ "after": "not-a-cursor" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");
    Ok(())
}

#[tokio::test]
async fn units_filter_by_kind_and_name() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("inspector").await?;
    let data = app
        .data(
            "{ all: units { totalCount } towns: units(filter: { kind: TOWNSHIP }, first: 100) { totalCount edges { node { kind } } } targets: units(filter: { hasFundingTargets: true }) { totalCount } land: units(filter: { search: \"自然资源\" }) { edges { node { name } } } }",
            json!({}),
            Some(&token),
        )
        .await?;
    assert_eq!(data["all"]["totalCount"], 57);
    assert_eq!(data["towns"]["totalCount"], 9);
    assert!(data["towns"]["edges"].as_array().ok_or("edges")?.iter().all(|e| e["node"]["kind"] == "TOWNSHIP"));
    assert_eq!(data["targets"]["totalCount"], 45);
    assert_eq!(data["land"]["edges"][0]["node"]["name"], "自然资源局");
    Ok(())
}

#[tokio::test]
async fn a_users_unit_is_batched_whatever_the_page_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "query($n: Int) { users(first: $n) { edges { node { username unit { name kind } } } } }";
    let mut costs = Vec::new();
    for n in [1, 4, 8] {
        costs.push(app.cost(q, json!({ "n": n }), Some(&admin)).await?);
    }
    // Authentication (1) + the page (1) + all units in one batch (1).
    assert_eq!(costs, vec![3, 3, 3]);
    Ok(())
}

#[tokio::test]
async fn a_unit_records_its_head_from_its_own_accounts() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let me = "{ me { id unit { id } } }";
    let zrzyj = app.login_as("zrzyj").await?;
    let who = app.data(me, json!({}), Some(&zrzyj)).await?;
    let (user, unit) = (who["me"]["id"].clone(), who["me"]["unit"]["id"].clone());
    let set = "mutation($u: UUID!, $h: UUID) { setUnitHead(unitId: $u, userId: $h) { name head { username } } }";
    let body = app.gql(set, json!({ "u": unit, "h": user }), Some(&zrzyj)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "the office records heads: {body}");
    let data = app.data(set, json!({ "u": unit, "h": user }), Some(&admin)).await?;
    assert_eq!(data["setUnitHead"]["head"]["username"], "zrzyj");
    // Someone of another unit cannot be this unit's head.
    let other = app.data(me, json!({}), Some(&app.login_as("fgj").await?)).await?["me"]["id"].clone();
    let body = app.gql(set, json!({ "u": unit, "h": other }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "userId", "{body}");
    // The list shows heads (one statement for all of them), and clearing works.
    let listed = app
        .data("{ units(first: 100) { edges { node { name head { username } } } } }", json!({}), Some(&admin))
        .await?;
    let heads: Vec<&Value> =
        listed["units"]["edges"].as_array().ok_or("edges")?.iter().filter(|e| !e["node"]["head"].is_null()).collect();
    assert_eq!(heads.len(), 1, "{listed}");
    let cleared = app.data(set, json!({ "u": unit, "h": null }), Some(&admin)).await?;
    assert!(cleared["setUnitHead"]["head"].is_null());
    Ok(())
}
