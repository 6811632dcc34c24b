//! The kept lights (`project_lights`) always equal the lights computed from the rows: after every
//! kind of write that changes what a light is computed from, after the office changes its rules, and
//! on a new day. Each step is read through the API (every project's light, the list filtered by each
//! light, the dashboard's counts) and compared with `health::compute` on the same database; the
//! dashboard, summed from the units' kept rollups, is compared with the same figures summed from the
//! rows.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_day};
use crate::projects::create;

const PAGE: &str = "query($a: String) { projects(first: 100, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id health { light reasons expectedPercent completedPercent worstSlipDays missingReportPeriod } } } } }";
const LIGHTS_ALONE: &str = "query($a: String) { projects(first: 100, after: $a) { pageInfo { hasNextPage endCursor } edges { node { id health { light } } } } }";
const BY_LIGHT: &str = "query($l: Light!) { projects(filter: { light: $l }) { totalCount } }";
const DASHBOARD: &str = "{ dashboard { lights { green yellow red } } }";
/// Small pages, so that the walk crosses cursors; the order is NAME either way.
const IN_ORDER: &str = "query($l: Light, $d: SortDirection!, $a: String) { projects(first: 7, after: $a, filter: { light: $l }, orderBy: { field: NAME, direction: $d }) { pageInfo { hasNextPage endCursor } edges { node { id } } } }";

fn clock(instant: &str) -> TestResult<api::clock::Clock> {
    let t: DateTime<Utc> = instant.parse()?;
    Ok(api::clock::Clock::new(api::clock::china(), Some(t)))
}

/// Every project's light as the API shows it, by project id.
async fn shown(app: &TestApp, token: &str) -> TestResult<BTreeMap<String, Value>> {
    shown_by(app, token, PAGE).await
}

/// Every project's `health` as `query` (a page of projects) shows it, by project id.
async fn shown_by(app: &TestApp, token: &str, query: &str) -> TestResult<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(query, json!({ "a": after }), Some(token)).await?;
        for edge in page["projects"]["edges"].as_array().ok_or("edges")? {
            out.insert(edge["node"]["id"].as_str().ok_or("id")?.to_owned(), edge["node"]["health"].clone());
        }
        if page["projects"]["pageInfo"]["hasNextPage"] != true {
            return Ok(out);
        }
        after = page["projects"]["pageInfo"]["endCursor"].clone();
    }
}

/// Checks that what the API shows on `today` equals the computation from the rows, and returns it.
async fn check(app: &TestApp, token: &str, today: NaiveDate, step: &str) -> TestResult<BTreeMap<String, Value>> {
    // First the list that reads the light alone, while the write's lights are still stale.
    let lights_alone = shown_by(app, token, LIGHTS_ALONE).await?;
    let shown = shown(app, token).await?;
    for (id, health) in &shown {
        assert_eq!(lights_alone.get(id).map(|h| &h["light"]), Some(&health["light"]), "{step}: light alone of {id}");
    }
    // Read, every light is kept and carried on its project's row, as shown.
    let light = |h: &Value| h["light"].as_str().unwrap_or_default().to_owned();
    let lights: BTreeMap<String, String> = shown.iter().map(|(id, h)| (id.clone(), light(h))).collect();
    assert_eq!(crate::carried::agree(app, today).await?, lights, "{step}: the lights the projects carry");
    let ids: Vec<uuid::Uuid> = shown.keys().map(|id| id.parse()).collect::<Result<_, _>>()?;
    let computed = api::service::health::compute(&app.state.db, &ids, county_day(today)).await?;
    let mut counts: BTreeMap<String, i64> = BTreeMap::new();
    for (id, health) in &shown {
        let expected = computed.get(&id.parse()?).ok_or("a project without a computed light")?;
        let light = serde_json::to_value(expected.light)?;
        let decimal = |d: Option<rust_decimal::Decimal>| d.map(|d| d.normalize());
        let parsed = |v: &Value| -> TestResult<Option<rust_decimal::Decimal>> {
            Ok(v.as_str().map(str::parse).transpose()?.map(|d: rust_decimal::Decimal| d.normalize()))
        };
        assert_eq!(health["light"], light, "{step}: light of {id}: {health}");
        assert_eq!(health["reasons"], json!(expected.reasons), "{step}: reasons of {id}");
        assert_eq!(parsed(&health["expectedPercent"])?, decimal(expected.expected_percent), "{step}: {id}");
        assert_eq!(parsed(&health["completedPercent"])?, decimal(expected.completed_percent), "{step}: {id}");
        assert_eq!(health["worstSlipDays"], json!(expected.worst_slip_days), "{step}: slip of {id}");
        assert_eq!(health["missingReportPeriod"], json!(expected.missing_report), "{step}: missing of {id}");
        *counts.entry(light.as_str().ok_or("light")?.to_owned()).or_default() += 1;
    }
    // The dashboard sums the figures kept beside the lights: they equal the sums of the rows.
    let kept = api::service::dashboard::build(&app.state.db, today.year(), county_day(today)).await?;
    let stale = api::service::rollups::stale(&app.state.db, today).await?;
    assert_eq!(
        stale,
        vec![],
        "{step}: the dashboard left units' rollups not current (it summed them, not the rollups)"
    );
    let from_rows = api::service::dashboard::build_from_rows(&app.state.db, county_day(today)).await?;
    assert_eq!(format!("{kept:?}"), format!("{from_rows:?}"), "{step}: the dashboard's kept figures");
    // The reports each month of the year is owed, summed from the rollups, against the rows.
    for month in 1..=12 {
        let period = api::service::report::Period { year: today.year(), month };
        let kept = api::service::dashboard::count_missing(&app.state.db, period, county_day(today)).await?;
        let counted = api::service::report::count_missing(&app.state.db, &period.key(), api::clock::china()).await?;
        assert_eq!(kept, counted, "{step}: reports missing for {}", period.key());
    }
    let stale = api::service::rollups::stale(&app.state.db, today).await?;
    assert_eq!(stale, vec![], "{step}: the missing reports were not summed from the rollups");
    let dashboard = app.data(DASHBOARD, json!({}), Some(token)).await?;
    for light in ["GREEN", "YELLOW", "RED"] {
        let n = counts.get(light).copied().unwrap_or(0);
        let filtered = app.data(BY_LIGHT, json!({ "l": light }), Some(token)).await?;
        assert_eq!(filtered["projects"]["totalCount"], n, "{step}: projects filtered by {light}");
        let key = light.to_lowercase();
        assert_eq!(dashboard["dashboard"]["lights"][&key], n, "{step}: the dashboard's {light}");
    }
    in_name_order(app, token, &shown, step).await?;
    Ok(shown)
}

/// The ids `IN_ORDER` lists for `light` (every project when none), page by page.
async fn walk(app: &TestApp, token: &str, light: Option<&str>, direction: &str) -> TestResult<Vec<String>> {
    let mut out = Vec::new();
    let mut after = Value::Null;
    loop {
        let vars = json!({ "l": light, "d": direction, "a": after });
        let page = app.data(IN_ORDER, vars, Some(token)).await?;
        for edge in page["projects"]["edges"].as_array().ok_or("edges")? {
            out.push(edge["node"]["id"].as_str().ok_or("id")?.to_owned());
        }
        if page["projects"]["pageInfo"]["hasNextPage"] != true {
            return Ok(out);
        }
        after = page["projects"]["pageInfo"]["endCursor"].clone();
    }
}

/// A light's projects, walked in name order both ways, are the whole list in that order with the
/// other lights left out (the filter walks the kept lights' index of names, the list the projects').
async fn in_name_order(app: &TestApp, token: &str, shown: &BTreeMap<String, Value>, step: &str) -> TestResult {
    for direction in ["ASC", "DESC"] {
        let all = walk(app, token, None, direction).await?;
        for light in ["GREEN", "YELLOW", "RED"] {
            let expected: Vec<&String> = all.iter().filter(|id| shown[*id]["light"] == light).collect();
            let listed = walk(app, token, Some(light), direction).await?;
            assert_eq!(listed.iter().collect::<Vec<_>>(), expected, "{step}: {light} in name order {direction}");
        }
    }
    Ok(())
}

/// Asserts that a write changed the light of at least one project (else the step proves nothing).
fn changed(before: &BTreeMap<String, Value>, after: &BTreeMap<String, Value>, step: &str) {
    let differ = after.iter().any(|(id, h)| before.get(id) != Some(h));
    assert!(differ, "{step} changed no light: the step does not test keeping");
}

#[tokio::test]
async fn kept_lights_always_equal_the_lights_computed_from_the_rows() -> TestResult {
    // 20 November 2026 in the county: October's reports are due (the 5th) and closed.
    let day = "2026-11-20T02:00:00Z";
    let app = TestApp::spawn_with(|c| c.clock = clock(day).unwrap_or_default()).await?;
    let today = app.state.config.clock.today();
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let first = check(&app, &admin, today, "the demo county").await?;

    // A new project: kept at once, computed on first read.
    let project = create(&app, &admin, "红绿灯保持测试项目").await?;
    let created = check(&app, &admin, today, "a new project").await?;
    assert_eq!(created.len(), first.len() + 1);

    // A report: the year's completed share moves.
    let report = json!({ "i": { "projectId": project, "period": "2026-11", "investmentThisMonth": "900", "progressPercent": "40", "narrative": "完成主体结构施工" } });
    let submit = "mutation($i: MonthlyReportInput!) { submitMonthlyReport(input: $i) { id } }";
    app.data(submit, report, Some(&owner)).await?;
    let reported = check(&app, &admin, today, "a report").await?;
    changed(&created, &reported, "a report");

    // A year plan: the expected and completed shares move.
    let update = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }";
    let plans = json!({ "id": project, "i": { "yearPlans": [{ "year": 2026, "plannedInvestment": "9000" }] } });
    app.data(update, plans, Some(&admin)).await?;
    let planned = check(&app, &admin, today, "a year plan").await?;
    changed(&reported, &planned, "a year plan");

    // A schedule whose first step was due weeks ago: the milestone slip turns the light.
    let plan = "mutation($p: UUID!, $d: Date!, $s: [ScheduleStepInput!]!) { planSchedule(projectId: $p, deadline: $d, steps: $s) { milestones { id } } }";
    let steps = json!([{ "name": "土地报批", "durationDays": 30 }, { "name": "主体施工", "durationDays": 10 }]);
    let laid = app.data(plan, json!({ "p": project, "d": "2026-11-15", "s": steps }), Some(&owner)).await?;
    let scheduled = check(&app, &admin, today, "a schedule").await?;
    changed(&planned, &scheduled, "a schedule");

    // Finishing the late milestone.
    let milestone = laid["planSchedule"]["milestones"][0]["id"].clone();
    let complete = "mutation($id: UUID!, $d: Date!) { completeMilestone(id: $id, actualFinish: $d) { daysLate } }";
    app.data(complete, json!({ "id": milestone, "d": "2026-10-10" }), Some(&owner)).await?;
    let completed = check(&app, &admin, today, "a milestone done").await?;
    changed(&scheduled, &completed, "a milestone done");

    // Another unit, list and industry: the unit it left stops counting it, the new one starts.
    let to = crate::helpers::unit_id("发改局");
    let moved =
        json!({ "id": project, "i": { "responsibleUnitId": to, "category": "KEY_PRELIMINARY", "industry": "FOOD" } });
    app.data(update, moved, Some(&admin)).await?;
    check(&app, &admin, today, "another unit and list").await?;

    // A new name moves the project within its light's list (digits sort before the demo names).
    app.data(update, json!({ "id": project, "i": { "name": "0号红绿灯保持测试项目" } }), Some(&admin)).await?;
    check(&app, &admin, today, "a new name").await?;

    // A status: a suspended project is not rated.
    app.data(update, json!({ "id": project, "i": { "status": "SUSPENDED" } }), Some(&admin)).await?;
    let suspended = check(&app, &admin, today, "a status").await?;
    changed(&completed, &suspended, "a status");

    // The office's rules: every light is judged again.
    let rules = "mutation($i: HealthRulesInput!) { updateHealthRules(input: $i) { yellowGapPp } }";
    app.data(rules, json!({ "i": { "yellowGapPp": 1, "redGapPp": 2, "redLateDays": 1 } }), Some(&admin)).await?;
    let strict = check(&app, &admin, today, "stricter rules").await?;
    changed(&suspended, &strict, "stricter rules");

    // A new day, from another instance on the same database: every light is of the new day.
    let later = clock("2026-12-20T02:00:00Z")?;
    let next = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |c| c.clock = later).await?;
    let admin = next.login_as("admin").await?;
    let next_day = check(&next, &admin, next.state.config.clock.today(), "a new day").await?;
    changed(&strict, &next_day, "a new day");
    Ok(())
}

#[tokio::test]
async fn a_county_upgraded_from_the_release_before_gets_every_light_kept() -> TestResult {
    use migration::MigratorTrait;
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "升级前的项目").await?;
    // Back to the release before (no kept lights) and forward again, as an upgrade does.
    let db = sea_orm::Database::connect(app.database_url.as_str()).await?;
    let applied = migration::Migrator::get_applied_migrations(&db).await?.len() as u32;
    migration::Migrator::down(&db, Some(applied - 13)).await?;
    migration::Migrator::up(&db, None).await?;
    let count = |table: &str| {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let db = &db;
        async move {
            let row = db
                .query_one(sea_orm::Statement::from_string(db.get_database_backend(), sql))
                .await?
                .ok_or("no count")?;
            Ok::<i64, Box<dyn std::error::Error + Send + Sync>>(row.try_get("", "n")?)
        }
    };
    assert_eq!(count("project_lights").await?, count("projects").await?, "every project has a kept light");
    db.close().await?;
    let next = TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    let admin = next.login_as("admin").await?;
    let shown = check(&next, &admin, next.state.config.clock.today(), "after the upgrade").await?;
    assert!(shown.contains_key(&project));
    Ok(())
}

#[tokio::test]
async fn many_readers_meeting_stale_lights_at_once_all_answer_and_keep_them() -> TestResult {
    let app = TestApp::spawn().await?;
    let token = app.login_as("leader").await?;
    let q = "{ projects(first: 50) { edges { node { id health { light } } } } }";
    // Every light is stale (none computed yet): each reader computes and keeps the same rows. Kept in
    // one order, they wait for each other briefly; kept in any order they would deadlock, and each
    // deadlock costs the database's detection time (a second on PostgreSQL).
    let started = std::time::Instant::now();
    let readers = (0..24).map(|_| app.data(q, json!({}), Some(&token)));
    for answer in futures_util::future::join_all(readers).await {
        assert_eq!(answer?["projects"]["edges"].as_array().map(Vec::len), Some(50));
    }
    let elapsed = started.elapsed();
    assert!(elapsed < std::time::Duration::from_secs(4), "readers waited on each other: {elapsed:?}");
    let today = app.state.config.clock.today();
    let page = app.data(q, json!({}), Some(&token)).await?;
    let ids: Vec<uuid::Uuid> = page["projects"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .map(|e| e["node"]["id"].as_str().unwrap_or_default().parse())
        .collect::<Result<_, _>>()?;
    let (kept, stale) = api::service::lights::read(&app.state.db, &ids, today).await?;
    assert_eq!((kept.len(), stale.len()), (50, 0), "every light read is kept");
    Ok(())
}

#[tokio::test]
async fn a_light_read_alone_answers_the_rest_of_its_health_when_asked_in_a_fragment() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let full = "{ projects(first: 30) { edges { node { health { light reasons worstSlipDays } } } } }";
    let mixed = "{ projects(first: 30) { edges { node { health { light ... on Health { reasons } ...Slip } } } } } fragment Slip on Health { worstSlipDays }";
    let expected = app.data(full, json!({}), Some(&admin)).await?;
    assert_eq!(app.data(mixed, json!({}), Some(&admin)).await?, expected);
    let alone =
        app.data("{ projects(first: 30) { edges { node { health { light } } } } }", json!({}), Some(&admin)).await?;
    let lights = |v: &Value| -> Vec<Value> {
        v["projects"]["edges"].as_array().into_iter().flatten().map(|e| e["node"]["health"]["light"].clone()).collect()
    };
    assert_eq!(lights(&alone), lights(&expected));
    assert!(lights(&expected).iter().all(|l| l.is_string()), "every project has a light: {expected}");
    Ok(())
}

#[tokio::test]
async fn a_page_of_current_lights_costs_no_statement_beyond_the_page_itself() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let bare = "{ projects(first: 50) { edges { node { id } } } }";
    let lit = "{ projects(first: 50) { edges { node { id health { light } } } } }";
    let full = "{ projects(first: 50) { edges { node { id health { light reasons } } } } }";
    // The first reader makes the kept lights current; after that they are read with the page.
    let first = app.data(lit, json!({}), Some(&admin)).await?;
    let cost = |q: &'static str| {
        let app = &app;
        let admin = admin.clone();
        async move {
            let (data, cost) = app.data_and_cost(q, json!({}), Some(&admin)).await?;
            TestResult::<(u64, Value)>::Ok((cost, data))
        }
    };
    let (bare_cost, _) = cost(bare).await?;
    let (lit_cost, again) = cost(lit).await?;
    assert_eq!(lit_cost, bare_cost, "lights alone, when current, come with the page's own statement");
    assert_eq!(again, first);
    // The lights read with the page are the lights computed from the rows.
    let (_, computed) = cost(full).await?;
    let lights = |v: &Value| -> Vec<Value> {
        v["projects"]["edges"].as_array().into_iter().flatten().map(|e| e["node"]["health"]["light"].clone()).collect()
    };
    assert_eq!(lights(&again), lights(&computed));
    Ok(())
}

#[tokio::test]
async fn a_page_with_units_leaders_and_lights_costs_what_units_and_leaders_alone_cost_and_shows_the_single_reads()
-> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let bare = "{ projects(first: 50) { edges { node { id responsibleUnit { id } leader { id } } } } }";
    let along = "{ projects(first: 50) { edges { node { id responsibleUnit { id name kind } leader { id username displayName } health { light } } } } }";
    app.data(along, json!({}), Some(&admin)).await?;
    let bare_cost = app.cost(bare, json!({}), Some(&admin)).await?;
    let (joined, along_cost) = app.data_and_cost(along, json!({}), Some(&admin)).await?;
    assert_eq!(along_cost, bare_cost, "current lights come with the page, beside units and leaders");
    // Each project's own unit and leader, as the single project reads them.
    let one = "query($id: UUID!) { project(id: $id) { id responsibleUnit { id name kind } leader { id username displayName } health { light } } }";
    for edge in joined["projects"]["edges"].as_array().ok_or("edges")?.iter().step_by(7) {
        let node = &edge["node"];
        let single = app.data(one, json!({ "id": node["id"] }), Some(&admin)).await?;
        assert_eq!(&single["project"], node);
    }
    // Filters, orders and cursors read the projects' own columns, whatever is joined beside them.
    let paged = "query($a: String) { projects(first: 5, after: $a, filter: { search: \"项目\", category: KEY_CONSTRUCTION }, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }) { pageInfo { endCursor } edges { node { id responsibleUnit { name } leader { username } health { light } } } } }";
    let plain = "query($a: String) { projects(first: 5, after: $a, filter: { search: \"项目\", category: KEY_CONSTRUCTION }, orderBy: { field: TOTAL_INVESTMENT, direction: DESC }) { pageInfo { endCursor } edges { node { id } } } }";
    let first = app.data(paged, json!({ "a": null }), Some(&admin)).await?;
    let cursor = first["projects"]["pageInfo"]["endCursor"].clone();
    let second = app.data(paged, json!({ "a": cursor }), Some(&admin)).await?;
    let ids = |v: &Value| -> Vec<Value> {
        v["projects"]["edges"].as_array().into_iter().flatten().map(|e| e["node"]["id"].clone()).collect()
    };
    let plain_second = app.data(plain, json!({ "a": cursor }), Some(&admin)).await?;
    assert_eq!(ids(&second), ids(&plain_second));
    assert_eq!(ids(&second).len(), 5, "{second}");
    Ok(())
}
