//! The ledgers and summaries as spreadsheets (cases, missing reports by unit, the dashboard), each
//! read back and checked against the API's own answers for the same caller; and signed links to the
//! map feeds.

use std::collections::BTreeMap;
use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};

use crate::exports::{number, text};
use crate::helpers::{TestApp, TestResult};

/// Every worksheet of the workbook at `path` (fetched with `token`, or as a link without one), by name,
/// in order; each one's first row is its title.
async fn book(app: &TestApp, path: &str, token: Option<&str>) -> TestResult<Vec<(String, Vec<Vec<Data>>)>> {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let r = request.send().await?;
    assert_eq!(r.status(), 200, "{path}");
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await?.to_vec()))?;
    let mut out = Vec::new();
    for name in book.sheet_names() {
        let rows: Vec<Vec<Data>> = book.worksheet_range(&name)?.rows().map(<[Data]>::to_vec).collect();
        assert_eq!(rows[0][0], Data::String(name.clone()), "the title row of {name}");
        out.push((name, rows));
    }
    Ok(out)
}

/// `link` with its last character (a hex digit of the signature) changed.
pub fn flip_last(link: &str) -> String {
    let last = if link.ends_with('0') { '1' } else { '0' };
    format!("{}{last}", &link[..link.len() - 1])
}

fn decimal(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).unwrap_or(f64::NAN)
}

const CASES: &str = "query($a: String) { cases(first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind title status project { name } leadUnit { name } units { name } measures { deadline doneOn overdue } decision decidedOn decidedBy } } } }";

#[tokio::test]
async fn the_case_ledger_is_every_case_the_caller_may_see_with_its_measures_in_figures() -> TestResult {
    let app = TestApp::spawn().await?;
    let mut seen_decision = false;
    for user in ["admin", "fgj"] {
        let token = app.login_as(user).await?;
        let sheets = book(&app, "/exports/cases.xlsx", Some(&token)).await?;
        let [(title, rows)] = &sheets[..] else { return Err(format!("one worksheet: {:?}", sheets.len()).into()) };
        assert_eq!(title, "一项一策、一事一议台账");
        let mut cases: BTreeMap<String, Value> = BTreeMap::new();
        let mut after = Value::Null;
        loop {
            let page = app.data(CASES, json!({ "a": after }), Some(&token)).await?;
            for edge in page["cases"]["edges"].as_array().ok_or("edges")? {
                cases.insert(edge["node"]["title"].as_str().ok_or("title")?.to_owned(), edge["node"].clone());
            }
            if page["cases"]["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["cases"]["pageInfo"]["endCursor"].clone();
        }
        let data = &rows[3..];
        assert_eq!(data.len(), cases.len(), "{user}: one row per case the caller may see");
        assert!(!data.is_empty(), "{user}: the demo county has cases this user sees");
        for row in data {
            let title = text(&row[2]);
            let c = cases.get(&title).ok_or_else(|| format!("{user}: a row for an unseen case {title}"))?;
            let kind = if c["kind"] == "ONE_PROJECT_ONE_POLICY" { "一项一策" } else { "一事一议" };
            assert_eq!(text(&row[1]), kind, "{title}");
            assert_eq!(text(&row[3]), c["project"]["name"].as_str().unwrap_or_default(), "{title}: project");
            assert_eq!(text(&row[4]), c["leadUnit"]["name"].as_str().unwrap_or_default(), "{title}: lead");
            let mut units: Vec<&str> =
                c["units"].as_array().ok_or("units")?.iter().filter_map(|u| u["name"].as_str()).collect();
            units.sort_unstable();
            assert_eq!(text(&row[5]), units.join("、"), "{title}: units taking part");
            let measures = c["measures"].as_array().ok_or("measures")?;
            let done = measures.iter().filter(|m| !m["doneOn"].is_null()).count();
            let overdue = measures.iter().filter(|m| m["overdue"] == true).count();
            assert_eq!(number(&row[7]), measures.len() as f64, "{title}: measures");
            assert_eq!(number(&row[8]), done as f64, "{title}: done");
            assert_eq!(number(&row[9]), overdue as f64, "{title}: overdue");
            let next = measures
                .iter()
                .filter(|m| m["doneOn"].is_null())
                .filter_map(|m| m["deadline"].as_str())
                .min()
                .map(str::to_owned);
            let shown = row[10].as_datetime().map(|d| d.date().to_string());
            assert_eq!(shown, next, "{title}: the nearest open deadline, as a date");
            assert_eq!(text(&row[11]), c["decision"].as_str().unwrap_or_default(), "{title}: decision");
            seen_decision |= !c["decision"].is_null() && row[12].is_datetime();
            assert!(row[14].is_datetime(), "{title}: opened on a date");
        }
    }
    assert!(seen_decision, "a decided matter shows its decision and date");
    Ok(())
}

#[tokio::test]
async fn missing_reports_by_unit_count_and_list_what_missing_reports_pages() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let today = crate::helpers::county_today();
    let due_day = api::service::settings::rules(&app.state.db).await?.report_due_day;
    let period = api::service::period::last_closed_period(today, due_day).key();
    let q = "query($p: String!, $a: String) { missingReports(period: $p, first: 100, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { project { name } unit { name } } } } }";
    let mut api_rows: Vec<(String, String)> = Vec::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(q, json!({ "p": period, "a": after }), Some(&leader)).await?["missingReports"].clone();
        for e in page["edges"].as_array().ok_or("edges")? {
            let name = |v: &Value| v["name"].as_str().unwrap_or_default().to_owned();
            api_rows.push((name(&e["node"]["unit"]), name(&e["node"]["project"])));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert!(!api_rows.is_empty(), "the demo county misses some reports");
    // Asked for by period, and by default (the last closed period): the same workbook.
    for path in [format!("/exports/missing-reports.xlsx?period={period}"), "/exports/missing-reports.xlsx".to_owned()] {
        let sheets = book(&app, &path, Some(&leader)).await?;
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["未报送月报汇总", "未报送月报明细"]);
        let listed: Vec<(String, String)> = sheets[1].1[3..].iter().map(|r| (text(&r[1]), text(&r[2]))).collect();
        let mut expected = api_rows.clone();
        expected.sort();
        assert_eq!(listed, expected, "{path}: every project owing the report, by unit and name");
        let mut per_unit: BTreeMap<String, f64> = BTreeMap::new();
        for (unit, _) in &api_rows {
            *per_unit.entry(unit.clone()).or_default() += 1.0;
        }
        let summary: BTreeMap<String, f64> = sheets[0].1[3..].iter().map(|r| (text(&r[1]), number(&r[2]))).collect();
        assert_eq!(summary, per_unit, "{path}: counted by unit");
        let counts: Vec<f64> = sheets[0].1[3..].iter().map(|r| number(&r[2])).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most first: {counts:?}");
    }
    Ok(())
}

const DASHBOARD: &str = "query($y: Int) { dashboard(year: $y) { total { projectCount plannedInvestment completedInvestment } byCategory { category totals { projectCount plannedInvestment completedInvestment completionRate } } byIndustry { industry totals { projectCount } } lights { red yellow green } byUnit { unit { name } projectCount reportsDue reportsSubmitted reportsOnTime averageSlipDays } } }";

#[tokio::test]
async fn the_dashboard_sheets_hold_the_dashboards_figures() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let d = app.data(DASHBOARD, json!({}), Some(&leader)).await?["dashboard"].clone();
    let sheets = book(&app, "/exports/dashboard.xlsx", Some(&leader)).await?;
    let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["重点项目按类别汇总", "重点项目按产业汇总", "责任单位推进情况"]);
    let categories = &sheets[0].1;
    let lights = d["lights"].clone();
    assert!(text(&categories[1][0]).contains(&format!("红灯{}个", lights["red"])), "lights in the subtitle");
    let by_category = d["byCategory"].as_array().ok_or("byCategory")?;
    assert_eq!(categories.len() - 3, by_category.len() + 1, "a row per category and the total");
    for (row, c) in categories[3..].iter().zip(by_category.iter().map(|c| &c["totals"]).chain([&d["total"]])) {
        assert_eq!(number(&row[1]), c["projectCount"].as_f64().unwrap_or(f64::NAN), "{row:?}");
        assert!((number(&row[2]) - decimal(&c["plannedInvestment"])).abs() < 0.005, "{row:?}: planned");
        assert!((number(&row[3]) - decimal(&c["completedInvestment"])).abs() < 0.005, "{row:?}: completed");
    }
    assert_eq!(text(&categories.last().ok_or("rows")?[0]), "合计");
    let units = &sheets[2].1[3..];
    let by_unit = d["byUnit"].as_array().ok_or("byUnit")?;
    assert_eq!(units.len(), by_unit.len());
    for (row, u) in units.iter().zip(by_unit) {
        assert_eq!(text(&row[1]), u["unit"]["name"].as_str().unwrap_or_default());
        for (col, field) in [(2, "projectCount"), (3, "reportsDue"), (4, "reportsSubmitted"), (5, "reportsOnTime")] {
            assert_eq!(number(&row[col]), u[field].as_f64().unwrap_or(f64::NAN), "{field} of {row:?}");
        }
        match u["averageSlipDays"].as_str() {
            Some(days) => assert!((number(&row[6]) - days.parse::<f64>()?).abs() < 1e-9, "{row:?}"),
            None => assert_eq!(row[6], Data::Empty),
        }
    }
    // Another year, by link: the link carries the year and its figures are that year's.
    let q = "query($y: Int) { exportUrl(sheet: DASHBOARD, year: $y) }";
    let link = app.data(q, json!({ "y": 2025 }), Some(&leader)).await?["exportUrl"].as_str().ok_or("link")?.to_owned();
    assert!(link.contains("year=2025"), "{link}");
    let last_year = app.data(DASHBOARD, json!({ "y": 2025 }), Some(&leader)).await?["dashboard"].clone();
    let sheets = book(&app, &link, None).await?;
    let total = sheets[0].1.last().ok_or("rows")?;
    assert!((number(&total[3]) - decimal(&last_year["total"]["completedInvestment"])).abs() < 0.005);
    for (vars, field) in [(json!({ "y": 1999 }), "year")] {
        let body = app.gql(q, vars, Some(&leader)).await?;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let body = app.gql("{ exportUrl(sheet: CASES, year: 2025) }", json!({}), Some(&leader)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "year", "{body}");
    let r = app.client.get(app.url("/exports/dashboard.xlsx?year=abc")).bearer_auth(&leader).send().await?;
    assert_eq!(r.status(), 400);
    Ok(())
}

#[tokio::test]
async fn a_map_feed_link_fetches_as_its_user_without_a_token_and_nothing_else() -> TestResult {
    let app = TestApp::spawn().await?;
    let fgj = app.login_as("fgj").await?;
    let q = "query($f: MapFeed!, $q: String) { mapFeedUrl(feed: $f, query: $q) }";
    let ask = |feed: &'static str, query: &'static str| {
        let (app, fgj) = (&app, &fgj);
        async move { app.gql(q, json!({ "f": feed, "q": query }), Some(fgj)).await }
    };
    let link = ask("PROJECTS", "light=RED&datum=gcj02").await?["data"]["mapFeedUrl"].as_str().ok_or("link")?.to_owned();
    assert!(link.starts_with("/geo/projects.geojson?light=RED&datum=gcj02&"), "{link}");
    let by_link = app.client.get(app.url(&link)).send().await?;
    assert_eq!(by_link.status(), 200, "{link}");
    let by_link: Value = by_link.json().await?;
    let by_token: Value = app
        .client
        .get(app.url("/geo/projects.geojson?light=RED&datum=gcj02"))
        .bearer_auth(&fgj)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(by_link, by_token, "the link's user's feed, with its query");
    assert!(!by_link["features"].as_array().ok_or("features")?.is_empty());
    for altered in [
        link.replace("light=RED", "light=GREEN"),
        link.replace("projects.geojson", "photos.geojson"),
        link.replace("&datum=gcj02", ""),
        flip_last(&link),
    ] {
        assert_eq!(app.client.get(app.url(&altered)).send().await?.status(), 401, "{altered}");
    }
    for (feed, query, field) in [
        ("PROJECTS", "light=PURPLE", "light"),
        ("PROJECTS", "light=RED&uid=x", "query"),
        ("PHOTOS", "datum=gcj02", "projectId"),
        ("INSPECTIONS", "projectId=nope", "projectId"),
    ] {
        let body = ask(feed, query).await?;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{feed} {query}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{feed} {query}: {body}");
    }
    // A deactivated user's links stop working.
    let admin = app.login_as("admin").await?;
    let fgj_id = api::seed::demo::demo_id("user", "fgj");
    app.data("mutation($id: UUID!) { deactivateUser(id: $id) { id } }", json!({ "id": fgj_id }), Some(&admin)).await?;
    assert_eq!(app.client.get(app.url(&link)).send().await?.status(), 401, "deactivated");
    Ok(())
}

#[tokio::test]
async fn every_sheet_opens_for_every_role_and_its_link_for_every_person() -> TestResult {
    let app = TestApp::spawn().await?;
    let sheets = ["MONTHLY_REPORT", "ISSUES", "CASES", "MISSING_REPORTS", "DASHBOARD"];
    for user in ["admin", "leader", "deputy.auto", "fgj"] {
        let token = app.login_as(user).await?;
        for sheet in sheets {
            let q = "query($s: ExportSheet!) { exportUrl(sheet: $s) }";
            let link = app.data(q, json!({ "s": sheet }), Some(&token)).await?["exportUrl"].clone();
            let link = link.as_str().ok_or("link")?;
            let path = link.split('?').next().unwrap_or_default();
            assert!(!book(&app, path, Some(&token)).await?.is_empty(), "{user}: {sheet}");
            assert!(!book(&app, link, None).await?.is_empty(), "{user}: {sheet} by link");
        }
    }
    Ok(())
}
