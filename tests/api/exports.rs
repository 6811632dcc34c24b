//! Spreadsheet exports (`GET /exports/{name}.xlsx`): real workbooks, read back with a spreadsheet
//! reader and checked cell by cell against the API's own figures, as the caller may see them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Cursor;

use calamine::{Data, DataType, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult};

async fn get(app: &TestApp, path: &str, token: Option<&str>) -> TestResult<reqwest::Response> {
    let mut request = app.client.get(app.url(path));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.send().await?)
}

/// The rows of the workbook's one sheet, which is named `title`.
async fn sheet(app: &TestApp, path: &str, token: &str, title: &str) -> TestResult<Vec<Vec<Data>>> {
    let r = get(app, path, Some(token)).await?;
    assert_eq!(r.status(), 200, "{path}");
    assert_eq!(r.headers()["content-type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    let bytes = r.bytes().await?;
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec()))?;
    assert_eq!(book.sheet_names(), vec![title.to_owned()]);
    let range = book.worksheet_range(title)?;
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows[0][0], Data::String(title.to_owned()), "the title row");
    Ok(rows)
}

pub fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        _ => String::new(),
    }
}

pub fn number(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        _ => f64::NAN,
    }
}

async fn every_project(app: &TestApp, token: &str) -> TestResult<BTreeMap<String, Value>> {
    let query = "query($a: String) { projects(first: 100, after: $a) { pageInfo { hasNextPage endCursor } edges { node { name totalInvestment plannedInvestment health { light } responsibleUnit { name } } } } }";
    let mut out = BTreeMap::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(query, json!({ "a": after }), Some(token)).await?;
        for edge in page["projects"]["edges"].as_array().ok_or("edges")? {
            out.insert(edge["node"]["name"].as_str().ok_or("name")?.to_owned(), edge["node"].clone());
        }
        if page["projects"]["pageInfo"]["hasNextPage"] != true {
            return Ok(out);
        }
        after = page["projects"]["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn the_monthly_table_holds_every_project_with_the_apis_figures() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let today = crate::helpers::county_today();
    let due_day = api::service::settings::rules(&app.state.db).await?.report_due_day;
    let period = api::service::period::last_closed_period(today, due_day).key();
    let rows =
        sheet(&app, &format!("/exports/monthly-report.xlsx?period={period}"), &leader, "每月项目进展情况表").await?;
    let headers: Vec<String> = rows[2].iter().map(text).collect();
    assert_eq!(headers[1], "项目名称");
    assert_eq!(headers[11], "红黄绿灯");
    let projects = every_project(&app, &leader).await?;
    let data = &rows[3..];
    assert_eq!(data.len(), projects.len(), "one row per project");
    let missing_query =
        "query($p: String!) { missingReports(period: $p, first: 100) { edges { node { project { name } } } } }";
    let missing: BTreeSet<String> =
        app.data(missing_query, json!({ "p": period }), Some(&leader)).await?["missingReports"]["edges"]
            .as_array()
            .ok_or("missing")?
            .iter()
            .filter_map(|e| e["node"]["project"]["name"].as_str().map(str::to_owned))
            .collect();
    assert!(!missing.is_empty(), "the demo county misses some reports");
    let label = |light: &Value| match light.as_str() {
        Some("GREEN") => "绿灯",
        Some("YELLOW") => "黄灯",
        _ => "红灯",
    };
    for (n, row) in data.iter().enumerate() {
        assert_eq!(number(&row[0]), (n + 1) as f64, "numbered");
        let name = text(&row[1]);
        let p = projects.get(&name).ok_or_else(|| format!("a row for an unknown project {name}"))?;
        assert_eq!(text(&row[4]), p["responsibleUnit"]["name"].as_str().unwrap_or_default(), "{name}");
        let total: f64 = p["totalInvestment"].as_str().ok_or("total")?.parse()?;
        assert!((number(&row[5]) - total).abs() < 0.005, "{name}: total {} against {total}", number(&row[5]));
        if today.format("%Y").to_string() == period[..4] {
            let planned: f64 = p["plannedInvestment"].as_str().ok_or("planned")?.parse()?;
            assert!((number(&row[6]) - planned).abs() < 0.005, "{name}: planned");
        }
        assert_eq!(text(&row[11]), label(&p["health"]["light"]), "{name}: light");
        assert_eq!(text(&row[13]) == "未报送", missing.contains(&name), "{name}: missing report marked");
    }
    Ok(())
}

#[tokio::test]
async fn the_issue_ledger_is_what_the_caller_may_see_with_dates_as_dates() -> TestResult {
    let app = TestApp::spawn().await?;
    for user in ["admin", "fgj"] {
        let token = app.login_as(user).await?;
        let rows = sheet(&app, "/exports/issues.xlsx", &token, "问题台账").await?;
        let count =
            app.data("{ issues { totalCount } }", json!({}), Some(&token)).await?["issues"]["totalCount"].clone();
        assert_eq!(json!(rows.len() - 3), count, "{user}: one row per issue the caller may see");
        assert!(rows[3..].iter().all(|r| r[7].is_datetime()), "{user}: raised on a date");
        let overdue = rows[3..].iter().filter(|r| number(&r[9]) > 0.0).count();
        if user == "admin" {
            assert!(overdue > 0, "the demo county has overdue issues");
        }
    }
    Ok(())
}

#[tokio::test]
async fn bad_export_requests_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    assert_eq!(get(&app, "/exports/issues.xlsx", None).await?.status(), 401);
    assert_eq!(get(&app, "/exports/nothing.xlsx", Some(&admin)).await?.status(), 404);
    for (path, field) in [
        ("/exports/monthly-report.xlsx?period=2026-13", "period"),
        ("/exports/monthly-report.xlsx?colour=red", "colour"),
        ("/exports/issues.xlsx?period=2026-10", "period"),
    ] {
        let r = get(&app, path, Some(&admin)).await?;
        assert_eq!(r.status(), 400, "{path}");
        let body: Value = r.json().await?;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{path}: {body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_signed_link_downloads_as_its_user_may_see_and_nothing_else() -> TestResult {
    let app = TestApp::spawn().await?;
    let fgj = app.login_as("fgj").await?;
    let url = "query($s: ExportSheet!, $p: String) { exportUrl(sheet: $s, period: $p) }";
    let link =
        app.data(url, json!({ "s": "ISSUES" }), Some(&fgj)).await?["exportUrl"].as_str().ok_or("url")?.to_owned();
    let r = get(&app, &link, None).await?;
    assert_eq!(r.status(), 200, "{link}");
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(r.bytes().await?.to_vec()))?;
    let rows = book.worksheet_range("问题台账")?.height();
    let count = app.data("{ issues { totalCount } }", json!({}), Some(&fgj)).await?["issues"]["totalCount"].clone();
    assert_eq!(json!(rows - 3), count, "the link's user's issues");
    // Another user, another sheet or a forged signature: refused.
    for forged in [
        link.replace("/issues.xlsx", "/monthly-report.xlsx"),
        link.replace(
            &format!("uid={}", api::seed::demo::demo_id("user", "fgj")),
            &format!("uid={}", api::seed::demo::demo_id("user", "admin")),
        ),
        crate::export_sheets::flip_last(&link),
    ] {
        if forged == link {
            continue;
        }
        assert_eq!(get(&app, &forged, None).await?.status(), 401, "{forged}");
    }
    let monthly =
        app.data(url, json!({ "s": "MONTHLY_REPORT", "p": "2026-10" }), Some(&fgj)).await?["exportUrl"].clone();
    assert!(monthly.as_str().is_some_and(|l| l.contains("period=2026-10")), "{monthly}");
    let body = app.gql(url, json!({ "s": "ISSUES", "p": "2026-10" }), Some(&fgj)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "period", "{body}");
    Ok(())
}
