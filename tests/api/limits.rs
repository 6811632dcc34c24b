//! Guard rails: each excess is a clear client error, never a 500.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code};

#[tokio::test]
async fn an_over_deep_query_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let mut q = String::from("name");
    for _ in 0..20 {
        q = format!("ofType {{ {q} }}");
    }
    let body =
        app.gql(&format!("{{ __schema {{ types {{ fields {{ type {{ {q} }} }} }} }} }}"), json!({}), None).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("nested too deep"), "{body}");
    Ok(())
}

#[tokio::test]
async fn graphiql_introspection_still_fits_the_limits() -> TestResult {
    let app = TestApp::spawn().await?;
    let q = "query { __schema { types { kind name fields(includeDeprecated: true) { name args { name type { ...T } } type { ...T } } } } }
             fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
    app.data(q, json!({}), None).await?;
    Ok(())
}

#[tokio::test]
async fn an_over_complex_query_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let page = "users(first: 100) { edges { cursor node { id username displayName role active createdAt unit { id name kind hasFundingTargets } } } }";
    let aliased: String = (0..6).map(|i| format!("a{i}: {page} ")).collect();
    let body = app.gql(&format!("{{ {aliased} }}"), json!({}), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("complex"), "{body}");
    // One such page is an everyday admin query and passes.
    app.data(&format!("{{ {page} }}"), json!({}), Some(&admin)).await?;
    Ok(())
}

#[tokio::test]
async fn too_many_aliases_or_root_fields_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let body = app.gql(&format!("{{ {aliases} }}"), json!({}), None).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("aliases"));
    // Root fields hidden in a fragment count too.
    let fields: String = (0..21).map(|_| "__typename ").collect();
    let body = app.gql(&format!("query {{ ...F }} fragment F on Query {{ {fields} }}"), json!({}), None).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap_or_default().contains("root fields"));
    Ok(())
}

#[tokio::test]
async fn batches_hold_at_most_ten_operations() -> TestResult {
    let app = TestApp::spawn().await?;
    let op = json!({ "query": "{ __typename }" });
    let ten = Value::Array(vec![op.clone(); 10]);
    let response = app.post(ten, None).await?;
    assert_eq!(response.status().as_u16(), 200);
    let answers: Value = response.json().await?;
    assert_eq!(answers.as_array().map(Vec::len), Some(10));
    let response = app.post(Value::Array(vec![op; 11]), None).await?;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    Ok(())
}

#[tokio::test]
async fn an_oversized_body_is_refused() -> TestResult {
    let app = TestApp::spawn_with(|c| c.limits.max_body_bytes = 64 * 1024).await?;
    let padding = "x".repeat(100 * 1024);
    let response = app.post(json!({ "query": format!("{{ __typename }} # {padding}") }), None).await?;
    assert_eq!(response.status().as_u16(), 413);
    let body: Value = response.json().await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    Ok(())
}

#[tokio::test]
async fn a_page_larger_than_100_is_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("admin").await?;
    for q in [
        "{ units(first: 1000) { totalCount } }",
        "{ users(first: 101) { totalCount } }",
        "{ auditEvents(first: -1) { totalCount } }",
    ] {
        let body = app.gql(q, json!({}), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{q}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    }
    app.data("{ units(first: 100) { totalCount } }", json!({}), Some(&token)).await?;
    Ok(())
}

#[tokio::test]
async fn malformed_requests_are_client_errors() -> TestResult {
    let app = TestApp::spawn().await?;
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await?;
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    for q in ["{ me { ", "{ noSuchField }", "query($x: Int!) { __typename }"] {
        let body = app.gql(q, json!({}), None).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{q}: {body}");
        assert!(body["errors"][0]["extensions"]["requestId"].is_string());
    }
    Ok(())
}

/// A document the server parsed before is not parsed again, but what each request brings (its
/// variables, its key's scopes) is checked every time, and a refused document is refused each time.
#[tokio::test]
async fn a_document_sent_again_is_checked_again() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let search = "query($s: String) { projects(filter: { search: $s }) { totalCount } }";
    for (s, refused) in [("桥", false), (&*"x".repeat(101), true), ("路", false), (&*"字".repeat(200), true)] {
        let body = app.gql(search, json!({ "s": s }), Some(&admin)).await?;
        assert_eq!(error_code(&body).is_some(), refused, "{}: {body}", s.chars().count());
        if !refused {
            assert!(body["data"]["projects"]["totalCount"].is_i64(), "{body}");
        }
    }
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    for _ in 0..3 {
        let body = app.gql(&format!("{{ {aliases} }}"), json!({}), None).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    // The same text from a key without the scope, after a caller who may read it.
    let me = "{ units(first: 1) { totalCount } }";
    app.data(me, json!({}), Some(&admin)).await?;
    let input = json!({ "i": { "name": "只读项目", "scopes": ["PROJECTS_READ"] } });
    let made = app
        .data(
            "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret } }",
            input,
            Some(&admin),
        )
        .await?;
    let secret = made["createIntegrationKey"]["secret"].as_str().unwrap_or_default().to_owned();
    let body = app.gql(me, json!({}), Some(&secret)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    app.data(me, json!({}), Some(&admin)).await?;
    Ok(())
}
