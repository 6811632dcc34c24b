//! Unit assessment (考核): the demo county's published run, scores recomputed from plain SQL,
//! frozen and reproducible runs, the one-vote veto and what it bars, awards, and who sees what.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use sea_orm::{ConnectionTrait, Value as Sql};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_today, error_code, unit_id};
use crate::meetings::statement;

const SCHEME: &str =
    "mutation($i: AssessmentSchemeInput!) { publishAssessmentScheme(input: $i) { id version current } }";
const RUN: &str = "mutation($s: UUID!, $p: String!) { runAssessment(schemeId: $s, period: $p) { id status fingerprint scheme { version } } }";
const STANDINGS: &str = "query($r: UUID!) { assessment(runId: $r) { status period standings(first: 100) { totalCount edges { node { unit { id name } score rank vetoed } } } } }";
const CARD: &str = "query($u: UUID!, $p: String!) { unitScorecard(unitId: $u, period: $p) { run { id status } score rank vetoed deduction headEligibleForHonours metrics { metric weight numerator denominator value } vetoes { condition source reason deduction liftedAt } } }";
const VETO: &str = "mutation($i: VetoUnitInput!) { vetoUnit(input: $i) { id condition source deduction } }";
const AWARD: &str =
    "mutation($i: GrantAwardInput!) { grantAward(input: $i) { id amount unit { name } user { username } } }";

/// The quarter before today's, as `(year, quarter, key)`.
fn last_quarter() -> (i32, u32, String) {
    let today = county_today();
    let q = today.month0() / 3 + 1;
    let (year, quarter) = if q == 1 { (today.year() - 1, 4) } else { (today.year(), q - 1) };
    (year, quarter, format!("{year}-Q{quarter}"))
}

fn standings(data: &Value) -> TestResult<Vec<Value>> {
    Ok(data["assessment"]["standings"]["edges"].as_array().ok_or("edges")?.iter().map(|e| e["node"].clone()).collect())
}

fn standing<'a>(rows: &'a [Value], unit: &str) -> TestResult<&'a Value> {
    rows.iter().find(|r| r["unit"]["name"] == unit).ok_or_else(|| format!("no {unit}").into())
}

async fn scheme(app: &TestApp, admin: &str, year: i32, metrics: Value, vetoes: Value) -> TestResult<String> {
    let input = json!({ "i": { "name": "测试考核办法", "year": year, "metrics": metrics, "vetoConditions": vetoes, "deductionPerVeto": "5" } });
    let data = app.data(SCHEME, input, Some(admin)).await?;
    Ok(data["publishAssessmentScheme"]["id"].as_str().ok_or("id")?.to_owned())
}

#[tokio::test]
async fn the_demo_county_ranks_its_units_vetoes_one_and_awards_over_200_wan() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let (year, _, period) = last_quarter();
    let runs = app
        .data(
            "query($p: String!) { assessments(period: $p) { id status scheme { metrics { metric } } } }",
            json!({ "p": period }),
            Some(&leader),
        )
        .await?;
    let runs = runs["assessments"].as_array().ok_or("runs")?;
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "PUBLISHED");
    assert_eq!(runs[0]["scheme"]["metrics"].as_array().map(Vec::len), Some(8), "every metric the API can compute");
    let data = app.data(STANDINGS, json!({ "r": runs[0]["id"] }), Some(&leader)).await?;
    let rows = standings(&data)?;
    let vetoed: Vec<&Value> = rows.iter().filter(|r| r["vetoed"] == true).collect();
    assert_eq!(vetoed.len(), 1, "one unit vetoed");
    assert_eq!(vetoed[0]["unit"]["name"], "新洲镇");
    let last = rows.iter().filter_map(|r| r["rank"].as_i64()).max();
    assert_eq!(vetoed[0]["rank"].as_i64(), last, "a vetoed unit ranks last");
    assert!(rows.iter().filter(|r| r["score"].is_number()).count() > 20, "most units have a score");
    let card = app.data(CARD, json!({ "u": unit_id("新洲镇"), "p": period }), Some(&leader)).await?;
    assert_eq!(card["unitScorecard"]["headEligibleForHonours"], false);
    assert_eq!(card["unitScorecard"]["deduction"], "20");
    let awards = app.data("query($y: Int!) { awards(year: $y) { count total items(first: 100) { edges { node { unit { name } } } } } }", json!({ "y": year }), Some(&leader)).await?;
    let total: f64 = awards["awards"]["total"].as_str().ok_or("total")?.parse()?;
    assert!(total >= 200.0, "{awards}");
    assert!(!awards.to_string().contains("新洲镇"), "no award to the vetoed unit");
    Ok(())
}

/// Per unit, (met, due) from plain SQL.
type Counts = HashMap<String, (f64, f64)>;

async fn counts(app: &TestApp, sql: &str, values: Vec<Sql>, into: &mut Counts) -> TestResult {
    let db = &app.state.db;
    for row in db.query_all(statement(db.get_database_backend(), sql, values)).await? {
        let unit: uuid::Uuid = row.try_get_by_index(0)?;
        let due: i64 = row.try_get_by_index(1)?;
        let met: Option<i64> = row.try_get_by_index(2)?;
        let e = into.entry(unit.to_string()).or_default();
        e.0 += met.unwrap_or(0) as f64;
        e.1 += due as f64;
    }
    Ok(())
}

fn month_end(year: i32, month: u32) -> NaiveDate {
    let (y, m) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(y, m, 1).unwrap_or_default() - Duration::days(1)
}

#[tokio::test]
async fn a_runs_scores_are_the_weighted_shares_plain_sql_counts_from_the_same_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let (year, quarter, period) = last_quarter();
    let metrics = json!([
        { "metric": "REPORTS_ON_TIME", "weight": 30 }, { "metric": "ACTION_ITEMS_ON_TIME", "weight": 20 },
        { "metric": "MILESTONES_ON_TIME", "weight": 25 }, { "metric": "INVESTMENT_AGAINST_PLAN", "weight": 25 },
    ]);
    let id = scheme(&app, &admin, year, metrics, json!([])).await?;
    let run = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    let rows = standings(&app.data(STANDINGS, json!({ "r": run["id"] }), Some(&admin)).await?)?;

    let today = county_today();
    let due_day =
        app.data("{ healthRules { reportDueDay } }", json!({}), Some(&admin)).await?["healthRules"]["reportDueDay"]
            .as_i64()
            .ok_or("due day")?;
    let (first_month, last_month) = (quarter * 3 - 2, quarter * 3);
    let first = NaiveDate::from_ymd_opt(year, first_month, 1).ok_or("first")?;
    let last = month_end(year, last_month).min(today - Duration::days(1));
    let china = chrono::FixedOffset::east_opt(8 * 3600).ok_or("zone")?;
    let mut reports = Counts::new();
    for month in first_month..=last_month {
        let next = month_end(year, month) + Duration::days(1);
        let due =
            NaiveDate::from_ymd_opt(next.year(), next.month(), u32::try_from(due_day.clamp(1, 28))?).ok_or("due")?;
        if due >= today {
            continue;
        }
        let end = next
            .and_hms_opt(0, 0, 0)
            .ok_or("midnight")?
            .and_local_timezone(china)
            .single()
            .ok_or("local")?
            .with_timezone(&chrono::Utc);
        let sql = "SELECT p.responsible_unit_id, COUNT(*), CAST(SUM(CASE WHEN r.on_time THEN 1 ELSE 0 END) AS BIGINT) FROM projects p LEFT JOIN monthly_reports r ON r.project_id = p.id AND r.is_current AND r.period = ? WHERE p.created_at < ? AND p.status NOT IN ('COMPLETED', 'IN_OPERATION', 'SUSPENDED') GROUP BY p.responsible_unit_id";
        counts(&app, sql, vec![format!("{year}-{month:02}").into(), end.into()], &mut reports).await?;
    }
    let mut items = Counts::new();
    let sql = "SELECT owner_unit_id, COUNT(*), CAST(SUM(CASE WHEN done_on IS NOT NULL AND done_on <= deadline THEN 1 ELSE 0 END) AS BIGINT) FROM action_items WHERE deadline >= ? AND deadline <= ? GROUP BY owner_unit_id";
    counts(&app, sql, vec![first.into(), last.into()], &mut items).await?;
    let mut milestones = Counts::new();
    let sql = "SELECT p.responsible_unit_id, COUNT(*), CAST(SUM(CASE WHEN m.actual_finish IS NOT NULL AND m.actual_finish <= m.planned_finish THEN 1 ELSE 0 END) AS BIGINT) FROM milestones m JOIN schedule_plans s ON s.id = m.schedule_plan_id AND s.is_current JOIN projects p ON p.id = m.project_id WHERE m.planned_finish >= ? AND m.planned_finish <= ? GROUP BY p.responsible_unit_id";
    counts(&app, sql, vec![first.into(), last.into()], &mut milestones).await?;
    // Investment: the quarter's reported investment against a quarter of the year's plan (each sum
    // read as the first of the pair).
    let mut planned = Counts::new();
    let sql = "SELECT p.responsible_unit_id, COUNT(*), CAST(SUM(y.planned_fen) AS BIGINT) FROM project_year_plans y JOIN projects p ON p.id = y.project_id WHERE y.year = ? GROUP BY p.responsible_unit_id";
    counts(&app, sql, vec![year.into()], &mut planned).await?;
    let mut done = Counts::new();
    let months: Vec<Sql> = (first_month..=last_month).map(|m| format!("{year}-{m:02}").into()).collect();
    let sql = "SELECT p.responsible_unit_id, COUNT(*), CAST(SUM(r.investment_fen) AS BIGINT) FROM monthly_reports r JOIN projects p ON p.id = r.project_id WHERE r.is_current AND r.period IN (?, ?, ?) GROUP BY p.responsible_unit_id";
    counts(&app, sql, months, &mut done).await?;

    let share = |c: &Counts, u: &str| c.get(u).filter(|(_, due)| *due > 0.0).map(|(met, due)| (met / due).min(1.0));
    let mut checked = 0;
    for row in &rows {
        let u = row["unit"]["id"].as_str().ok_or("unit")?;
        let investment = planned
            .get(u)
            .filter(|(fen, _)| *fen > 0.0)
            .map(|(fen, _)| (done.get(u).map_or(0.0, |d| d.0) / (fen * 3.0 / 12.0)).min(1.0));
        let parts =
            [(30.0, share(&reports, u)), (20.0, share(&items, u)), (25.0, share(&milestones, u)), (25.0, investment)];
        let weights: f64 = parts.iter().filter(|p| p.1.is_some()).map(|p| p.0).sum();
        let expected =
            (weights > 0.0).then(|| parts.iter().filter_map(|p| p.1.map(|v| p.0 * v)).sum::<f64>() / weights * 100.0);
        match (expected, row["score"].as_f64()) {
            (Some(e), Some(s)) => assert!((e - s).abs() < 1e-9, "{}: plain SQL {e}, run {s}", row["unit"]["name"]),
            (None, None) => {}
            (e, s) => return Err(format!("{}: plain SQL {e:?}, run {s:?}", row["unit"]["name"]).into()),
        }
        checked += usize::from(expected.is_some());
    }
    assert!(checked > 20, "most units are scored ({checked})");
    // The scorecard shows the very inputs.
    let card = app.data(CARD, json!({ "u": unit_id("自然资源局"), "p": period }), Some(&admin)).await?;
    let metrics = card["unitScorecard"]["metrics"].as_array().ok_or("metrics")?;
    let reported = reports.get(&unit_id("自然资源局")).copied().unwrap_or_default();
    assert_eq!(metrics[0]["metric"], "REPORTS_ON_TIME");
    assert_eq!(
        (metrics[0]["numerator"].as_f64(), metrics[0]["denominator"].as_f64()),
        (Some(reported.0), Some(reported.1))
    );
    Ok(())
}

#[tokio::test]
async fn a_run_is_frozen_a_veto_ranks_last_and_units_see_their_own_until_published() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let leader = app.login_as("leader").await?;
    let (year, _, period) = last_quarter();
    let metrics =
        json!([{ "metric": "REPORTS_ON_TIME", "weight": 50 }, { "metric": "MILESTONES_ON_TIME", "weight": 50 }]);
    let id = scheme(&app, &admin, year, metrics.clone(), json!([{ "condition": "OTHER", "automatic": false }])).await?;
    assert_eq!(error_code(&app.gql(RUN, json!({ "s": id, "p": period }), Some(&leader)).await?), Some("FORBIDDEN"));
    let first = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    assert_eq!(first["status"], "DRAFT");
    let again = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    assert_eq!(again["id"], first["id"], "the same figures give the same run");

    // A unit sees its own scorecard at once, without its rank; not the draft, not another unit's.
    let own = app.gql(CARD, json!({ "u": unit_id("发改局"), "p": period }), Some(&fgj)).await?;
    assert_eq!(own["data"]["unitScorecard"]["run"]["id"], first["id"], "{own}");
    assert_eq!(own["data"]["unitScorecard"]["rank"], Value::Null, "no rank before publication");
    assert_eq!(error_code(&app.gql(STANDINGS, json!({ "r": first["id"] }), Some(&fgj)).await?), Some("NOT_FOUND"));
    let other = app.gql(CARD, json!({ "u": unit_id("自然资源局"), "p": period }), Some(&fgj)).await?;
    assert_eq!(error_code(&other), Some("FORBIDDEN"));
    let before = standings(&app.data(STANDINGS, json!({ "r": first["id"] }), Some(&leader)).await?)?;
    assert_eq!(standing(&before, "发改局")?["vetoed"], false);

    // A veto is data: the next run differs, ranks the unit last; the frozen run does not move.
    let veto = json!({ "i": { "unitId": unit_id("发改局"), "period": period, "condition": "OTHER", "reason": "重点任务未完成", "deduction": "12.5" } });
    assert_eq!(error_code(&app.gql(VETO, veto.clone(), Some(&leader)).await?), Some("FORBIDDEN"));
    assert_eq!(app.data(VETO, veto.clone(), Some(&admin)).await?["vetoUnit"]["source"], "RECORDED");
    assert_eq!(error_code(&app.gql(VETO, veto.clone(), Some(&admin)).await?), Some("CONFLICT"), "once in force");
    let second = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    assert_ne!(second["id"], first["id"]);
    let after = standings(&app.data(STANDINGS, json!({ "r": second["id"] }), Some(&admin)).await?)?;
    let vetoed = standing(&after, "发改局")?;
    assert_eq!(vetoed["vetoed"], true);
    assert_eq!(vetoed["rank"].as_i64(), after.iter().filter_map(|r| r["rank"].as_i64()).max());
    assert_eq!(vetoed["score"], standing(&before, "发改局")?["score"], "the score stands; the rank falls");
    let frozen = standings(&app.data(STANDINGS, json!({ "r": first["id"] }), Some(&admin)).await?)?;
    assert_eq!(frozen, before, "a frozen run never changes");
    let card = app.data(CARD, json!({ "u": unit_id("发改局"), "p": period }), Some(&fgj)).await?;
    assert_eq!(
        (card["unitScorecard"]["deduction"].as_str(), card["unitScorecard"]["headEligibleForHonours"].as_bool()),
        (Some("12.5"), Some(false))
    );

    // A new scheme version leaves the runs of the old one alone.
    let v2 = scheme(&app, &admin, year, json!([{ "metric": "REPORTS_ON_TIME", "weight": 100 }]), json!([])).await?;
    assert_ne!(v2, id);
    let old = app
        .data(
            "query($r: UUID!) { assessment(runId: $r) { scheme { version current } } }",
            json!({ "r": second["id"] }),
            Some(&admin),
        )
        .await?;
    assert_eq!(old["assessment"]["scheme"], json!({ "version": 1, "current": false }));

    // Publication opens the ranking to every unit.
    let published = app
        .data(
            "mutation($r: UUID!) { publishAssessment(runId: $r) { status } }",
            json!({ "r": second["id"] }),
            Some(&admin),
        )
        .await?;
    assert_eq!(published["publishAssessment"]["status"], "PUBLISHED");
    let seen = app.data(STANDINGS, json!({ "r": second["id"] }), Some(&fgj)).await?;
    assert_eq!(standings(&seen)?.len(), after.len());
    let card = app.data(CARD, json!({ "u": unit_id("发改局"), "p": period }), Some(&fgj)).await?;
    assert_eq!(card["unitScorecard"]["rank"], vetoed["rank"]);

    // Lifting is ADMIN's, on the record; the next run does not veto.
    let lift =
        "mutation($u: UUID!, $p: String!) { liftVeto(unitId: $u, period: $p, reason: \"复核后撤销\") { liftedAt } }";
    let vars = json!({ "u": unit_id("发改局"), "p": period });
    assert_eq!(error_code(&app.gql(lift, vars.clone(), Some(&leader)).await?), Some("FORBIDDEN"));
    assert!(app.data(lift, vars.clone(), Some(&admin)).await?["liftVeto"][0]["liftedAt"].is_string());
    assert_eq!(error_code(&app.gql(lift, vars, Some(&admin)).await?), Some("NOT_FOUND"), "nothing left in force");
    let third = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    let rows = standings(&app.data(STANDINGS, json!({ "r": third["id"] }), Some(&admin)).await?)?;
    assert_eq!(standing(&rows, "发改局")?["vetoed"], false);
    // Recorded again, the lifted veto is reinstated (one row, in force).
    assert_eq!(app.data(VETO, veto, Some(&admin)).await?["vetoUnit"]["source"], "RECORDED");
    let card = app.data(CARD, json!({ "u": unit_id("发改局"), "p": period }), Some(&admin)).await?;
    assert_eq!(card["unitScorecard"]["vetoes"].as_array().map(Vec::len), Some(1));
    assert_eq!(card["unitScorecard"]["vetoes"][0]["liftedAt"], Value::Null);
    Ok(())
}

#[tokio::test]
async fn awards_skip_vetoed_units_and_their_heads_and_bad_inputs_are_refused() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let (year, _, period) = last_quarter();
    let award = |unit: Option<String>, user: Option<String>, amount: &str| json!({ "i": { "unitId": unit, "userId": user, "period": period, "amount": amount, "basis": "项目建设先进" } });
    let town = Some(unit_id("新洲镇"));
    assert_eq!(
        error_code(&app.gql(AWARD, award(town, None, "10"), Some(&admin)).await?),
        Some("CONFLICT"),
        "vetoed in the demo"
    );
    let fgj_id = api::seed::demo::demo_id("user", "fgj").to_string();
    let head = "mutation($u: UUID!, $h: UUID) { setUnitHead(unitId: $u, userId: $h) { id } }";
    app.data(head, json!({ "u": unit_id("发改局"), "h": fgj_id }), Some(&admin)).await?;
    let granted = app.data(AWARD, award(None, Some(fgj_id.clone()), "3"), Some(&admin)).await?;
    assert_eq!(granted["grantAward"]["user"]["username"], "fgj");
    let veto = json!({ "i": { "unitId": unit_id("发改局"), "period": format!("{year}"), "condition": "OTHER", "reason": "年度任务未完成", "deduction": "0" } });
    app.data(VETO, veto, Some(&admin)).await?;
    assert_eq!(
        error_code(&app.gql(AWARD, award(None, Some(fgj_id.clone()), "3"), Some(&admin)).await?),
        Some("CONFLICT"),
        "the head of a vetoed unit"
    );
    assert_eq!(
        error_code(&app.gql(AWARD, award(Some(unit_id("发改局")), None, "3"), Some(&admin)).await?),
        Some("CONFLICT")
    );
    let before =
        app.data("query($y: Int!) { awards(year: $y) { count total } }", json!({ "y": year }), Some(&fgj)).await?;
    app.data(AWARD, award(Some(unit_id("自然资源局")), None, "7.5"), Some(&admin)).await?;
    let after =
        app.data("query($y: Int!) { awards(year: $y) { count total } }", json!({ "y": year }), Some(&fgj)).await?;
    assert_eq!(after["awards"]["count"].as_i64(), before["awards"]["count"].as_i64().map(|n| n + 1));
    let total = |v: &Value| v["awards"]["total"].as_str().and_then(|t| t.parse::<f64>().ok()).unwrap_or(-1.0);
    assert!((total(&after) - total(&before) - 7.5).abs() < 1e-9);
    for (vars, what) in [
        (award(Some(unit_id("自然资源局")), Some(fgj_id.clone()), "1"), "both"),
        (award(None, None, "1"), "neither"),
        (award(Some(unit_id("自然资源局")), None, "0"), "zero"),
        (
            json!({ "i": { "unitId": unit_id("自然资源局"), "period": "2026-Q5", "amount": "1", "basis": "x先进" } }),
            "quarter 5",
        ),
    ] {
        assert_eq!(error_code(&app.gql(AWARD, vars, Some(&admin)).await?), Some("BAD_USER_INPUT"), "{what}");
    }
    assert_eq!(
        error_code(&app.gql(AWARD, award(Some(unit_id("自然资源局")), None, "1"), Some(&fgj)).await?),
        Some("FORBIDDEN")
    );
    let bad_schemes = [
        json!([{ "metric": "REPORTS_ON_TIME", "weight": 10 }, { "metric": "REPORTS_ON_TIME", "weight": 10 }]),
        json!([{ "metric": "REPORTS_ON_TIME", "weight": 0 }]),
        json!([]),
    ];
    for metrics in bad_schemes {
        let input = json!({ "i": { "name": "坏办法", "year": year, "metrics": metrics, "deductionPerVeto": "1" } });
        assert_eq!(error_code(&app.gql(SCHEME, input, Some(&admin)).await?), Some("BAD_USER_INPUT"));
    }
    let input = json!({ "i": { "name": "坏办法", "year": year, "metrics": [{ "metric": "REPORTS_ON_TIME", "weight": 1 }], "vetoConditions": [{ "condition": "OTHER", "automatic": true }], "deductionPerVeto": "1" } });
    assert_eq!(error_code(&app.gql(SCHEME, input, Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let id = scheme(&app, &admin, year, json!([{ "metric": "REPORTS_ON_TIME", "weight": 1 }]), json!([])).await?;
    for p in [format!("{}", year + 1), "2026-Q7".into(), "x".repeat(9)] {
        assert_eq!(
            error_code(&app.gql(RUN, json!({ "s": id, "p": p }), Some(&admin)).await?),
            Some("BAD_USER_INPUT"),
            "{p}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_serious_safety_hazard_vetoes_the_responsible_unit_automatically() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let today = county_today();
    let period = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let projects = app
        .data("{ projects(first: 1) { edges { node { id responsibleUnit { id name } } } } }", json!({}), Some(&admin))
        .await?;
    let project = &projects["projects"]["edges"][0]["node"];
    let unit = project["responsibleUnit"]["name"].as_str().ok_or("unit")?.to_owned();
    let vetoes = json!([{ "condition": "SAFETY_INCIDENT", "automatic": true }]);
    let id =
        scheme(&app, &admin, today.year(), json!([{ "metric": "ACTION_ITEMS_ON_TIME", "weight": 1 }]), vetoes).await?;
    let quiet = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    let rows = standings(&app.data(STANDINGS, json!({ "r": quiet["id"] }), Some(&admin)).await?)?;
    let was = standing(&rows, &unit)?["vetoed"].clone();
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id } }";
    let issue = json!({ "i": { "projectId": project["id"], "kind": "SAFETY_HAZARD", "severity": "HIGH", "title": "深基坑支护变形超限" } });
    app.data(raise, issue, Some(&admin)).await?;
    let run = app.data(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?["runAssessment"].clone();
    assert_ne!(run["id"], quiet["id"]);
    let rows = standings(&app.data(STANDINGS, json!({ "r": run["id"] }), Some(&admin)).await?)?;
    assert_eq!(standing(&rows, &unit)?["vetoed"], true, "was {was}");
    let card = app.data(CARD, json!({ "u": project["responsibleUnit"]["id"], "p": period }), Some(&admin)).await?;
    let v = &card["unitScorecard"]["vetoes"][0];
    assert_eq!(
        (v["condition"].as_str(), v["source"].as_str(), v["deduction"].as_str()),
        (Some("SAFETY_INCIDENT"), Some("AUTOMATIC"), Some("5"))
    );
    Ok(())
}

#[tokio::test]
async fn a_page_of_standings_or_awards_costs_the_same_statements_at_5_and_50_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let (year, _, period) = last_quarter();
    let runs = app
        .data("query($p: String!) { assessments(period: $p) { id } }", json!({ "p": period }), Some(&leader))
        .await?;
    let run = runs["assessments"][0]["id"].clone();
    let page = "query($r: UUID!, $n: Int!) { assessment(runId: $r) { standings(first: $n) { edges { node { unit { name head { username } } score rank } } } } }";
    let five = app.cost(page, json!({ "r": run, "n": 5 }), Some(&leader)).await?;
    let fifty = app.cost(page, json!({ "r": run, "n": 50 }), Some(&leader)).await?;
    assert_eq!(five, fifty, "standings: {five} statements for 5, {fifty} for 50");
    let page = "query($y: Int!, $n: Int!) { awards(year: $y) { items(first: $n) { edges { node { unit { name } user { username unit { name } } amount } } } } }";
    let few = app.cost(page, json!({ "y": year, "n": 3 }), Some(&leader)).await?;
    let all = app.cost(page, json!({ "y": year, "n": 15 }), Some(&leader)).await?;
    assert_eq!(few, all, "awards: {few} statements for 3, {all} for 15");
    Ok(())
}

#[tokio::test]
async fn a_run_costs_the_same_statements_whatever_the_number_of_units() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let (year, _, period) = last_quarter();
    let all = [
        "REPORTS_ON_TIME",
        "ISSUES_CLOSED_BY_DEADLINE",
        "ACTION_ITEMS_ON_TIME",
        "INVESTMENT_AGAINST_PLAN",
        "MILESTONES_ON_TIME",
        "FUNDING_AGAINST_TARGET",
        "EVALUATION_SCORE",
        "PAIRING_SERVICE",
    ];
    let metrics: Vec<Value> = all.iter().map(|m| json!({ "metric": m, "weight": 10 })).collect();
    let vetoes = json!([{ "condition": "SAFETY_INCIDENT", "automatic": true }, { "condition": "OBSTRUCTION_UPHELD", "automatic": true }, { "condition": "TASK_TARGET_MISSED", "automatic": true }]);
    let id = scheme(&app, &admin, year, json!(metrics), vetoes).await?;
    let (first, before) = app.data_and_cost(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?;
    let db = &app.state.db;
    let backend = db.get_database_backend();
    for n in 0..40 {
        let sql = "INSERT INTO units (id, name, kind, has_funding_targets, head_user_id, created_at) VALUES (?, ?, 'TOWNSHIP', ?, NULL, ?)";
        let values: Vec<Sql> =
            vec![uuid::Uuid::new_v4().into(), format!("测试乡镇{n}").into(), false.into(), chrono::Utc::now().into()];
        db.execute(statement(backend, sql, values)).await?;
    }
    let (second, after) = app.data_and_cost(RUN, json!({ "s": id, "p": period }), Some(&admin)).await?;
    assert_ne!(first["runAssessment"]["id"], second["runAssessment"]["id"], "new units, new figures");
    let rows = standings(&app.data(STANDINGS, json!({ "r": second["runAssessment"]["id"] }), Some(&admin)).await?)?;
    assert!(rows.len() >= 70, "{}", rows.len());
    assert_eq!(before, after, "a run: {before} statements, {after} with 40 more units");
    println!("runAssessment, 8 metrics, 3 automatic vetoes: {before} statements for 39 or 79 units");
    Ok(())
}
