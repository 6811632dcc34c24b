//! Persisted documents: a hash instead of the text (Apollo's automatic persisted queries, over POST
//! and GET, known to every instance), and trusted-documents mode, which runs only what was registered.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, TestResult, error_code};

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

const PROJECTS: &str = "query Top($n: Int) { projects(first: $n) { edges { node { name } } } }";

#[tokio::test]
async fn a_known_hash_stands_for_its_document_on_every_instance_over_post_and_get() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let hash = sha256(PROJECTS);
    let vars = json!({ "n": 2 });

    // Unknown: the client is told to send the text.
    let body: Value =
        app.post(json!({ "extensions": persisted(&hash), "variables": vars }), Some(&admin)).await?.json().await?;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    // A hash that is not the text's is refused, and nothing is kept under it.
    let wrong = json!({ "query": "{ __typename }", "extensions": persisted(&hash) });
    let body: Value = app.post(wrong, Some(&admin)).await?.json().await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // Text and hash: runs, and is kept.
    let full = json!({ "query": PROJECTS, "variables": vars, "extensions": persisted(&hash) });
    let first: Value = app.post(full, Some(&admin)).await?.json().await?;
    assert_eq!(first["data"]["projects"]["edges"].as_array().map(Vec::len), Some(2), "{first}");
    // The hash alone now runs the same, here and on another instance of the same database.
    let again: Value =
        app.post(json!({ "extensions": persisted(&hash), "variables": vars }), Some(&admin)).await?.json().await?;
    assert_eq!(again, first);
    let other = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    let there: Value =
        other.post(json!({ "extensions": persisted(&hash), "variables": vars }), Some(&admin)).await?.json().await?;
    assert_eq!(there, first);

    // Over GET, as a cacheable URL.
    let url = app.url("/graphql");
    let get = app
        .client
        .get(&url)
        .query(&[
            ("extensions", persisted(&hash).to_string()),
            ("variables", vars.to_string()),
            ("operationName", "Top".into()),
        ])
        .bearer_auth(&admin)
        .send()
        .await?;
    assert_eq!(get.status(), 200);
    assert_eq!(get.headers()["vary"], "authorization");
    assert_eq!(get.json::<Value>().await?, first);
    // A mutation is never run over GET.
    let mutation = "mutation { commentOnIssue(id: \"00000000-0000-0000-0000-000000000000\", text: \"x\") { id } }";
    let refused: Value =
        app.client.get(&url).query(&[("query", mutation)]).bearer_auth(&admin).send().await?.json().await?;
    assert_eq!(error_code(&refused), Some("BAD_USER_INPUT"), "{refused}");
    assert!(refused["errors"][0]["message"].as_str().is_some_and(|m| m.contains("POST")), "{refused}");
    // GET without a query is still GraphiQL.
    let page = app.client.get(&url).send().await?;
    assert!(page.headers()["content-type"].to_str()?.starts_with("text/html"));

    // Documents sent anonymously are run but not kept.
    let anonymous = "query Anonymous { __typename }";
    let h = sha256(anonymous);
    let ran: Value = app.post(json!({ "query": anonymous, "extensions": persisted(&h) }), None).await?.json().await?;
    assert_eq!(ran["data"]["__typename"], "Query", "{ran}");
    let body: Value = app.post(json!({ "extensions": persisted(&h) }), None).await?.json().await?;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"), "{body}");
    Ok(())
}

#[tokio::test]
async fn trusted_documents_mode_runs_registered_documents_alone() -> TestResult {
    let login = "mutation SignIn($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";
    let me = "query Me { me { username } }";
    let register = "mutation Register($d: [String!]!) { registerTrustedDocuments(documents: $d) }";
    // Registered ahead, as `keyprojects documents register` does.
    let open = TestApp::spawn().await?;
    let admin = open.login_as("admin").await?;
    let hashes = open.data(register, json!({ "d": [login, me, register] }), Some(&admin)).await?;
    assert_eq!(hashes["registerTrustedDocuments"], json!([sha256(login), sha256(me), sha256(register)]));
    let body = open.gql(register, json!({ "d": ["{ not graphql"] }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = open.gql(register, json!({ "d": [me] }), Some(&open.login_as("zrzyj").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    let app = TestApp::spawn_on(open.database_url.clone(), tempfile::tempdir()?, |c| {
        c.trusted_documents = api::service::documents::Policy::TrustedOnly;
    })
    .await?;
    // By hash alone, as a production app sends it.
    let vars = json!({ "u": "admin", "p": crate::helpers::DEMO_PASSWORD });
    let body: Value =
        app.post(json!({ "extensions": persisted(&sha256(login)), "variables": vars }), None).await?.json().await?;
    let token = body["data"]["login"]["token"].as_str().ok_or_else(|| format!("{body}"))?.to_owned();
    // By its text, when that text is registered.
    let body: Value = app.post(json!({ "query": me }), Some(&token)).await?.json().await?;
    assert_eq!(body["data"]["me"]["username"], "admin", "{body}");
    // Anything else is refused, however it comes.
    for request in [
        json!({ "query": "{ me { username } }" }),
        json!({ "query": PROJECTS, "extensions": persisted(&sha256(PROJECTS)) }),
        json!({ "extensions": persisted(&sha256(PROJECTS)) }),
    ] {
        let body: Value = app.post(request.clone(), Some(&token)).await?.json().await?;
        assert_eq!(error_code(&body), Some("UNTRUSTED_DOCUMENT"), "{request}: {body}");
    }
    Ok(())
}

#[tokio::test]
async fn the_command_line_registers_files_and_manifests_and_checks_their_hashes() -> TestResult {
    let app = TestApp::spawn().await?;
    let dir = tempfile::tempdir()?;
    let one = "query Me { me { username } }";
    let two = "query Units { units(first: 5) { edges { node { name } } } }";
    std::fs::write(dir.path().join("me.graphql"), one)?;
    std::fs::write(dir.path().join("manifest.json"), json!({ sha256(two): two }).to_string())?;
    let out = crate::cli::keyprojects(&app.database_url, dir.path())
        .args(["documents", "register"])
        .arg(dir.path().join("me.graphql"))
        .arg(dir.path().join("manifest.json"))
        .output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("{}\n{}\n", sha256(one), sha256(two)));
    std::fs::write(dir.path().join("bad.json"), json!({ sha256(one): two }).to_string())?;
    let out = crate::cli::keyprojects(&app.database_url, dir.path())
        .args(["documents", "register"])
        .arg(dir.path().join("bad.json"))
        .output()?;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not the SHA-256"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Registered documents run by hash, on this server too.
    let admin = app.login_as("admin").await?;
    let body: Value = app.post(json!({ "extensions": persisted(&sha256(two)) }), Some(&admin)).await?.json().await?;
    assert_eq!(body["data"]["units"]["edges"].as_array().map(Vec::len), Some(5), "{body}");
    Ok(())
}
