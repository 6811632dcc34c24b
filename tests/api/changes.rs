//! The change feed: oldest first from a sequence number, nothing missed while many write, and each
//! change shown in full only to those who may see its record.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code};
use crate::issues::raise;
use crate::projects::create;

const FEED: &str = "query($after: String, $types: [EntityType!]) { changes(after: $after, first: 100, entityTypes: $types) { events { seq at action entityType entityId changes hidden } pageInfo { endSeq hasNextPage } } }";

/// Every event after `after` visible to `token` so far, and where to resume.
async fn drain(app: &TestApp, token: &str, mut after: String, types: Value) -> TestResult<(Vec<Value>, String)> {
    let mut events = Vec::new();
    loop {
        let data = app.data(FEED, json!({ "after": after, "types": types }), Some(token)).await?;
        let page = &data["changes"];
        events.extend(page["events"].as_array().ok_or("no events")?.iter().cloned());
        after = page["pageInfo"]["endSeq"].as_str().ok_or("no endSeq")?.to_owned();
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok((events, after));
        }
    }
}

fn seq(event: &Value) -> i64 {
    event["seq"].as_str().and_then(|s| s.parse().ok()).unwrap_or(-1)
}

#[tokio::test]
async fn a_reader_resuming_from_end_seq_sees_every_change_once_while_many_write() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "变更订阅测试项目").await?;
    let issue = raise(&app, &admin, &project).await?;
    let (_, start) = drain(&app, &admin, "0".into(), Value::Null).await?;

    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (app, admin, issue) = (&app, admin.clone(), issue.clone());
            async move {
                for n in 0..6 {
                    let text = format!("第{w}组第{n}条");
                    app.data(
                        "mutation($id: UUID!, $t: String!) { commentOnIssue(id: $id, text: $t) { status } }",
                        json!({ "id": issue, "t": text }),
                        Some(&admin),
                    )
                    .await?;
                }
                Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
            }
        })
        .collect();
    let reader = async {
        let mut seen = Vec::new();
        let mut after = start.clone();
        for _ in 0..40 {
            let (events, end) = drain(&app, &admin, after, Value::Null).await?;
            seen.extend(events);
            after = end;
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>((seen, after))
    };
    let (written, read) = futures_util::future::join(futures_util::future::join_all(writers), reader).await;
    for w in written {
        w.map_err(|e| e.to_string())?;
    }
    let (mut seen, after) = read.map_err(|e| e.to_string())?;
    // Whatever committed after the reader's last page is read by resuming once more.
    seen.extend(drain(&app, &admin, after, Value::Null).await?.0);

    let seqs: Vec<i64> = seen.iter().map(seq).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "oldest first, each once: {seqs:?}");
    // The trail itself (newest first) holds exactly the events the reader saw after `start`.
    let start: i64 = start.parse()?;
    let mut trail = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let data = app
            .data("query($a: String) { auditEvents(first: 100, after: $a) { edges { cursor node { seq } } pageInfo { hasNextPage } } }", json!({ "a": cursor }), Some(&admin))
            .await?;
        let edges = data["auditEvents"]["edges"].as_array().ok_or("no edges")?;
        let mut older = false;
        for e in edges {
            let s: i64 = e["node"]["seq"].as_str().ok_or("no seq")?.parse()?;
            if s > start {
                trail.insert(s);
            } else {
                older = true;
            }
        }
        if older || data["auditEvents"]["pageInfo"]["hasNextPage"] != json!(true) {
            break;
        }
        cursor = edges.last().and_then(|e| e["cursor"].as_str()).map(str::to_owned);
    }
    assert_eq!(trail.len(), 48, "8 writers × 6 comments");
    assert_eq!(seqs.into_iter().collect::<BTreeSet<_>>(), trail);
    assert!(seen.iter().all(|e| e["hidden"] == json!(false) && e["entityType"] == json!("issue")));
    Ok(())
}

#[tokio::test]
async fn a_change_is_shown_in_full_only_to_who_may_see_its_record() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "可见性测试项目").await?;
    let raised = raise(&app, &admin, &project).await?;
    let issues = json!(["ISSUE"]);
    let (all, _) = drain(&app, &admin, "0".into(), issues.clone()).await?;
    assert!(!all.is_empty() && all.iter().all(|e| e["hidden"] == json!(false) && e["changes"].is_object()));

    // A department sees the changes of the issues it may see; of the others only the id. The
    // issue is on a project of 自然资源局 (zrzyj), co-operated by 生态环境局; 发改局 (fgj) has no part in it.
    for (who, sees) in [("zrzyj", true), ("sthjj", true), ("fgj", false)] {
        let token = app.login_as(who).await?;
        let (theirs, _) = drain(&app, &token, "0".into(), issues.clone()).await?;
        assert_eq!(theirs.len(), all.len(), "positions are not hidden");
        let visible: BTreeSet<String> = app
            .data("{ issues(first: 100) { edges { node { id } } } }", json!({}), Some(&token))
            .await?["issues"]["edges"]
            .as_array()
            .ok_or("no issues")?
            .iter()
            .filter_map(|e| e["node"]["id"].as_str().map(str::to_owned))
            .collect();
        // Every event is shown in full exactly when its issue is one the caller may see (the trail
        // also holds the demo county's issues, noted overdue at start).
        for e in &theirs {
            let id = e["entityId"].as_str().unwrap_or_default();
            if visible.contains(id) {
                assert!(e["hidden"] == json!(false) && e["changes"].is_object(), "{who}: {e}");
            } else {
                assert!(e["hidden"] == json!(true) && e["changes"].is_null() && e["action"].is_null(), "{who}: {e}");
            }
        }
        let shown = theirs.iter().any(|e| e["entityId"] == json!(raised) && e["hidden"] == json!(false));
        assert_eq!(shown, sees, "{who} and the raised issue");
    }

    // A key needs CHANGES_READ for the feed, and the domain's read scope to see a change in full.
    let make = "mutation($s: [Scope!]!) { createIntegrationKey(input: { name: \"feed\", scopes: $s }) { secret } }";
    let mut secrets = Vec::new();
    for scopes in [json!(["PROJECTS_READ"]), json!(["CHANGES_READ"]), json!(["CHANGES_READ", "ISSUES_READ"])] {
        let data = app.data(make, json!({ "s": scopes }), Some(&admin)).await?;
        secrets.push(data["createIntegrationKey"]["secret"].as_str().ok_or("no secret")?.to_owned());
    }
    let body = app.gql(FEED, json!({ "after": "0" }), Some(&secrets[0])).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    assert!(body["errors"][0]["message"].as_str().is_some_and(|m| m.contains("CHANGES_READ")));
    let (blind, _) = drain(&app, &secrets[1], "0".into(), issues.clone()).await?;
    assert!(blind.len() == all.len() && blind.iter().all(|e| e["hidden"] == json!(true)));
    let (sighted, _) = drain(&app, &secrets[2], "0".into(), issues).await?;
    assert!(sighted.iter().all(|e| e["hidden"] == json!(false)));
    // The record itself comes with the change, batched (one query a kind a page), when visible.
    let records = "query($types: [EntityType!]) { changes(after: \"0\", entityTypes: $types) { events { entityId hidden record { __typename ... on Issue { id title } ... on Project { id name } } } } }";
    let data = app.data(records, json!({ "types": ["ISSUE", "PROJECT"] }), Some(&admin)).await?;
    let events = data["changes"]["events"].as_array().ok_or("no events")?;
    assert!(events.iter().any(|e| e["record"]["__typename"] == json!("Issue")), "{data}");
    for e in events {
        assert_eq!(e["record"]["id"], e["entityId"], "{e}");
    }
    let fgj = app.login_as("fgj").await?;
    let data = app.data(records, json!({ "types": ["ISSUE"] }), Some(&fgj)).await?;
    let events = data["changes"]["events"].as_array().ok_or("no events")?;
    assert!(events.iter().all(|e| e["record"].is_null() == (e["hidden"] == json!(true))), "{data}");
    assert!(events.iter().filter(|e| e["entityId"] == json!(raised)).all(|e| e["record"].is_null()), "{data}");
    // Reading a record's fields needs the record's domain scope too.
    let body = app.gql(records, json!({ "types": ["ISSUE"] }), Some(&secrets[1])).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    // Key events are the office's alone.
    let (keys, _) = drain(&app, &secrets[2], "0".into(), json!(["INTEGRATION_KEY"])).await?;
    assert!(keys.len() == 3 && keys.iter().all(|e| e["hidden"] == json!(true)));
    Ok(())
}

#[tokio::test]
async fn bad_positions_and_sizes_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    for after in ["-1", "abc", "1e3", ""] {
        let body = app.gql(FEED, json!({ "after": after }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{after}: {body}");
    }
    for first in [0, 101, -5] {
        let body = app
            .gql("query($f: Int) { changes(first: $f) { pageInfo { endSeq } } }", json!({ "f": first }), Some(&admin))
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{first}: {body}");
    }
    let body = app.gql(FEED, json!({ "after": "0" }), None).await?;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    // Past the end: an empty page that resumes where it was asked to.
    let data = app.data(FEED, json!({ "after": "999999999" }), Some(&admin)).await?;
    assert_eq!(data["changes"]["pageInfo"]["endSeq"], json!("999999999"));
    assert_eq!(data["changes"]["events"], json!([]));
    Ok(())
}
