//! Probes, GraphiQL and request ids.

use serde_json::json;

use crate::helpers::{TestApp, TestResult};

#[tokio::test]
async fn health_and_readiness_answer() -> TestResult {
    let app = TestApp::spawn().await?;
    let health = app.client.get(app.url("/healthz")).send().await?;
    assert_eq!(health.status().as_u16(), 200);
    let ready = app.client.get(app.url("/readyz")).send().await?;
    assert_eq!(ready.status().as_u16(), 200);
    assert_eq!(ready.text().await?, "ready");
    Ok(())
}

/// The `src` and `href` of a page's scripts and stylesheets; an absolute URL (another host) fails.
fn local_assets(html: &str) -> TestResult<Vec<String>> {
    let mut out = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for (at, _) in html.match_indices(attr) {
            let rest = &html[at + attr.len()..];
            let url = &rest[..rest.find('"').ok_or("unclosed attribute")?];
            if url.contains("//") {
                return Err(format!("the page loads {url} from elsewhere").into());
            }
            out.push(url.to_owned());
        }
    }
    Ok(out)
}

#[tokio::test]
async fn graphiql_is_served_on_get_unless_turned_off() -> TestResult {
    let app = TestApp::spawn().await?;
    let page = app.client.get(app.url("/graphql")).send().await?;
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await?;
    assert!(html.to_lowercase().contains("graphiql"));
    // Everything the page loads comes from this server (an offline government network has no CDN).
    let assets = local_assets(&html)?;
    assert!(assets.len() >= 4, "{assets:?}");
    let mut asset_paths = Vec::new();
    for path in &assets {
        let response = app.client.get(app.url(path)).send().await?;
        assert_eq!(response.status().as_u16(), 200, "{path}");
        let kind = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(
            kind.starts_with(if path.ends_with(".css") { "text/css" } else { "text/javascript" }),
            "{path}: {kind}"
        );
        let body = response.text().await?;
        // The scripts name no other host to load from either.
        assert!(!body.contains("unpkg.com") && !body.contains("cdn.jsdelivr"), "{path} loads from a CDN");
        asset_paths.push(path.clone());
    }
    assert!(app.client.get(app.url("/graphiql/0.0.0/graphiql.min.js")).send().await?.status() == 404);
    assert!(app.client.get(app.url("/graphiql/3.9.0/..%2FCargo.toml")).send().await?.status() == 404);

    let locked = TestApp::spawn_with(|c| {
        c.graphiql = false;
        c.introspection = false;
    })
    .await?;
    let page = locked.client.get(locked.url("/graphql")).send().await?;
    assert_eq!(page.status().as_u16(), 405);
    for path in &asset_paths {
        assert_eq!(locked.client.get(locked.url(path)).send().await?.status().as_u16(), 404, "{path}");
    }
    let body = locked.gql("{ __schema { types { name } } }", json!({}), None).await?;
    assert!(body["data"]["__schema"].is_null(), "introspection is off: {body}");
    Ok(())
}

#[tokio::test]
async fn every_response_carries_a_request_id_and_errors_repeat_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let response = app.post(json!({ "query": "{ me { id } }" }), None).await?;
    let header = response.headers().get("x-request-id").ok_or("no header")?.to_str()?.to_owned();
    let body: serde_json::Value = response.json().await?;
    assert_eq!(body["errors"][0]["extensions"]["requestId"], header.as_str());
    // A UUID from an upstream proxy is kept; anything else is replaced.
    let kept = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "0193c6a4-1f6e-7c2a-9d1b-3f5e8a7b6c5d")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await?;
    assert_eq!(kept.headers().get("x-request-id").ok_or("no header")?, "0193c6a4-1f6e-7c2a-9d1b-3f5e8a7b6c5d");
    let replaced = app
        .client
        .post(app.url("/graphql"))
        .header("x-request-id", "evil\"id with spaces")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await?;
    assert_ne!(replaced.headers().get("x-request-id").ok_or("no header")?, "evil\"id with spaces");
    Ok(())
}

#[tokio::test]
async fn metrics_count_sql_statements() -> TestResult {
    let app = TestApp::spawn().await?;
    let read = || async {
        let text = app.client.get(app.url("/metrics")).bearer_auth("test-metrics-token").send().await?.text().await?;
        let line = text.lines().find(|l| l.starts_with("keyprojects_sql_statements_total ")).ok_or("no counter")?;
        Ok::<u64, Box<dyn std::error::Error + Send + Sync>>(line.split(' ').nth(1).ok_or("no value")?.parse()?)
    };
    let before = read().await?;
    app.login_as("admin").await?;
    assert!(read().await? > before);
    Ok(())
}

/// A request's statement count is its own: the same page asked by eight callers at once, while the
/// periodic jobs run a round beside them, costs each what it costs alone; and the count is told
/// only when the server is configured to tell it.
#[tokio::test]
async fn a_request_counts_its_own_statements_whatever_runs_beside_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    // (A page's units and leaders come with its own statement; its reports and their authors do not.)
    let page = "{ projects(first: 20) { edges { node { name responsibleUnit { name } reports(first: 2) { period submittedBy { username } } } } } }";
    let alone = app.cost(page, json!({}), Some(&admin)).await?;
    assert!(alone >= 3, "the check, the page and its relations: {alone}");
    let global = app.statements();
    let (together, ()) = tokio::join!(
        futures_util::future::try_join_all((0..8).map(|_| app.cost(page, json!({}), Some(&admin)))),
        api::periodic_round(&app.state, false)
    );
    assert_eq!(together?, vec![alone; 8]);
    assert!(app.statements() - global > 8 * alone, "the jobs' statements ran meanwhile and were left out");
    let quiet = TestApp::spawn_with(|c| c.statement_counts = false).await?;
    let token = quiet.login_as("admin").await?;
    let response = quiet.post(json!({ "query": page }), Some(&token)).await?;
    assert!(response.headers().get("x-sql-statements").is_none());
    Ok(())
}

/// A connection the database dropped while it lay idle in the pool (a restart, a failover, a
/// firewall's idle cut) is found and replaced before a request meets it. On PostgreSQL every
/// connection of the test's database is cut; SQLite has no server to cut, so there the test only shows
/// that a pool left idle answers.
#[tokio::test]
async fn a_connection_cut_while_idle_is_replaced_before_a_request_meets_it() -> TestResult {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let page = "{ projects(first: 5) { edges { node { name responsibleUnit { name } } } } }";
    app.data(page, json!({}), Some(&token)).await?;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    if app.database_url.starts_with("postgres") {
        let admin = sea_orm::Database::connect(app.database_url.as_str()).await?;
        let cut = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                   WHERE datname = current_database() AND pid <> pg_backend_pid()";
        let cut = admin.query_all(sea_orm::Statement::from_string(admin.get_database_backend(), cut)).await?;
        admin.close().await?;
        assert!(!cut.is_empty(), "the server held no connection to cut");
    }
    for _ in 0..3 {
        let body = app.gql(page, json!({}), Some(&token)).await?;
        assert!(body.get("errors").is_none(), "a request met a cut connection: {body}");
    }
    Ok(())
}
