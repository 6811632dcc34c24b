//! Integration keys: scoped, unit-narrowed, counted, rate-limited and revocable bearer credentials.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code, unit_id};

const CREATE: &str = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret key { id prefix scopes active account { username role } unit { name } } } }";

/// Makes a key as `admin` with `input` and returns (id, secret).
async fn make(app: &TestApp, admin: &str, input: Value) -> TestResult<(String, String)> {
    let data = app.data(CREATE, json!({ "i": input }), Some(admin)).await?;
    let made = &data["createIntegrationKey"];
    let secret = made["secret"].as_str().ok_or("no secret")?.to_owned();
    Ok((made["key"]["id"].as_str().ok_or("no id")?.to_owned(), secret))
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_key_reads_what_its_scopes_name_and_nothing_else() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let body = app
        .gql(CREATE, json!({ "i": { "name": "大数据局 数据交换", "scopes": ["PROJECTS_READ"] } }), Some(&admin))
        .await?;
    let made = &body["data"]["createIntegrationKey"];
    let secret = made["secret"].as_str().ok_or("no secret")?;
    assert!(secret.starts_with("kpk_") && secret.len() == 68, "{secret}");
    assert_eq!(made["key"]["prefix"], json!(&secret[..12]));
    assert_eq!(made["key"]["scopes"], json!(["PROJECTS_READ"]));
    assert_eq!(made["key"]["account"]["role"], json!("INTEGRATION"));
    assert_eq!(made["key"]["active"], json!(true));

    // What the scope names works.
    let projects =
        app.data("{ projects(first: 2) { totalCount edges { node { name } } } }", json!({}), Some(secret)).await?;
    assert_eq!(projects["projects"]["edges"].as_array().map(Vec::len), Some(2));
    assert!(app.data("{ __typename }", json!({}), Some(secret)).await.is_ok());

    // Everything else is FORBIDDEN, naming the scope that is missing, however it is reached.
    let refused = [
        ("{ issues(first: 1) { edges { node { title } } } }", "ISSUES_READ"),
        ("{ issues(first: 1) { totalCount } }", "ISSUES_READ"),
        ("query { ...F } fragment F on Query { issues(first: 1) { totalCount } }", "ISSUES_READ"),
        (
            "{ projects(first: 1) { edges { node { ... on Project { issues(first: 1) { totalCount } } } } } }",
            "ISSUES_READ",
        ),
        ("{ projects(first: 1) { edges { node { responsibleUnit { name } } } } }", "DIRECTORY_READ"),
        ("{ me { id } }", "DIRECTORY_READ"),
        ("{ photos(first: 1) { totalCount } }", "PHOTOS_READ"),
        ("{ auditEvents(first: 1) { totalCount } }", "CHANGES_READ"),
        ("mutation { closeIssue(id: \"00000000-0000-0000-0000-000000000000\") { status } }", "ISSUES_WRITE"),
    ];
    for (query, scope) in refused {
        let body = app.gql(query, json!({}), Some(secret)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}: {body}");
        assert!(message(&body).contains(scope), "{query}: {body}");
        assert!(body["data"].is_null() || body.get("data").is_none(), "nothing runs: {body}");
    }
    // What only people do is refused to every key.
    let body = app.gql(CREATE, json!({ "i": { "name": "x", "scopes": ["PROJECTS_READ"] } }), Some(secret)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app.gql("{ integrationKeys { totalCount } }", json!({}), Some(secret)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // A write scope includes reading its domain; the key that holds it may run its mutations
    // (within what its account may do: an un-narrowed key is an INTEGRATION account, which closes
    // nothing, so the workflow refuses it as it would refuse such a user).
    let (_, writer) = make(&app, &admin, json!({ "name": "w", "scopes": ["ISSUES_WRITE"] })).await?;
    assert!(app.data("{ issues(first: 1) { totalCount } }", json!({}), Some(&writer)).await.is_ok());
    let body = app
        .gql(
            "mutation { closeIssue(id: \"00000000-0000-0000-0000-000000000000\") { status } }",
            json!({}),
            Some(&writer),
        )
        .await?;
    assert_ne!(error_code(&body), Some("FORBIDDEN").filter(|_| message(&body).contains("scope")), "{body}");
    Ok(())
}

#[tokio::test]
async fn revoked_expired_and_unknown_keys_are_refused_at_once_on_every_instance() -> TestResult {
    let app = TestApp::spawn().await?;
    let other = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    let admin = app.login_as("admin").await?;
    let (id, secret) = make(&app, &admin, json!({ "name": "省投资项目平台", "scopes": ["PROJECTS_READ"] })).await?;
    let read = "{ projects(first: 1) { totalCount } }";
    assert!(other.data(read, json!({}), Some(&secret)).await.is_ok());

    let revoked = app
        .data(
            "mutation($id: UUID!) { revokeIntegrationKey(id: $id) { active revokedAt } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await?;
    assert_eq!(revoked["revokeIntegrationKey"]["active"], json!(false));
    for server in [&app, &other] {
        let response = server.post(json!({ "query": read }), Some(&secret)).await?;
        assert_eq!(response.status().as_u16(), 401);
        let body: Value = response.json().await?;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }

    // Expiry needs no action: the key stops working when its time is up.
    let soon = (chrono::Utc::now() + chrono::Duration::milliseconds(1500)).to_rfc3339();
    let (_, brief) =
        make(&app, &admin, json!({ "name": "临时", "scopes": ["PROJECTS_READ"], "expiresAt": soon })).await?;
    assert!(app.data(read, json!({}), Some(&brief)).await.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    assert_eq!(error_code(&app.gql(read, json!({}), Some(&brief)).await?), Some("UNAUTHENTICATED"));

    // Anything that only looks like a key is refused alike, without a lookup's worth of difference.
    let mut forged = brief.clone();
    forged.replace_range(20..21, if &brief[20..21] == "a" { "b" } else { "a" });
    for token in [forged.as_str(), "kpk_", "kpk_zz", &format!("{secret}0")] {
        assert_eq!(error_code(&app.gql(read, json!({}), Some(token)).await?), Some("UNAUTHENTICATED"), "{token}");
    }
    // Signing in still works with a refused key in the header.
    assert!(
        app.data(
            "mutation { login(username: \"admin\", password: \"demo-2026\") { token } }",
            json!({}),
            Some(&secret)
        )
        .await
        .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn keys_count_their_use_and_keep_their_own_rate_limit() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let (id, secret) =
        make(&app, &admin, json!({ "name": "施工单位", "scopes": ["PROJECTS_READ"], "rateLimitPerMinute": 3 })).await?;
    let (_, other) = make(&app, &admin, json!({ "name": "其他", "scopes": ["PROJECTS_READ"] })).await?;
    let read = "{ projects(first: 1) { totalCount } }";
    for _ in 0..3 {
        assert!(app.data(read, json!({}), Some(&secret)).await.is_ok());
    }
    let response = app.post(json!({ "query": read }), Some(&secret)).await?;
    assert_eq!(response.status().as_u16(), 429);
    assert!(response.headers().get("retry-after").is_some());
    let body: Value = response.json().await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    assert!(body["errors"][0]["extensions"]["retryAfterSecs"].as_i64().is_some_and(|s| s >= 1), "{body}");
    // Another key's allowance is its own.
    assert!(app.data(read, json!({}), Some(&other)).await.is_ok());

    // Uses are written every second, not on each request.
    let list = "{ integrationKeys(first: 10) { totalCount edges { node { id name requestCount lastUsedAt createdBy { username } } } } }";
    let started = std::time::Instant::now();
    let listed = loop {
        let listed = app.data(list, json!({}), Some(&admin)).await?;
        let counted = listed["integrationKeys"]["edges"].as_array().is_some_and(|keys| {
            keys.iter().any(|k| k["node"]["id"] == json!(id) && k["node"]["requestCount"] == json!(4))
        });
        if counted || started.elapsed() > std::time::Duration::from_secs(5) {
            break listed;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let keys = listed["integrationKeys"]["edges"].as_array().ok_or("no keys")?;
    assert_eq!(listed["integrationKeys"]["totalCount"], json!(2));
    assert_eq!(keys[0]["node"]["name"], json!("其他"), "newest first");
    let mine = keys.iter().find(|k| k["node"]["id"] == json!(id)).ok_or("key missing")?;
    assert_eq!(mine["node"]["requestCount"], json!(4), "every request counts, the refused one too");
    assert!(mine["node"]["lastUsedAt"].is_string());
    assert_eq!(mine["node"]["createdBy"]["username"], json!("admin"));
    Ok(())
}

#[tokio::test]
async fn a_key_narrowed_to_a_unit_sees_and_does_what_that_unit_may() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let input = json!({ "name": "自然资源局 系统", "scopes": ["ISSUES_READ", "DIRECTORY_READ"], "unitIds": [unit_id("自然资源局")] });
    let made = app.data(CREATE, json!({ "i": input }), Some(&admin)).await?;
    let key = &made["createIntegrationKey"];
    assert_eq!(key["key"]["account"]["role"], json!("DEPARTMENT"));
    assert_eq!(key["key"]["unit"]["name"], json!("自然资源局"));
    let secret = key["secret"].as_str().ok_or("no secret")?;
    let (_, everything) = make(&app, &admin, json!({ "name": "全部", "scopes": ["ISSUES_READ"] })).await?;

    let issues = "{ issues(first: 100) { totalCount edges { node { id } } } }";
    let unit_sees = app.data(issues, json!({}), Some(&zrzyj)).await?;
    let key_sees = app.data(issues, json!({}), Some(secret)).await?;
    let all = app.data(issues, json!({}), Some(&everything)).await?;
    assert_eq!(key_sees, unit_sees, "the narrowed key sees exactly what the unit's users see");
    let (narrow, wide) = (unit_sees["issues"]["totalCount"].as_i64(), all["issues"]["totalCount"].as_i64());
    assert!(narrow < wide && narrow > Some(0), "{narrow:?} of {wide:?}");
    // What the key does is recorded as done by its own account.
    let me = app.data("{ me { username role unit { name } } }", json!({}), Some(secret)).await?;
    assert_eq!(me["me"]["role"], json!("DEPARTMENT"));
    assert!(me["me"]["username"].as_str().is_some_and(|u| u.starts_with("key-")));
    Ok(())
}

#[tokio::test]
async fn a_key_narrowed_to_several_units_sees_what_a_user_of_any_of_them_may() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let units = [unit_id("自然资源局"), unit_id("生态环境局")];
    let input = json!({ "name": "两局共用", "scopes": ["ISSUES_READ", "DIRECTORY_READ"], "unitIds": units });
    let q = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret key { units { name } } } }";
    let made = app.data(q, json!({ "i": input }), Some(&admin)).await?;
    let mut names: Vec<&str> = made["createIntegrationKey"]["key"]["units"]
        .as_array()
        .ok_or("units")?
        .iter()
        .filter_map(|u| u["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["生态环境局", "自然资源局"]);
    let secret = made["createIntegrationKey"]["secret"].as_str().ok_or("secret")?;
    let ids = |data: &Value| -> std::collections::BTreeSet<String> {
        data["issues"]["edges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect()
    };
    let issues = "{ issues(first: 100) { edges { node { id } } } }";
    let zrzyj = ids(&app.data(issues, json!({}), Some(&app.login_as("zrzyj").await?)).await?);
    let sthjj = ids(&app.data(issues, json!({}), Some(&app.login_as("sthjj").await?)).await?);
    let key = ids(&app.data(issues, json!({}), Some(secret)).await?);
    let both: std::collections::BTreeSet<String> = zrzyj.union(&sthjj).cloned().collect();
    assert_eq!(key, both, "the key sees what either unit sees, and nothing else");
    assert!(key.len() > zrzyj.len().max(sthjj.len()), "more than either alone");
    Ok(())
}

#[tokio::test]
async fn only_admin_makes_keys_and_bad_input_is_refused_before_anything_is_stored() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let leader = app.login_as("leader").await?;
    let fine = json!({ "name": "ok", "scopes": ["PROJECTS_READ"] });
    assert_eq!(error_code(&app.gql(CREATE, json!({ "i": fine }), Some(&leader)).await?), Some("FORBIDDEN"));
    assert_eq!(error_code(&app.gql(CREATE, json!({ "i": fine }), None).await?), Some("UNAUTHENTICATED"));
    let past = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let nine =
        ["交通运输局", "人社局", "住建局", "公安局", "农业农村局", "医保局", "卫健局", "发改局", "司法局"].map(unit_id);
    let bad = [
        json!({ "name": "", "scopes": ["PROJECTS_READ"] }),
        json!({ "name": "x".repeat(101), "scopes": ["PROJECTS_READ"] }),
        json!({ "name": "x", "scopes": [] }),
        json!({ "name": "x", "scopes": ["PROJECTS_READ"], "unitIds": nine }),
        json!({ "name": "x", "scopes": ["PROJECTS_READ"], "unitIds": ["00000000-0000-0000-0000-000000000000"] }),
        json!({ "name": "x", "scopes": ["PROJECTS_READ"], "expiresAt": past }),
        json!({ "name": "x", "scopes": ["PROJECTS_READ"], "rateLimitPerMinute": 0 }),
        json!({ "name": "x", "scopes": ["PROJECTS_READ"], "rateLimitPerMinute": 1000001 }),
    ];
    for input in bad {
        let body = app.gql(CREATE, json!({ "i": input }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
    }
    let body = app.gql("{ integrationKeys { totalCount } }", json!({}), Some(&admin)).await?;
    assert_eq!(body["data"]["integrationKeys"]["totalCount"], json!(0), "{body}");
    let body = app
        .gql(
            "mutation($id: UUID!) { revokeIntegrationKey(id: $id) { id } }",
            json!({ "id": uuid::Uuid::nil() }),
            Some(&admin),
        )
        .await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    Ok(())
}

/// Every type and mutation of the schema is classified for keys, so a new domain cannot be read or
/// changed with a key by having been forgotten.
#[test]
fn every_type_and_mutation_is_classified_for_keys() {
    use api::graphql::scopes::{PEOPLE_ONLY, TypeMap, access, mutation_scope};
    let map = TypeMap::from_sdl(&api::graphql::sdl());
    let unclassified: Vec<&str> = map.type_names().filter(|t| !t.starts_with("__") && access(t).is_none()).collect();
    assert!(unclassified.is_empty(), "types no key rule covers: {unclassified:?}");
    let mutations = map.fields_of("Mutation");
    assert!(mutations.len() > 30, "{mutations:?}");
    let loose: Vec<&str> =
        mutations.into_iter().filter(|m| mutation_scope(m).is_none() && !PEOPLE_ONLY.contains(m)).collect();
    assert!(loose.is_empty(), "mutations neither scoped nor for people only: {loose:?}");
}
