//! Sign-in, tokens and the lockout: every bad credential is `UNAUTHENTICATED` and says nothing more.

use api::auth::Claims;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{DEMO_PASSWORD, TestApp, TestResult, error_code};

const ME: &str = "{ me { id username role unit { name } } }";

async fn me_with(app: &TestApp, token: &str) -> TestResult<(u16, Value)> {
    let response = app.post(json!({ "query": ME }), Some(token)).await?;
    Ok((response.status().as_u16(), response.json().await?))
}

/// The claims a real token for `username` carries, for tests to bend.
async fn claims_of(app: &TestApp, username: &str) -> TestResult<Claims> {
    let token = app.login_as(username).await?;
    let payload = token.split('.').nth(1).ok_or("not a JWT")?;
    let bytes = base64url_decode(payload)?;
    Ok(serde_json::from_slice(&bytes)?)
}

fn sign(claims: &Claims, secret: &str) -> TestResult<String> {
    Ok(jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes()))?)
}

fn base64url_decode(s: &str) -> TestResult<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = ALPHABET.iter().position(|&a| a == c).ok_or("bad base64")? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

fn base64url_encode(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |acc, &b| (acc << 8) | b as u32) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

/// A rejected token gets HTTP 401 and one error that says only that the token is bad.
fn assert_rejected(status: u16, body: &Value) {
    assert_eq!(status, 401, "{body}");
    assert_eq!(error_code(body), Some("UNAUTHENTICATED"), "{body}");
    assert_eq!(body["errors"][0]["message"], "invalid or expired token");
    assert!(body.get("data").is_none_or(Value::is_null), "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn login_gives_a_token_that_identifies_the_user() -> TestResult {
    let app = TestApp::spawn().await?;
    let data = app
        .data(
            "mutation { login(username: \" ZRZYJ \", password: \"demo-2026\") { token expiresAt user { username role } } }",
            json!({}),
            None,
        )
        .await?;
    assert_eq!(data["login"]["user"], json!({ "username": "zrzyj", "role": "DEPARTMENT" }));
    let expires: chrono::DateTime<chrono::Utc> = data["login"]["expiresAt"].as_str().ok_or("no expiry")?.parse()?;
    assert!(expires > chrono::Utc::now());
    let token = data["login"]["token"].as_str().ok_or("no token")?;
    let (status, body) = me_with(&app, token).await?;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["me"]["username"], "zrzyj");
    assert_eq!(body["data"]["me"]["unit"]["name"], "自然资源局");
    Ok(())
}

#[tokio::test]
async fn wrong_password_and_unknown_user_look_the_same() -> TestResult {
    let app = TestApp::spawn().await?;
    let q = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";
    let wrong = app.gql(q, json!({ "u": "admin", "p": "not-the-password" }), None).await?;
    let unknown = app.gql(q, json!({ "u": "nobody", "p": "not-the-password" }), None).await?;
    assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(wrong["errors"][0]["message"], unknown["errors"][0]["message"]);
    assert_eq!(wrong["errors"][0]["message"], "wrong username or password");
    Ok(())
}

#[tokio::test]
async fn a_protected_field_needs_a_token() -> TestResult {
    let app = TestApp::spawn().await?;
    let body = app.gql(ME, json!({}), None).await?;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    assert!(body["data"].is_null());
    Ok(())
}

#[tokio::test]
async fn a_malformed_header_is_rejected_not_anonymous() -> TestResult {
    let app = TestApp::spawn().await?;
    for header in ["Basic YWRtaW46eA==", "Bearer ", "Bearer not.a.jwt"] {
        let send = |query: &'static str| {
            app.client.post(app.url("/graphql")).header("authorization", header).json(&json!({ "query": query })).send()
        };
        // Whatever needs a caller says the token is bad (never "sign in first", never anonymous data)…
        let response = send(ME).await?;
        let status = response.status().as_u16();
        assert_rejected(status, &response.json().await?);
        // …while what needs none still answers, so a client with a stale header can sign in again.
        let response = send("{ __typename }").await?;
        assert_eq!(response.status().as_u16(), 200, "{header}");
        assert_eq!(response.json::<Value>().await?["data"]["__typename"], "Query");
    }
    Ok(())
}

#[tokio::test]
async fn a_tampered_signature_is_rejected() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("fgj").await?;
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    // Change the role in the payload but keep the old signature.
    let mut claims: Value = serde_json::from_slice(&base64url_decode(&parts[1])?)?;
    claims["role"] = json!("ADMIN");
    parts[1] = base64url_encode(&serde_json::to_vec(&claims)?);
    let (status, body) = me_with(&app, &parts.join(".")).await?;
    assert_rejected(status, &body);
    // And a flipped signature byte on an untouched payload.
    let mut sig = token.clone();
    let last = sig.pop().ok_or("empty")?;
    sig.push(if last == 'A' { 'B' } else { 'A' });
    let (status, body) = me_with(&app, &sig).await?;
    assert_rejected(status, &body);
    Ok(())
}

#[tokio::test]
async fn alg_none_is_rejected() -> TestResult {
    let app = TestApp::spawn().await?;
    let claims = claims_of(&app, "admin").await?;
    let header = base64url_encode(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url_encode(&serde_json::to_vec(&claims)?);
    for token in [format!("{header}.{payload}."), format!("{header}.{payload}")] {
        let (status, body) = me_with(&app, &token).await?;
        assert_rejected(status, &body);
    }
    Ok(())
}

#[tokio::test]
async fn another_secret_is_rejected() -> TestResult {
    let app = TestApp::spawn().await?;
    let claims = claims_of(&app, "admin").await?;
    let (status, body) = me_with(&app, &sign(&claims, "some-other-secret-some-other-secret-00")?).await?;
    assert_rejected(status, &body);
    // The same claims with the right secret work, so the rejection above is about the key.
    let (status, _) = me_with(&app, &sign(&claims, app.state.config.jwt_secret.expose())?).await?;
    assert_eq!(status, 200);
    Ok(())
}

#[tokio::test]
async fn expiry_beyond_the_leeway_is_rejected() -> TestResult {
    let app = TestApp::spawn().await?;
    let secret = app.state.config.jwt_secret.expose().to_owned();
    let mut claims = claims_of(&app, "admin").await?;
    let now = chrono::Utc::now().timestamp();
    claims.iat = now - 3600;
    claims.nbf = now - 3600;
    claims.exp = now - 120;
    let (status, body) = me_with(&app, &sign(&claims, &secret)?).await?;
    assert_rejected(status, &body);
    // Within the 5 s leeway (KP_TOKEN_LEEWAY_SECS) a token still works: clocks drift. Beyond it,
    // it does not: the library's own default would accept it for a minute.
    claims.exp = now - 2;
    let (status, _) = me_with(&app, &sign(&claims, &secret)?).await?;
    assert_eq!(status, 200);
    claims.exp = now - 9;
    let (status, body) = me_with(&app, &sign(&claims, &secret)?).await?;
    assert_rejected(status, &body);
    // With no leeway configured, a token is refused from the second it expires.
    let strict = TestApp::spawn_with(|c| c.token_leeway_secs = 0).await?;
    let secret = strict.state.config.jwt_secret.expose().to_owned();
    let mut claims = claims_of(&strict, "admin").await?;
    claims.exp = chrono::Utc::now().timestamp() - 2;
    let (status, body) = me_with(&strict, &sign(&claims, &secret)?).await?;
    assert_rejected(status, &body);
    // Not valid before a future `nbf`.
    claims.exp = now + 600;
    claims.nbf = now + 300;
    let (status, body) = me_with(&app, &sign(&claims, &secret)?).await?;
    assert_rejected(status, &body);
    Ok(())
}

#[tokio::test]
async fn wrong_audience_or_issuer_is_rejected() -> TestResult {
    let app = TestApp::spawn().await?;
    let secret = app.state.config.jwt_secret.expose().to_owned();
    let claims = claims_of(&app, "admin").await?;
    let mut wrong_aud = claims.clone();
    wrong_aud.aud = "another-api".into();
    let (status, body) = me_with(&app, &sign(&wrong_aud, &secret)?).await?;
    assert_rejected(status, &body);
    let mut wrong_iss = claims;
    wrong_iss.iss = "someone-else".into();
    let (status, body) = me_with(&app, &sign(&wrong_iss, &secret)?).await?;
    assert_rejected(status, &body);
    Ok(())
}

#[tokio::test]
async fn a_deactivated_users_token_stops_working_at_once() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let victim = app.login_as("sthjj").await?;
    assert_eq!(me_with(&app, &victim).await?.0, 200);
    let id = api::seed::demo::demo_id("user", "sthjj").to_string();
    let data = app
        .data("mutation($id: UUID!) { deactivateUser(id: $id) { active } }", json!({ "id": id }), Some(&admin))
        .await?;
    assert_eq!(data["deactivateUser"]["active"], false);
    let (status, body) = me_with(&app, &victim).await?;
    assert_rejected(status, &body);
    // Nor can the account sign in again, and the answer does not say why.
    let body = app
        .gql(
            "mutation($p: String!) { login(username: \"sthjj\", password: $p) { token } }",
            json!({ "p": DEMO_PASSWORD }),
            None,
        )
        .await?;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    assert_eq!(body["errors"][0]["message"], "wrong username or password");
    Ok(())
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() -> TestResult {
    let app = TestApp::spawn().await?;
    let old = app.login_as("fgj").await?;
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";
    let wrong = app.gql(q, json!({ "c": "not-it-at-all", "n": "a-new-password" }), Some(&old)).await?;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"));
    assert_eq!(wrong["errors"][0]["extensions"]["field"], "currentPassword");
    let short = app.gql(q, json!({ "c": DEMO_PASSWORD, "n": "short" }), Some(&old)).await?;
    assert_eq!(short["errors"][0]["extensions"]["field"], "newPassword");
    let data = app.data(q, json!({ "c": DEMO_PASSWORD, "n": "a-new-password" }), Some(&old)).await?;
    let new = data["changePassword"]["token"].as_str().ok_or("no token")?;
    assert_rejected(me_with(&app, &old).await?.0, &me_with(&app, &old).await?.1);
    assert_eq!(me_with(&app, new).await?.0, 200);
    assert!(app.login("fgj", DEMO_PASSWORD).await.is_err());
    app.login("fgj", "a-new-password").await?;
    Ok(())
}

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";

#[tokio::test]
async fn five_failures_lock_the_username_even_for_the_right_password() -> TestResult {
    let app = TestApp::spawn().await?;
    for _ in 0..5 {
        let body = app.gql(LOGIN, json!({ "u": "leader", "p": "guess-guess" }), None).await?;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    let body = app.gql(LOGIN, json!({ "u": "leader", "p": DEMO_PASSWORD }), None).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    let retry = body["errors"][0]["extensions"]["retryAfterSecs"].as_i64().ok_or("no retryAfterSecs")?;
    assert!((1..=15 * 60).contains(&retry), "{retry}");
    // Case and spaces do not make a new username.
    let body = app.gql(LOGIN, json!({ "u": " Leader", "p": DEMO_PASSWORD }), None).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
    // Other accounts are not affected.
    app.login_as("leader2").await?;
    Ok(())
}

#[tokio::test]
async fn the_lockout_is_shared_by_instances_and_ends_with_the_window() -> TestResult {
    let first = TestApp::spawn_with(|c| c.login.window_secs = 3).await?;
    let second =
        TestApp::spawn_on(first.database_url.clone(), tempfile::tempdir()?, |c| c.login.window_secs = 3).await?;
    for _ in 0..5 {
        first.gql(LOGIN, json!({ "u": "inspector", "p": "guess-guess" }), None).await?;
    }
    let body = second.gql(LOGIN, json!({ "u": "inspector", "p": DEMO_PASSWORD }), None).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "the second instance sees the lockout: {body}");
    tokio::time::sleep(std::time::Duration::from_millis(3500)).await;
    second.login_as("inspector").await?;
    Ok(())
}

#[tokio::test]
async fn a_successful_login_clears_earlier_failures() -> TestResult {
    let app = TestApp::spawn().await?;
    for _ in 0..4 {
        app.gql(LOGIN, json!({ "u": "admin", "p": "guess-guess" }), None).await?;
    }
    app.login_as("admin").await?;
    for _ in 0..4 {
        app.gql(LOGIN, json!({ "u": "admin", "p": "guess-guess" }), None).await?;
    }
    app.login_as("admin").await?;
    Ok(())
}

#[tokio::test]
async fn concurrent_requests_each_get_their_own_account() -> TestResult {
    let app = TestApp::spawn().await?;
    let users = ["admin", "leader", "fgj", "zrzyj", "inspector"];
    let mut tokens = Vec::new();
    for u in users {
        tokens.push((u, app.login_as(u).await?));
    }
    let mut tasks = Vec::new();
    for round in 0..8 {
        for (u, token) in &tokens {
            let (client, url, token, u) = (app.client.clone(), app.url("/graphql"), token.clone(), *u);
            tasks.push(tokio::spawn(async move {
                let body: Value =
                    client.post(url).bearer_auth(token).json(&json!({ "query": ME })).send().await?.json().await?;
                Ok::<_, reqwest::Error>((round, u, body))
            }));
        }
    }
    for task in tasks {
        let (_, u, body) = task.await??;
        assert_eq!(body["data"]["me"]["username"], u, "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_stale_token_in_the_header_does_not_stop_signing_in_again() -> TestResult {
    let app = TestApp::spawn().await?;
    let mut claims = claims_of(&app, "inspector").await?;
    claims.exp = chrono::Utc::now().timestamp() - 3600;
    let stale = sign(&claims, app.state.config.jwt_secret.expose())?;
    // A phone kept yesterday's header: signing in works all the same.
    let response = app
        .post(json!({ "query": LOGIN, "variables": { "u": "inspector", "p": DEMO_PASSWORD } }), Some(&stale))
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    let body: Value = response.json().await?;
    let fresh = body["data"]["login"]["token"].as_str().ok_or_else(|| format!("no token: {body}"))?.to_owned();
    assert_eq!(me_with(&app, &fresh).await?.0, 200);
    // What needs a caller still says the token is bad, with 401.
    let (status, body) = me_with(&app, &stale).await?;
    assert_rejected(status, &body);
    // A garbled header is the same: sign-in works, the rest is refused.
    let response = app
        .post(json!({ "query": LOGIN, "variables": { "u": "inspector", "p": DEMO_PASSWORD } }), Some("not-a-jwt"))
        .await?;
    assert_eq!(response.status().as_u16(), 200);
    Ok(())
}
