//! What an attacker on the open internet, a crowd of phones and a first production install would try:
//! each class of abuse has a test here that failed before the defence existed.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

use crate::helpers::{DEMO_PASSWORD, TestApp, TestResult, error_code, unit_id};
use crate::projects::create;

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }";
const UPLOAD: &str =
    "mutation($i: PhotoInput!, $file: Upload!) { uploadPhoto(input: $i, file: $file) { id sha256 byteSize } }";

fn message(body: &Value) -> String {
    body["errors"][0]["message"].as_str().unwrap_or_default().to_owned()
}

/// `levels` fragments, each spreading the previous one twice: 2^levels fields once expanded.
fn doubling_chain(levels: usize) -> String {
    let mut q = format!("query {{ ...F{levels} }} fragment F1 on Query {{ __typename }}");
    for i in 2..=levels {
        q.push_str(&format!(" fragment F{i} on Query {{ ...F{p} ...F{p} }}", p = i - 1));
    }
    q
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_at_once_and_health_stays_fast() -> TestResult {
    let app = TestApp::spawn().await?;
    let bomb = doubling_chain(30);
    assert!(bomb.len() < 2048, "a small document: {} bytes", bomb.len());
    // The best of three round trips: the cost of refusing, not the scheduler's mood on a busy machine.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let started = Instant::now();
        let body = app.gql(&bomb, json!({}), None).await?;
        best = best.min(started.elapsed());
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(message(&body).contains("fragments are expanded"), "{body}");
    }
    assert!(best < Duration::from_millis(50), "refused in {best:?}");
    // Four at once, and the health probe still answers at once.
    let bombs: Vec<_> = (0..4)
        .map(|_| {
            let (client, url, q) = (app.client.clone(), app.url("/graphql"), bomb.clone());
            tokio::spawn(async move { client.post(url).json(&json!({ "query": q })).send().await })
        })
        .collect();
    let started = Instant::now();
    assert_eq!(app.client.get(app.url("/healthz")).send().await?.status(), 200);
    assert!(started.elapsed() < Duration::from_millis(500), "healthz took {:?}", started.elapsed());
    for b in bombs {
        assert_eq!(b.await??.status(), 200);
    }
    // An ordinary query with fragments is untouched.
    let fine = doubling_chain(8);
    assert_eq!(app.gql(&fine, json!({}), None).await?["data"]["__typename"], "Query");
    Ok(())
}

#[tokio::test]
async fn huge_and_hostile_strings_are_refused_before_any_io() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let statements = app.statements();
    // A 900 KB username: refused by its length, nothing looked up or written.
    let body = app.gql(LOGIN, json!({ "u": "u".repeat(900_000), "p": "whatever-it-is" }), None).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(app.statements(), statements, "no statement ran for a refused sign-in");
    // Search strings: at most 100 characters, on every list.
    for list in ["projects", "issues", "cases", "users", "units"] {
        let q = format!("query($s: String) {{ {list}(filter: {{ search: $s }}) {{ totalCount }} }}");
        let body = app.gql(&q, json!({ "s": "字".repeat(101) }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{list}: {body}");
        let body = app.gql(&q, json!({ "s": "x".repeat(100_000) }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{list}: {body}");
    }
    // Any string argument, inline or in a variable, has a ceiling.
    let project = create(&app, &admin, "长文本测试项目").await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id title } }";
    let issue = |title: &str, description: &str| json!({ "i": { "projectId": project, "kind": "LAND_ACQUISITION", "title": title, "description": description } });
    let body = app.gql(raise, issue("标题", &"长".repeat(30_000)), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let inline = format!("{{ projects(filter: {{ search: \"{}\" }}) {{ totalCount }} }}", "x".repeat(30_000));
    assert_eq!(error_code(&app.gql(&inline, json!({}), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    // NUL, direction overrides, and titles made only of invisible characters.
    for title in ["征地\u{0}问题", "征地\u{202E}问题", "\u{200B}\u{200D}\u{FEFF}", " \u{2060} "] {
        let body = app.gql(raise, issue(title, ""), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{title:?}: {body}");
    }
    let ok = app.data(raise, issue("\u{200B} 征地问题 ", ""), Some(&admin)).await?;
    assert_eq!(ok["raiseIssue"]["title"], "征地问题", "invisible characters around a title are trimmed");
    Ok(())
}

#[tokio::test]
async fn search_wildcards_are_literal() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "query($s: String) { projects(filter: { search: $s }) { totalCount } units(filter: { search: $s }) { totalCount } }";
    for pattern in ["%", "_", "%%", "\\"] {
        let data = app.data(q, json!({ "s": pattern }), Some(&admin)).await?;
        assert_eq!(data["projects"]["totalCount"], 0, "{pattern}: {data}");
        assert_eq!(data["units"]["totalCount"], 0, "{pattern}: {data}");
    }
    let data = app.data(q, json!({ "s": "自然资源" }), Some(&admin)).await?;
    assert_eq!(data["units"]["totalCount"], 1);
    Ok(())
}

#[tokio::test]
async fn dates_are_exactly_iso_and_within_range() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "日期测试项目").await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { dueDate } }";
    for due in ["2026-2-3", "-2026-02-03", "+12026-02-03", "1800-01-01", "2026-02-30", "20260203"] {
        let vars = json!({ "i": { "projectId": project, "kind": "OTHER", "title": "日期", "dueDate": due } });
        let body = app.gql(raise, vars, Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{due}: {body}");
    }
    let vars = json!({ "i": { "projectId": project, "kind": "OTHER", "title": "日期", "dueDate": "2030-02-03" } });
    assert_eq!(app.data(raise, vars, Some(&admin)).await?["raiseIssue"]["dueDate"], "2030-02-03");
    Ok(())
}

/// Every Decimal input field in the schema, with a mutation that carries it. A new Decimal input
/// fails the test until it is listed here and fed the extremes too.
const DECIMAL_INPUTS: [&str; 15] = [
    "AssessmentSchemeInput.deductionPerVeto",
    "CreateProjectInput.priorCompletedInvestment",
    "CreateProjectInput.totalInvestment",
    "FundingDetailsInput.standardAmount",
    "FundingShareInput.sharePercent",
    "FundingTargetInput.amount",
    "GrantAwardInput.amount",
    "MonthlyReportInput.investmentThisMonth",
    "MonthlyReportInput.progressPercent",
    "RecordFundingMoneyInput.amount",
    "UpdateProjectInput.priorCompletedInvestment",
    "UpdateProjectInput.progressPercent",
    "UpdateProjectInput.totalInvestment",
    "VetoUnitInput.deduction",
    "YearPlanInput.plannedInvestment",
];

#[tokio::test]
async fn extreme_decimals_are_refused_everywhere_never_a_panic() -> TestResult {
    let app = TestApp::spawn().await?;
    let types = app
        .data("{ __schema { types { name inputFields { name type { name ofType { name } } } } } }", json!({}), None)
        .await?;
    let mut found: Vec<String> = Vec::new();
    for t in types["__schema"]["types"].as_array().ok_or("types")? {
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if f["type"]["name"] == "Decimal" || f["type"]["ofType"]["name"] == "Decimal" {
                found.push(format!("{}.{}", t["name"].as_str().unwrap_or_default(), f["name"].as_str().unwrap_or("")));
            }
        }
    }
    found.sort();
    assert_eq!(found, DECIMAL_INPUTS, "every Decimal input is exercised below");

    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let project = create(&app, &admin, "极值测试项目").await?;
    let period = crate::helpers::county_today().format("%Y-%m").to_string();
    let unit = crate::helpers::unit_id("发改局");
    let grant = |standard: Value, share: Value| json!({ "i": { "kind": "GRANT", "details": { "name": "极值补助", "counterpart": "省", "channel": "补助", "standardAmount": standard }, "units": [{ "unitId": unit, "sharePercent": share }] } });
    let record = "mutation($i: RecordFundingItemInput!) { recordFundingItem(input: $i) { id } }";
    let item = app.data(record, grant(json!(400), json!(100)), Some(&admin)).await?["recordFundingItem"]["id"].clone();
    let extremes = ["10000000000000000000000000000", "79228162514264337593543950335", "1e30", "0.0000001", "-1"];
    for value in extremes {
        let mut cases: Vec<(&str, Value, &str)> = Vec::new();
        let mut created = crate::projects::new_project("极值项目");
        created["i"]["code"] = Value::Null;
        for field in ["totalInvestment", "priorCompletedInvestment"] {
            let mut v = created.clone();
            v["i"][field] = json!(value);
            cases.push((crate::projects::CREATE, v, "admin"));
        }
        let mut v = created.clone();
        v["i"]["yearPlans"][0]["plannedInvestment"] = json!(value);
        cases.push((crate::projects::CREATE, v, "admin"));
        let update = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }";
        for field in ["totalInvestment", "priorCompletedInvestment", "progressPercent"] {
            cases.push((update, json!({ "id": project, "i": { field: value } }), "admin"));
        }
        let submit = "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { id } }";
        for field in ["investmentThisMonth", "progressPercent"] {
            let mut i = json!({ "projectId": project, "period": period, "investmentThisMonth": "1", "progressPercent": "1", "narrative": "x" });
            i[field] = json!(value);
            cases.push((submit, json!({ "i": i }), "owner"));
        }
        cases.push((record, grant(json!(value), json!(100)), "admin"));
        cases.push((record, grant(json!(400), json!(value)), "admin"));
        let targets = "mutation($t: [FundingTargetInput!]!) { setFundingTargets(year: 2026, targets: $t) }";
        cases.push((targets, json!({ "t": [{ "unitId": unit, "kind": "GRANT", "amount": value }] }), "admin"));
        let money = "mutation($i: RecordFundingMoneyInput!) { recordFundingMoney(input: $i) { id } }";
        let entry = json!({ "itemId": item, "flow": "RECEIVED", "on": "2026-01-05", "amount": value });
        cases.push((money, json!({ "i": entry }), "admin"));
        let scheme = "mutation($i: AssessmentSchemeInput!) { publishAssessmentScheme(input: $i) { id } }";
        let metrics = json!([{ "metric": "REPORTS_ON_TIME", "weight": 1 }]);
        cases.push((
            scheme,
            json!({ "i": { "name": "极值办法", "year": 2026, "metrics": metrics, "deductionPerVeto": value } }),
            "admin",
        ));
        let veto = "mutation($i: VetoUnitInput!) { vetoUnit(input: $i) { id } }";
        cases.push((veto, json!({ "i": { "unitId": unit, "period": "2026", "condition": "OTHER", "reason": "极值", "deduction": value } }), "admin"));
        let award = "mutation($i: GrantAwardInput!) { grantAward(input: $i) { id } }";
        cases.push((
            award,
            json!({ "i": { "unitId": unit, "period": "2026", "amount": value, "basis": "极值" } }),
            "admin",
        ));
        for (q, vars, who) in cases {
            let token = if who == "admin" { &admin } else { &owner };
            let body = app.gql(q, vars.clone(), Some(token)).await?;
            assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{value} in {vars}: {body}");
        }
    }
    // A percentage of 10^28 given as a plain integer too.
    let i = json!({ "projectId": project, "period": period, "investmentThisMonth": 1, "progressPercent": 9_000_000_000_000_000_000u64, "narrative": "x" });
    let body = app
        .gql(
            "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { id } }",
            json!({ "i": i }),
            Some(&owner),
        )
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(app.client.get(app.url("/healthz")).send().await?.status(), 200, "the server lives");
    Ok(())
}

/// Sends `bodies` to `/graphql` all at once (released together by a barrier), with `token` when
/// given, and returns the answers in order.
async fn burst(app: &TestApp, token: Option<&str>, bodies: Vec<Value>) -> TestResult<Vec<Value>> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(bodies.len()));
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let mut request = app.client.post(app.url("/graphql")).json(&body);
            if let Some(t) = token {
                request = request.bearer_auth(t);
            }
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                request.send().await?.json::<Value>().await
            })
        })
        .collect();
    let mut answers = Vec::with_capacity(tasks.len());
    for t in tasks {
        answers.push(t.await??);
    }
    Ok(answers)
}

#[tokio::test]
async fn twenty_concurrent_writers_on_one_row_get_success_or_conflict() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let project = create(&app, &admin, "并发写测试项目").await?;
    let period = crate::helpers::county_today().format("%Y-%m").to_string();
    let submit = "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { version } }";
    let bodies = (0..20)
        .map(|n| {
            let i = json!({ "projectId": project, "period": period, "investmentThisMonth": format!("{n}"), "progressPercent": "5", "narrative": "并发" });
            json!({ "query": submit, "variables": { "i": i } })
        })
        .collect();
    let mut ok = 0;
    for body in burst(&app, Some(&owner), bodies).await? {
        match error_code(&body) {
            None => ok += 1,
            Some("CONFLICT") => {}
            other => panic!("{other:?}: {body}"),
        }
    }
    assert!(ok >= 1, "at least one write lands");
    Ok(())
}

#[tokio::test]
async fn undoing_a_measure_reopens_a_resolved_case() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id measures { id } } }";
    let data = app
        .data(
            open,
            json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "撤销措施", "policy": "测试", "leadUnitId": unit_id("自然资源局"),
                           "measures": [{ "description": "措施一", "ownerUnitId": unit_id("自然资源局"), "deadline": "2030-01-01" }],
                           "decision": "同意", "decidedOn": crate::helpers::county_today().to_string(), "decidedBy": "县政府" } }),
            Some(&admin),
        )
        .await?;
    let id = data["openCase"]["id"].as_str().ok_or("id")?.to_owned();
    let measure = data["openCase"]["measures"][0]["id"].as_str().ok_or("measure")?.to_owned();
    let done = "mutation($m: UUID!, $d: Date) { completeCaseMeasure(measureId: $m, doneOn: $d) { status } }";
    let today = crate::helpers::county_today().to_string();
    app.data(done, json!({ "m": measure, "d": today }), Some(&admin)).await?;
    let resolved =
        app.data("mutation($id: UUID!) { resolveCase(id: $id) { status } }", json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(resolved["resolveCase"]["status"], "RESOLVED");
    let undone = app.data(done, json!({ "m": measure, "d": null }), Some(&admin)).await?;
    assert_eq!(
        undone["completeCaseMeasure"]["status"], "IN_PROGRESS",
        "a resolved case with an undone measure reopens"
    );
    Ok(())
}

#[tokio::test]
async fn request_ids_from_clients_are_uuids_or_replaced() -> TestResult {
    let app = TestApp::spawn().await?;
    let send = |id: &'static str| {
        app.client
            .post(app.url("/graphql"))
            .header("x-request-id", id)
            .json(&json!({ "query": "{ __typename }" }))
            .send()
    };
    let uuid = "0193c6a4-1f6e-7c2a-9d1b-3f5e8a7b6c5d";
    assert_eq!(send(uuid).await?.headers().get("x-request-id").ok_or("no header")?, uuid);
    for hostile in ["gateway-42", "'; DROP TABLE users; --", "0193c6a4-1f6e-7c2a-9d1b-3f5e8a7b6c5d-x"] {
        let r = send(hostile).await?;
        let got = r.headers().get("x-request-id").ok_or("no header")?.to_str()?.to_owned();
        assert!(Uuid::try_parse(&got).is_ok() && got != hostile, "{hostile:?} → {got}");
    }
    Ok(())
}

#[tokio::test]
async fn simple_cross_site_posts_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let body = r#"{"query":"{ me { id } }"}"#;
    for content_type in ["text/plain", "application/x-www-form-urlencoded", "text/plain; charset=utf-8"] {
        let r = app
            .client
            .post(app.url("/graphql"))
            .bearer_auth(&admin)
            .header("content-type", content_type)
            .body(body)
            .send()
            .await?;
        assert_eq!(r.status(), 400, "{content_type}");
        let v: Value = r.json().await?;
        assert_eq!(error_code(&v), Some("BAD_USER_INPUT"));
    }
    // A multipart request without the preflight header is refused; with it, it is read.
    let form = reqwest::multipart::Form::new().text("operations", body).text("map", "{}");
    let r = app.client.post(app.url("/graphql")).bearer_auth(&admin).multipart(form).send().await?;
    assert_eq!(r.status(), 400);
    let form = reqwest::multipart::Form::new().text("operations", body).text("map", "{}");
    let r = app.send_multipart(form, Some(&admin)).await?;
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await?["data"]["me"]["id"].is_string());
    Ok(())
}

/// A body that sends `first` and then nothing, ever.
fn stalling_body(first: Vec<u8>) -> reqwest::Body {
    let chunks = futures_util::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(first))])
        .chain(futures_util::stream::pending());
    reqwest::Body::wrap_stream(chunks)
}

use futures_util::StreamExt;

#[tokio::test]
async fn uploads_are_refused_from_their_headers_before_the_body_is_read() -> TestResult {
    let app = TestApp::spawn_with(|c| c.limits.body_idle_timeout_secs = 30).await?;
    let integration = app.login_as("integration").await?;
    let boundary = "XyZ";
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n").into_bytes();
    for token in [None, Some(integration.as_str())] {
        let mut r = app
            .client
            .post(app.url("/graphql"))
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .header("apollo-require-preflight", "true")
            .body(stalling_body(head.clone()));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        // The body never ends: only an answer from the headers alone can come back in time.
        let answered = tokio::time::timeout(Duration::from_secs(5), r.send()).await?;
        let status = answered?.status().as_u16();
        assert_eq!(status, if token.is_some() { 403 } else { 401 });
    }
    // `operations` beyond the JSON body limit is refused as it arrives.
    let admin = app.login_as("admin").await?;
    let big =
        format!("{{\"query\":\"{{ me {{ id }} }}\",\"variables\":{{\"x\":\"{}\"}}}}", "a".repeat(2 * 1024 * 1024));
    let form = reqwest::multipart::Form::new().text("operations", big).text("map", "{}");
    let r = app.send_multipart(form, Some(&admin)).await?;
    assert_eq!(r.status(), 413);
    let v: Value = r.json().await?;
    assert_eq!(error_code(&v), Some("PAYLOAD_TOO_LARGE"), "{v}");
    Ok(())
}

#[tokio::test]
async fn slow_clients_are_dropped_and_connections_are_capped() -> TestResult {
    let app = TestApp::spawn_with(|c| {
        c.limits.body_idle_timeout_secs = 1;
        c.limits.header_timeout_secs = 1;
        c.limits.max_connections = 2;
    })
    .await?;
    // A body that stops coming is answered 408 after the idle timeout.
    let started = Instant::now();
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(stalling_body(b"{\"query\":".to_vec()))
        .send()
        .await?;
    assert_eq!(r.status(), 408);
    assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
    // Two half-open connections take every place; the header timeout frees them.
    let mut half_open = Vec::new();
    for _ in 0..2 {
        let mut s = tokio::net::TcpStream::connect(app.addr).await?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n").await?;
        half_open.push(s);
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let started = Instant::now();
    let r = tokio::time::timeout(Duration::from_secs(10), app.client.get(app.url("/healthz")).send()).await??;
    assert_eq!(r.status(), 200);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(500), "served at once although the cap was reached: {waited:?}");
    // The server closed the half-open connections.
    for mut s in half_open {
        let mut buf = Vec::new();
        let read = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
        assert!(read.is_ok(), "a half-open connection was never closed");
    }
    Ok(())
}

#[tokio::test]
async fn metrics_need_their_token_or_their_own_address() -> TestResult {
    let app = TestApp::spawn().await?;
    let r = app.client.get(app.url("/metrics")).send().await?;
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url("/metrics")).bearer_auth("wrong-token-wrong-token").send().await?;
    assert_eq!(r.status(), 404);
    let r = app.client.get(app.url("/metrics")).bearer_auth("test-metrics-token").send().await?;
    assert_eq!(r.status(), 200);
    assert!(r.text().await?.contains("keyprojects_sql_statements_total"));
    // Without a token configured, only the separate address serves them.
    let dir = tempfile::tempdir()?;
    let url = crate::helpers::demo_database(dir.path()).await?;
    let mut config = api::Config::for_tests(url, dir.path().to_owned());
    config.metrics_token = None;
    config.metrics_bind = Some(std::net::SocketAddr::from(([127, 0, 0, 1], 0)));
    let built = api::Application::build(config).await?;
    let (addr, metrics) = (built.local_addr()?, built.metrics_addr().ok_or("no metrics address")?);
    tokio::spawn(built.run(std::future::pending()));
    let r = app.client.get(format!("http://{addr}/metrics")).bearer_auth("test-metrics-token").send().await?;
    assert_eq!(r.status(), 404);
    let r = app.client.get(format!("http://{metrics}/metrics")).send().await?;
    assert_eq!(r.status(), 200);
    Ok(())
}

async fn login_from(app: &TestApp, address: &str, user: &str, password: &str) -> TestResult<Value> {
    let r = app
        .client
        .post(app.url("/graphql"))
        .header("x-test-client", address)
        .json(&json!({ "query": LOGIN, "variables": { "u": user, "p": password } }))
        .send()
        .await?;
    Ok(r.json().await?)
}

#[tokio::test]
async fn a_burst_of_guesses_is_counted_before_any_is_checked() -> TestResult {
    let app = TestApp::spawn_with(|c| c.login.address_burst = 1000).await?;
    // The right password is among them.
    let bodies = (0..120)
        .map(|n| {
            let password = if n == 77 { DEMO_PASSWORD.to_owned() } else { format!("guess-number-{n}") };
            json!({ "query": LOGIN, "variables": { "u": "admin", "p": password } })
        })
        .collect();
    let mut evaluated = 0;
    for body in burst(&app, None, bodies).await? {
        match error_code(&body) {
            None | Some("UNAUTHENTICATED") => evaluated += 1,
            Some("RATE_LIMITED") => {}
            other => panic!("{other:?}: {body}"),
        }
    }
    assert!(evaluated <= 5, "{evaluated} passwords were checked; the limit is 5");
    Ok(())
}

#[tokio::test]
async fn strangers_cannot_lock_the_owner_out_and_one_address_cannot_spray() -> TestResult {
    let app = TestApp::spawn_with(|c| c.login.client_ip_header = Some("x-test-client".into())).await?;
    // The owner signs in from the office.
    assert!(login_from(&app, "10.0.0.5", "admin", DEMO_PASSWORD).await?["data"]["login"]["token"].is_string());
    // A stranger exhausts the account's allowance for everyone else…
    for _ in 0..5 {
        login_from(&app, "203.0.113.9", "admin", "guess-guess").await?;
    }
    let body = login_from(&app, "203.0.113.9", "admin", DEMO_PASSWORD).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    let body = login_from(&app, "198.51.100.1", "admin", DEMO_PASSWORD).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "another stranger: {body}");
    // …but the owner, from where they signed in before, still gets in.
    assert!(login_from(&app, "10.0.0.5", "admin", DEMO_PASSWORD).await?["data"]["login"]["token"].is_string());
    // One address trying many usernames runs out, whatever the usernames.
    let mut limited = false;
    for n in 0..30 {
        let body = login_from(&app, "192.0.2.7", &format!("user{n}"), "guess-guess").await?;
        if error_code(&body) == Some("RATE_LIMITED") {
            limited = true;
            assert!(n >= 20, "the burst is 20: limited at {n}");
            break;
        }
    }
    assert!(limited, "an address spraying usernames is limited");
    Ok(())
}

#[tokio::test]
async fn change_password_counts_failures_like_a_sign_in() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("fgj").await?;
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";
    for _ in 0..5 {
        let body = app.gql(q, json!({ "c": "guess-guess", "n": "a-new-long-password" }), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let body = app.gql(q, json!({ "c": DEMO_PASSWORD, "n": "a-new-long-password" }), Some(&token)).await?;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    Ok(())
}

#[tokio::test]
async fn weak_passwords_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let q = "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }";
    for password in ["password", "Password123", "short-pw1", "clerk.wang-2026", "0000000000"] {
        let i = json!({ "username": "clerk.wang", "displayName": "王", "password": password, "role": "INSPECTOR", "unitId": unit_id("项目办") });
        let body = app.gql(q, json!({ "i": i }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{password}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "password");
    }
    let change =
        "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";
    let body = app.gql(change, json!({ "c": DEMO_PASSWORD, "n": "qwerty1234" }), Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "newPassword", "{body}");
    Ok(())
}

/// A JPEG made here.
fn jpeg(w: u32, h: u32, shade: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, _| image::Rgb([if x % 2 == 0 { 200 } else { 20 }, shade, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    let _ = img.write_to(&mut out, image::ImageFormat::Jpeg);
    out.into_inner()
}

async fn upload(app: &TestApp, token: &str, input: Value, bytes: Vec<u8>) -> TestResult<Value> {
    let r = app
        .upload(UPLOAD, json!({ "i": input, "file": null }), vec![("variables.file", "a.jpg", bytes)], Some(token))
        .await?;
    Ok(r.json().await?)
}

/// A project of 发改局's, which 自然资源局 (`zrzyj`) does not see into.
async fn project_of_fgj(app: &TestApp, admin: &str, name: &str) -> TestResult<String> {
    let mut v = crate::projects::new_project(name);
    v["i"]["code"] = Value::Null;
    v["i"]["responsibleUnitId"] = json!(unit_id("发改局"));
    let d = app.data(crate::projects::CREATE, v, Some(admin)).await?;
    Ok(d["createProject"]["id"].as_str().ok_or("id")?.to_owned())
}

#[tokio::test]
async fn photos_cannot_be_slipped_into_evidence_or_replayed_by_others() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let own = create(&app, &admin, "自然资源局的项目").await?;
    let theirs = project_of_fgj(&app, &admin, "发改局的项目").await?;
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id } }";
    let d = app
        .data(raise, json!({ "i": { "projectId": theirs, "kind": "OTHER", "title": "发改局的问题" } }), Some(&admin))
        .await?;
    let private = d["raiseIssue"]["id"].as_str().ok_or("id")?.to_owned();
    // An issue the caller cannot see: NOT_FOUND, as if it did not exist, and nothing is stored.
    let i = json!({ "id": Uuid::new_v4(), "projectId": own, "issueId": private });
    let body = upload(&app, &zrzyj, i, jpeg(64, 48, 3)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let evidence = "query($id: UUID!) { issue(id: $id) { photos { id } } }";
    assert_eq!(app.data(evidence, json!({ "id": private }), Some(&admin)).await?["issue"]["photos"], json!([]));
    // An issue the caller sees, of another project: refused, naming the field.
    let i = json!({ "id": Uuid::new_v4(), "projectId": own, "issueId": private });
    let body = upload(&app, &admin, i, jpeg(64, 48, 2)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "issueId");
    // The same for inspections: one of a project 自然资源局 does not answer for is hidden from it, and
    // one of another project is refused.
    let q = "{ inspections(first: 50) { edges { node { id project { id responsibleUnit { name } } } } } }";
    let all = app.data(q, json!({}), Some(&admin)).await?;
    let foreign = all["inspections"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .find(|e| e["node"]["project"]["responsibleUnit"]["name"] != "自然资源局")
        .ok_or("a demo inspection of another unit's project")?;
    let inspection = foreign["node"]["id"].as_str().ok_or("id")?;
    let i = json!({ "id": Uuid::new_v4(), "projectId": own, "inspectionId": inspection });
    let body = upload(&app, &zrzyj, i.clone(), jpeg(64, 48, 6)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let body = upload(&app, &admin, i, jpeg(64, 48, 6)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "inspectionId", "{body}");

    // Replays: only the uploader; to anyone else the id is unknown, whatever the bytes.
    let id = Uuid::new_v4();
    let bytes = jpeg(64, 48, 4);
    let first = upload(&app, &zrzyj, json!({ "id": id, "projectId": own }), bytes.clone()).await?;
    assert!(first["data"]["uploadPhoto"]["id"].is_string(), "{first}");
    let again = upload(&app, &zrzyj, json!({ "id": id, "projectId": own }), bytes.clone()).await?;
    assert_eq!(again["data"]["uploadPhoto"]["id"], json!(id.to_string()));
    for b in [bytes.clone(), jpeg(64, 48, 5)] {
        let body = upload(&app, &admin, json!({ "id": id, "projectId": own }), b).await?;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
        assert!(body["data"]["uploadPhoto"].is_null());
    }
    // The same bytes on 发改局's project: its users learn that they were seen elsewhere, not where.
    let reused = upload(&app, &admin, json!({ "id": Uuid::new_v4(), "projectId": theirs }), bytes).await?;
    let reused = reused["data"]["uploadPhoto"]["id"].as_str().ok_or("reused")?.to_owned();
    let fgj = app.login_as("fgj").await?;
    let q = "query($id: UUID!) { photo(id: $id) { trustReasons { code detail } } }";
    let seen = app.data(q, json!({ "id": reused }), Some(&fgj)).await?;
    let reasons = seen["photo"]["trustReasons"].as_array().ok_or("reasons")?;
    let reason = reasons.iter().find(|r| r["code"] == "REUSED_ELSEWHERE").ok_or("flagged")?;
    let detail = reason["detail"].as_str().unwrap_or_default();
    assert!(!detail.contains(&own) && !detail.contains("自然资源局") && !detail.contains(&id.to_string()), "{detail}");
    Ok(())
}

#[tokio::test]
async fn one_file_named_by_two_uploads_is_read_whole_by_each() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "别名上传项目").await?;
    let q = "mutation($a: PhotoInput!, $b: PhotoInput!, $f: Upload!, $g: Upload!) { a: uploadPhoto(input: $a, file: $f) { sha256 byteSize } b: uploadPhoto(input: $b, file: $g) { sha256 byteSize } }";
    let bytes = jpeg(120, 90, 7);
    let operations = json!({ "query": q, "variables": {
        "a": { "id": Uuid::new_v4(), "projectId": project }, "b": { "id": Uuid::new_v4(), "projectId": project },
        "f": null, "g": null } });
    let form = reqwest::multipart::Form::new()
        .text("operations", operations.to_string())
        .text("map", json!({ "0": ["variables.f", "variables.g"] }).to_string())
        .part("0", reqwest::multipart::Part::bytes(bytes.clone()).file_name("a.jpg"));
    let r = app.send_multipart(form, Some(&admin)).await?;
    let body: Value = r.json().await?;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["a"]["byteSize"], bytes.len());
    assert_eq!(body["data"]["b"]["byteSize"], bytes.len());
    assert_eq!(body["data"]["a"]["sha256"], body["data"]["b"]["sha256"]);
    Ok(())
}

#[tokio::test]
async fn case_links_leave_out_inspections_and_photos_the_caller_cannot_open() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let theirs = project_of_fgj(&app, &admin, "别人的项目").await?;
    let photo = upload(&app, &admin, json!({ "id": Uuid::new_v4(), "projectId": theirs }), jpeg(64, 48, 9)).await?;
    let photo = photo["data"]["uploadPhoto"]["id"].as_str().ok_or("photo")?.to_owned();
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id } }";
    let d = app
        .data(open, json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "联合协调", "policy": "测试", "leadUnitId": unit_id("自然资源局") } }), Some(&admin))
        .await?;
    let case = d["openCase"]["id"].as_str().ok_or("case")?.to_owned();
    let link = "mutation($c: UUID!, $p: [UUID!]) { linkToCase(caseId: $c, photoIds: $p) { id } }";
    app.data(link, json!({ "c": case, "p": [photo] }), Some(&admin)).await?;
    let show = "query($id: UUID!) { case(id: $id) { links { targetType targetId } } }";
    let seen = app.data(show, json!({ "id": case }), Some(&admin)).await?;
    assert_eq!(seen["case"]["links"].as_array().map(Vec::len), Some(1));
    let body = app.gql("query($id: UUID!) { photo(id: $id) { id } }", json!({ "id": photo }), Some(&zrzyj)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "the lead unit cannot open the photo: {body}");
    let seen = app.data(show, json!({ "id": case }), Some(&zrzyj)).await?;
    assert_eq!(seen["case"]["links"], json!([]), "so its link is left out: {seen}");
    Ok(())
}

#[tokio::test]
async fn the_orphan_sweep_finds_orphans_of_any_age() -> TestResult {
    let app = TestApp::spawn().await?;
    let old = format!("photos/2019-03-01/{}-deadbeef", Uuid::new_v4());
    app.state.storage.put(&old, bytes::Bytes::from_static(b"left by a crash long ago")).await?;
    let removed =
        api::service::photo::sweep_orphans(&app.state.db, &app.state.storage, chrono::Duration::seconds(-1)).await?;
    assert!(removed >= 1);
    assert!(app.state.storage.list("photos/2019-03-01").await?.is_empty(), "the old orphan is gone");
    Ok(())
}

#[tokio::test]
async fn images_that_would_decode_past_the_memory_budget_are_refused() -> TestResult {
    let app = TestApp::spawn_with(|c| c.limits.photo_memory_bytes = 32 * 1024 * 1024).await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "解码预算项目").await?;
    // 2500 × 2500 at 16-bit RGBA: 6.25 MP, well within the pixel limit, 50 MB decoded.
    let bomb = crate::bombs::deep_png(2500, 2500);
    assert!(bomb.len() < 1024 * 1024, "{} bytes", bomb.len());
    let body = upload(&app, &admin, json!({ "id": Uuid::new_v4(), "projectId": project }), bomb).await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    assert!(message(&body).contains("MiB"), "{body}");
    // A lossless WebP of 2000 × 2000 (16 MB decoded as RGBA, plus its RGB copies) is a few KB.
    let webp = crate::bombs::lossless_webp(2000, 2000)?;
    let body = upload(&app, &admin, json!({ "id": Uuid::new_v4(), "projectId": project }), webp).await?;
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"), "{body}");
    // The same picture at 8-bit depth fits and is thumbnailed.
    let img = image::RgbImage::from_pixel(1200, 900, image::Rgb([10, 200, 30]));
    let mut png8 = std::io::Cursor::new(Vec::new());
    img.write_to(&mut png8, image::ImageFormat::Png)?;
    let body = upload(&app, &admin, json!({ "id": Uuid::new_v4(), "projectId": project }), png8.into_inner()).await?;
    assert!(body["data"]["uploadPhoto"]["id"].is_string(), "{body}");
    Ok(())
}
