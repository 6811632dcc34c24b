//! Browsers: pages of the configured origins may call the API, others may not (none by default).

use serde_json::json;

use crate::helpers::{TestApp, TestResult};

const CONSOLE: &str = "https://console.example.gov.cn";

async fn preflight(app: &TestApp, origin: &str) -> TestResult<reqwest::Response> {
    Ok(app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/graphql"))
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "authorization,content-type")
        .send()
        .await?)
}

fn allowed_origin(r: &reqwest::Response) -> Option<String> {
    r.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()).map(str::to_owned)
}

#[tokio::test]
async fn only_listed_origins_may_call_from_a_browser() -> TestResult {
    let app = TestApp::spawn_with(|c| c.cors_origins = vec![CONSOLE.into()]).await?;
    let ok = preflight(&app, CONSOLE).await?;
    assert!(ok.status().is_success(), "{}", ok.status());
    assert_eq!(allowed_origin(&ok).as_deref(), Some(CONSOLE));
    let headers = ok.headers().get("access-control-allow-headers").and_then(|v| v.to_str().ok()).unwrap_or_default();
    assert!(headers.contains("authorization") && headers.contains("content-type"), "{headers}");
    assert!(ok.headers().get("access-control-allow-credentials").is_none(), "bearer tokens only, no cookies");
    assert_eq!(allowed_origin(&preflight(&app, "https://elsewhere.example.com").await?), None);
    let token = app.login_as("leader").await?;
    let call = |origin: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("origin", origin)
            .bearer_auth(&token)
            .json(&json!({ "query": "{ me { username } }" }))
            .send()
    };
    assert_eq!(allowed_origin(&call(CONSOLE).await?).as_deref(), Some(CONSOLE));
    assert_eq!(allowed_origin(&call("https://elsewhere.example.com").await?), None);
    // Without configuration no origin is allowed.
    let closed = TestApp::spawn().await?;
    assert_eq!(allowed_origin(&preflight(&closed, CONSOLE).await?), None);
    Ok(())
}
