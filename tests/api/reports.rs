//! Monthly reports, locks, missing reports, the lights and the dashboard.

use chrono::Datelike;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code};
use crate::projects::create;

const SUBMIT: &str = "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { id period version investmentThisMonth progressPercent onTime unit { name } submittedBy { username } } }";
const RULES: &str = "mutation($i: HealthRulesInput!) { updateHealthRules(input: $i) { yellowGapPp redGapPp redLateDays reportDueDay reportLockDay } }";
const HEALTH: &str = "query($id: UUID!) { project(id: $id) { completedInvestment completedInvestmentTotal progressPercent health { light reasons expectedPercent completedPercent worstSlipDays missingReportPeriod } reports { period version investmentThisMonth } } }";

fn this_month() -> String {
    crate::helpers::county_today().format("%Y-%m").to_string()
}

fn months_ago(n: u32) -> String {
    let today = crate::helpers::county_today();
    let mut d = today.with_day(1).unwrap_or(today);
    for _ in 0..n {
        d = (d - chrono::Duration::days(1)).with_day(1).unwrap_or(d);
    }
    d.format("%Y-%m").to_string()
}

fn report(project: &str, period: &str, amount: &str, progress: &str) -> Value {
    json!({ "i": { "projectId": project, "period": period, "investmentThisMonth": amount, "progressPercent": progress, "narrative": "完成主体结构施工", "problems": "征地尚余两户未签约" } })
}

#[tokio::test]
async fn a_resubmission_replaces_the_report_and_keeps_the_old_version() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let id = create(&app, &admin, "月报测试项目").await?;
    let period = this_month();
    let first = app.data(SUBMIT, report(&id, &period, "100.5", "10"), Some(&owner)).await?;
    assert_eq!(first["submitMonthlyReport"]["version"], 1);
    assert_eq!(first["submitMonthlyReport"]["unit"]["name"], "自然资源局");
    assert_eq!(first["submitMonthlyReport"]["onTime"], true);
    let second = app.data(SUBMIT, report(&id, &period, "120.25", "12.5"), Some(&owner)).await?;
    assert_eq!(second["submitMonthlyReport"]["version"], 2);
    let p = app.data(HEALTH, json!({ "id": id }), Some(&owner)).await?;
    assert_eq!(p["project"]["completedInvestment"], "120.25", "only the current version counts");
    assert_eq!(p["project"]["progressPercent"], "12.5");
    assert_eq!(p["project"]["reports"].as_array().map(Vec::len), Some(1));
    // The replaced version is kept, and the trail shows what changed.
    let trail = app
        .data(
            "{ auditEvents(filter: { action: \"report.submit\" }) { totalCount edges { node { changes } } } }",
            json!({}),
            Some(&admin),
        )
        .await?;
    assert_eq!(trail["auditEvents"]["totalCount"], 2);
    assert_eq!(
        trail["auditEvents"]["edges"][0]["node"]["changes"]["investment_fen"],
        json!({ "before": 100_500_000, "after": 120_250_000 })
    );
    Ok(())
}

#[tokio::test]
async fn locked_periods_and_bad_reports_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let id = create(&app, &admin, "锁定测试项目").await?;
    let period = this_month();
    // Only the office locks; once it has, reports are CONFLICT for everyone and nothing is stored.
    for who in ["leader", "zrzyj", "inspector"] {
        let token = app.login_as(who).await?;
        let body = app
            .gql(
                "mutation($p: String!) { lockReportingPeriod(period: $p) { locked } }",
                json!({ "p": period }),
                Some(&token),
            )
            .await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let locked = app
        .data(
            "mutation($p: String!) { lockReportingPeriod(period: $p) { period locked dueDate lockDate } }",
            json!({ "p": period }),
            Some(&admin),
        )
        .await?;
    assert_eq!(locked["lockReportingPeriod"]["locked"], true);
    let body = app.gql(SUBMIT, report(&id, &period, "1", "1"), Some(&owner)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let body = app.gql(SUBMIT, report(&id, &period, "1", "1"), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    // A period three months back is past its automatic lock day.
    let old = months_ago(3);
    let state = app
        .data("query($p: String!) { reportingPeriod(period: $p) { locked } }", json!({ "p": old }), Some(&owner))
        .await?;
    assert_eq!(state["reportingPeriod"]["locked"], true);
    assert_eq!(error_code(&app.gql(SUBMIT, report(&id, &old, "1", "1"), Some(&owner)).await?), Some("CONFLICT"));
    // Input errors name the field.
    let next_year = format!("{}-01", crate::helpers::county_today().year() + 1);
    for (field, vars) in [
        ("period", report(&id, &next_year, "1", "1")),
        ("period", report(&id, "2026-13", "1", "1")),
        ("investmentThisMonth", report(&id, &months_ago(0), "-1", "1")),
        ("progressPercent", report(&id, &months_ago(0), "1", "100.5")),
    ] {
        let body = app.gql(SUBMIT, vars, Some(&owner)).await?;
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    // Other units and other roles may not report on the project.
    for who in ["fgj", "leader", "inspector", "integration"] {
        let token = app.login_as(who).await?;
        let body = app.gql(SUBMIT, report(&id, &period, "1", "1"), Some(&token)).await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{who}: {body}");
    }
    let p = app.data(HEALTH, json!({ "id": id }), Some(&owner)).await?;
    assert_eq!(p["project"]["reports"], json!([]), "nothing was stored");
    Ok(())
}

#[tokio::test]
async fn missing_reports_list_every_project_without_one() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let rules = app.data("{ healthRules { reportDueDay } }", json!({}), Some(&token)).await?;
    let due_day = rules["healthRules"]["reportDueDay"].as_i64().unwrap_or(5) as i32;
    let closed = api::service::report::last_closed_period(crate::helpers::county_today(), due_day).key();
    let q = "query($p: String!, $after: String) { missingReports(period: $p, first: 100, after: $after) { totalCount edges { node { period project { id health { light missingReportPeriod } } unit { name } } } pageInfo { hasNextPage endCursor } } }";
    let data = app.data(q, json!({ "p": closed }), Some(&token)).await?;
    let total = data["missingReports"]["totalCount"].as_i64().ok_or("count")?;
    assert!(total > 0, "the demo misses some reports");
    let edges = data["missingReports"]["edges"].as_array().ok_or("edges")?;
    for e in edges {
        assert_eq!(e["node"]["period"], closed.as_str());
        assert_eq!(e["node"]["project"]["health"]["missingReportPeriod"], closed.as_str());
        assert_ne!(e["node"]["project"]["health"]["light"], "GREEN");
        assert!(e["node"]["unit"]["name"].is_string());
    }
    // Cross-check with a plain count: projects minus those with a current report for the period.
    let backend = app.state.db.get_database_backend();
    let row = app
        .state
        .db
        .query_one(Statement::from_string(
            backend,
            format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM projects WHERE id NOT IN (SELECT project_id FROM monthly_reports WHERE is_current AND period = '{closed}')"),
        ))
        .await?
        .ok_or("no row")?;
    assert_eq!(row.try_get::<i64>("", "n")?, total);
    assert_eq!(error_code(&app.gql(q, json!({ "p": "2026/10" }), Some(&token)).await?), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn each_light_rule_fires_and_the_office_tunes_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let id = create(&app, &admin, "红黄绿灯测试项目").await?;
    let light = |v: &Value| v["project"]["health"]["light"].as_str().unwrap_or_default().to_owned();
    // Nothing reported against a plan: any gap at all is RED when both thresholds are 0.
    app.data(RULES, json!({ "i": { "yellowGapPp": 0, "redGapPp": 0 } }), Some(&admin)).await?;
    let p = app.data(HEALTH, json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(light(&p), "RED", "{p}");
    assert!(p["project"]["health"]["reasons"][0].as_str().unwrap_or_default().contains("序时进度"));
    assert_eq!(p["project"]["health"]["completedPercent"], "0");
    // The same gap under a generous red line is YELLOW, under generous lines GREEN.
    app.data(RULES, json!({ "i": { "redGapPp": 100 } }), Some(&admin)).await?;
    assert_eq!(light(&app.data(HEALTH, json!({ "id": id }), Some(&admin)).await?), "YELLOW");
    app.data(RULES, json!({ "i": { "yellowGapPp": 100 } }), Some(&admin)).await?;
    assert_eq!(light(&app.data(HEALTH, json!({ "id": id }), Some(&admin)).await?), "GREEN");
    // A milestone 10 days late: YELLOW, then RED once the red line drops below 10 days.
    let deadline = (crate::helpers::county_today() - chrono::Duration::days(10)).to_string();
    app.data(
        "mutation($p: UUID!, $d: Date!) { planSchedule(projectId: $p, deadline: $d, steps: [{ name: \"主体施工\", durationDays: 30 }]) { version } }",
        json!({ "p": id, "d": deadline }),
        Some(&admin),
    )
    .await?;
    let p = app.data(HEALTH, json!({ "id": id }), Some(&admin)).await?;
    assert_eq!(light(&p), "YELLOW");
    assert_eq!(p["project"]["health"]["worstSlipDays"], 10);
    assert!(p["project"]["health"]["reasons"][0].as_str().unwrap_or_default().contains("主体施工"));
    app.data(RULES, json!({ "i": { "redLateDays": 5 } }), Some(&admin)).await?;
    assert_eq!(light(&app.data(HEALTH, json!({ "id": id }), Some(&admin)).await?), "RED");
    // Rules are the office's alone, and validated.
    let leader = app.login_as("leader").await?;
    assert_eq!(error_code(&app.gql(RULES, json!({ "i": { "redGapPp": 5 } }), Some(&leader)).await?), Some("FORBIDDEN"));
    let bad = app.gql(RULES, json!({ "i": { "yellowGapPp": 50, "redGapPp": 40 } }), Some(&admin)).await?;
    assert_eq!(bad["errors"][0]["extensions"]["field"], "redGapPp");
    Ok(())
}

fn sql_totals(rows: Vec<sea_orm::QueryResult>) -> TestResult<std::collections::HashMap<String, i64>> {
    let mut out = std::collections::HashMap::new();
    for row in rows {
        out.insert(row.try_get::<String>("", "k")?, row.try_get::<Option<i64>>("", "v")?.unwrap_or(0));
    }
    Ok(out)
}

fn wan_to_fen(v: &Value) -> TestResult<i64> {
    let d: rust_decimal::Decimal = v.as_str().ok_or("not a decimal string")?.parse()?;
    Ok((d * rust_decimal::Decimal::from(1_000_000)).try_into()?)
}

#[tokio::test]
async fn dashboard_figures_equal_plain_sql_aggregates() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let year = crate::helpers::county_today().year();
    let data = app
        .data(
            "query($y: Int) { dashboard(year: $y) { year total { projectCount plannedInvestment completedInvestment completionRate } byCategory { category totals { projectCount plannedInvestment completedInvestment completionRate } } byIndustry { industry totals { projectCount plannedInvestment completedInvestment } } lights { green yellow red } byUnit { unit { id } projectCount reportsDue reportsSubmitted reportsOnTime } } }",
            json!({ "y": year }),
            Some(&token),
        )
        .await?;
    let d = &data["dashboard"];
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let q = |sql: String| db.query_all(Statement::from_string(backend, sql));
    let counts = sql_totals(
        q("SELECT category AS k, CAST(COUNT(*) AS BIGINT) AS v FROM projects GROUP BY category".into()).await?,
    )?;
    let planned = sql_totals(
        q(format!("SELECT p.category AS k, CAST(SUM(y.planned_fen) AS BIGINT) AS v FROM project_year_plans y JOIN projects p ON p.id = y.project_id WHERE y.year = {year} GROUP BY p.category")).await?,
    )?;
    let completed = sql_totals(
        q(format!("SELECT p.category AS k, CAST(SUM(r.investment_fen) AS BIGINT) AS v FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.is_current AND r.period LIKE '{year}-%' GROUP BY p.category")).await?,
    )?;
    let by_category = d["byCategory"].as_array().ok_or("byCategory")?;
    assert_eq!(by_category.len(), 3);
    for c in by_category {
        let k = c["category"].as_str().ok_or("category")?;
        assert_eq!(c["totals"]["projectCount"].as_i64(), counts.get(k).copied(), "{k} count");
        assert_eq!(wan_to_fen(&c["totals"]["plannedInvestment"])?, planned.get(k).copied().unwrap_or(0), "{k} planned");
        assert_eq!(
            wan_to_fen(&c["totals"]["completedInvestment"])?,
            completed.get(k).copied().unwrap_or(0),
            "{k} completed"
        );
    }
    let industry_completed = sql_totals(
        q(format!("SELECT p.industry AS k, CAST(SUM(r.investment_fen) AS BIGINT) AS v FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.is_current AND r.period LIKE '{year}-%' GROUP BY p.industry")).await?,
    )?;
    for i in d["byIndustry"].as_array().ok_or("byIndustry")? {
        let k = i["industry"].as_str().ok_or("industry")?;
        assert_eq!(
            wan_to_fen(&i["totals"]["completedInvestment"])?,
            industry_completed.get(k).copied().unwrap_or(0),
            "{k}"
        );
    }
    assert_eq!(d["total"]["projectCount"], 200);
    assert_eq!(wan_to_fen(&d["total"]["plannedInvestment"])?, planned.values().sum::<i64>());
    let lights: i64 = ["green", "yellow", "red"].iter().map(|l| d["lights"][*l].as_i64().unwrap_or(0)).sum();
    assert_eq!(lights, 200);
    let on_time = q(format!("SELECT CAST(COUNT(*) AS BIGINT) AS v, 'all' AS k FROM monthly_reports WHERE is_current AND on_time AND period LIKE '{year}-%'")).await?;
    let on_time = sql_totals(on_time)?;
    let api_on_time: i64 =
        d["byUnit"].as_array().ok_or("byUnit")?.iter().map(|u| u["reportsOnTime"].as_i64().unwrap_or(0)).sum();
    assert_eq!(Some(api_on_time), on_time.get("all").copied());
    // Per unit: projects, reports owed for the year's closed periods, submitted, on time.
    let unit_key = match backend {
        // Ids as 32 hex digits: PostgreSQL's uuid as text, SQLite's 16-byte blob in hex.
        sea_orm::DatabaseBackend::Postgres => "REPLACE(CAST(p.responsible_unit_id AS TEXT), '-', '')",
        _ => "LOWER(HEX(p.responsible_unit_id))",
    };
    let projects = sql_totals(
        q(format!(
            "SELECT {unit_key} AS k, CAST(COUNT(*) AS BIGINT) AS v FROM projects p GROUP BY p.responsible_unit_id"
        ))
        .await?,
    )?;
    let submitted = sql_totals(q(format!("SELECT {unit_key} AS k, CAST(COUNT(*) AS BIGINT) AS v FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.is_current AND r.period LIKE '{year}-%' GROUP BY p.responsible_unit_id")).await?)?;
    let punctual = sql_totals(q(format!("SELECT {unit_key} AS k, CAST(COUNT(*) AS BIGINT) AS v FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.is_current AND r.on_time AND r.period LIKE '{year}-%' GROUP BY p.responsible_unit_id")).await?)?;
    // A period of the year is closed once its report fell due (the 5th of the next month) before
    // today; it is owed by every project that existed by the period's end.
    let today = crate::helpers::county_today();
    let mut owed: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for month in 1..=12u32 {
        let next = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
        let due = chrono::NaiveDate::from_ymd_opt(next.0, next.1, 5).ok_or("date")?;
        if due >= today {
            continue;
        }
        let end = format!("{:04}-{:02}-01", next.0, next.1);
        let rows = q(format!("SELECT {unit_key} AS k, CAST(COUNT(*) AS BIGINT) AS v FROM projects p WHERE p.created_at < '{end}' AND p.status NOT IN ('COMPLETED', 'IN_OPERATION', 'SUSPENDED') GROUP BY p.responsible_unit_id")).await?;
        for (k, v) in sql_totals(rows)? {
            *owed.entry(k).or_default() += v;
        }
    }
    let by_unit = d["byUnit"].as_array().ok_or("byUnit")?;
    assert_eq!(by_unit.len(), projects.len(), "one line per responsible unit");
    for u in by_unit {
        let k = u["unit"]["id"].as_str().ok_or("unit id")?.replace('-', "");
        let figures = |f: &str| u[f].as_i64();
        assert_eq!(figures("projectCount"), projects.get(&k).copied(), "{k} projects");
        assert_eq!(figures("reportsDue"), Some(owed.get(&k).copied().unwrap_or(0)), "{k} owed");
        assert_eq!(figures("reportsSubmitted"), Some(submitted.get(&k).copied().unwrap_or(0)), "{k} submitted");
        assert_eq!(figures("reportsOnTime"), Some(punctual.get(&k).copied().unwrap_or(0)), "{k} on time");
    }
    Ok(())
}

#[tokio::test]
async fn finished_and_suspended_projects_owe_no_reports_and_say_why_they_are_not_rated() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let period = api::service::report::last_closed_period(crate::helpers::county_today(), 5).key();
    let q = "query($p: String!) { missingReports(period: $p, first: 100) { totalCount edges { node { project { id } } } } }";
    let before = app.data(q, json!({ "p": period }), Some(&admin)).await?;
    let total = before["missingReports"]["totalCount"].as_i64().ok_or("count")?;
    let project = before["missingReports"]["edges"][0]["node"]["project"]["id"]
        .as_str()
        .ok_or("a demo project owes one")?
        .to_owned();
    let update = "mutation($id: UUID!, $s: ProjectStatus!) { updateProject(id: $id, input: { status: $s }) { status health { light reasons missingReportPeriod } } }";
    for (status, why) in [("COMPLETED", "竣工"), ("SUSPENDED", "停缓建")] {
        let data = app.data(update, json!({ "id": project, "s": status }), Some(&admin)).await?;
        let health = &data["updateProject"]["health"];
        assert_eq!(health["light"], "GREEN", "{status}: {data}");
        assert!(health["reasons"][0].as_str().unwrap_or_default().contains(why), "{status}: {data}");
        assert!(health["missingReportPeriod"].is_null(), "{data}");
        let after = app.data(q, json!({ "p": period }), Some(&admin)).await?;
        assert_eq!(after["missingReports"]["totalCount"].as_i64(), Some(total - 1), "{status}");
    }
    // Back under construction, it owes the report again.
    app.data(update, json!({ "id": project, "s": "UNDER_CONSTRUCTION" }), Some(&admin)).await?;
    let again = app.data(q, json!({ "p": period }), Some(&admin)).await?;
    assert_eq!(again["missingReports"]["totalCount"].as_i64(), Some(total));
    Ok(())
}

#[tokio::test]
async fn a_page_shows_each_projects_newest_reports_first() -> TestResult {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let q = "query($n: Int) { projects(first: 60) { edges { node { id reports(first: $n) { period } } } } }";
    for n in [1, 3, 12] {
        let data = app.data(q, json!({ "n": n }), Some(&token)).await?;
        let mut seen = 0;
        for edge in data["projects"]["edges"].as_array().ok_or("edges")? {
            let id: uuid::Uuid = edge["node"]["id"].as_str().ok_or("id")?.parse()?;
            let shown: Vec<&str> = edge["node"]["reports"]
                .as_array()
                .ok_or("reports")?
                .iter()
                .filter_map(|r| r["period"].as_str())
                .collect();
            let newest: Vec<String> = entity::monthly_report::Entity::find()
                .select_only()
                .column(entity::monthly_report::Column::Period)
                .filter(entity::monthly_report::Column::ProjectId.eq(id))
                .filter(entity::monthly_report::Column::IsCurrent.eq(true))
                .order_by_desc(entity::monthly_report::Column::Period)
                .limit(n)
                .into_tuple()
                .all(&app.state.db)
                .await?;
            assert_eq!(shown, newest, "the newest {n} of {id}, newest first");
            seen += shown.len();
        }
        assert!(seen > 0, "the page shows reports");
    }
    // A batch bigger than one statement takes (nested lists batch many projects at once).
    let mut ids: Vec<uuid::Uuid> = (0..1200).map(|_| uuid::Uuid::now_v7()).collect();
    let real: Vec<uuid::Uuid> = entity::project::Entity::find()
        .select_only()
        .column(entity::project::Column::Id)
        .into_tuple()
        .all(&app.state.db)
        .await?;
    ids.extend(&real);
    let all = api::service::report::ReportColumns::ALL;
    let found = api::service::report::recent_reports(&app.state.db, &ids, 2, all).await?;
    let expected = api::service::report::recent_reports(&app.state.db, &real, 2, all).await?;
    assert_eq!(found, expected);
    assert!(found.values().all(|r| r.len() <= 2) && !found.is_empty());
    Ok(())
}
