//! Supervision that follows through: tasks carried out by inspections, KEY_PROBLEM inspections that
//! name their problems and verify resolutions, sealed and reproducible surprise draws, tracking
//! coverage and bulletins against plain SQL counts.

use chrono::{Duration, Utc};
use sea_orm::{ConnectionTrait, Value as Sql};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, TestResult, county_today, error_code};
use crate::inspections::dust;
use crate::meetings::statement;
use crate::projects::create;

const PLAN: &str = "mutation($i: PlanSupervisionTaskInput!) { planSupervisionTask(input: $i) { id kind status sealed inspectors { username } projects { project { id } inspected inspectionId } issues { id } } }";
const DRAW: &str = "mutation($i: DrawSurpriseTaskInput!) { drawSurpriseTask(input: $i) { id kind origin status sealed projects { project { id health { light } } } draw { seed candidates { projectId weight } drawnProjectIds rerunProjectIds reproduces } } }";
const SUBMIT: &str = "mutation($i: InspectionInput!) { submitInspection(input: $i) { id result task { id status } targets { issue { id status } verified } } }";
const TASK: &str = "query($id: UUID!) { supervisionTask(id: $id) { id status doneAt summary projects { inspected } } }";
const CLOSE: &str =
    "mutation($id: UUID!, $s: String!) { closeSupervisionTask(id: $id, summary: $s) { status summary closedAt } }";

fn task(kind: &str, projects: &[&str], from: i64, to: i64) -> Value {
    let today = county_today();
    json!({ "i": {
        "id": Uuid::now_v7(),
        "kind": kind,
        "title": "十一月重点项目跟踪督导",
        "windowFrom": (today + Duration::days(from)).to_string(),
        "windowTo": (today + Duration::days(to)).to_string(),
        "projectIds": projects,
        "inspectorIds": [api::seed::demo::demo_id("user", "inspector")],
    }})
}

/// A passing dust inspection of `kind` done a minute ago, for `task`.
fn inspection(project: &str, kind: &str, task: Option<&str>) -> Value {
    let mut i = dust(project, "PASS");
    let done = Utc::now() - Duration::minutes(1);
    i["kind"] = json!(kind);
    i["startedAt"] = json!((done - Duration::minutes(30)).to_rfc3339());
    i["completedAt"] = json!(done.to_rfc3339());
    i["taskId"] = json!(task);
    json!({ "i": i })
}

fn id_of(data: &Value, field: &str) -> TestResult<String> {
    Ok(data[field]["id"].as_str().ok_or_else(|| format!("no id in {data}"))?.to_owned())
}

#[tokio::test]
async fn a_task_is_done_when_every_project_had_an_inspection_of_its_kind_inside_the_window() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let (a, b, c) = (
        create(&app, &admin, "跟踪督导甲").await?,
        create(&app, &admin, "跟踪督导乙").await?,
        create(&app, &admin, "跟踪督导丙").await?,
    );
    let vars = task("TRACKING", &[&a, &b], -1, 5);
    let data = app.data(PLAN, vars.clone(), Some(&admin)).await?;
    let t = id_of(&data, "planSupervisionTask")?;
    assert_eq!(data["planSupervisionTask"]["status"], "IN_PROGRESS");
    assert_eq!(data["planSupervisionTask"]["inspectors"], json!([{ "username": "inspector" }]));
    // The same create again is the stored task; other content under its id is a conflict.
    assert_eq!(id_of(&app.data(PLAN, vars.clone(), Some(&admin)).await?, "planSupervisionTask")?, t);
    let mut other = vars.clone();
    other["i"]["title"] = json!("另一个任务");
    assert_eq!(error_code(&app.gql(PLAN, other, Some(&admin)).await?), Some("CONFLICT"));
    // A SURPRISE task is drawn, not planned; a KEY_PROBLEM task names its problems; only the office plans.
    for (kind, code, token) in [
        ("SURPRISE", "BAD_USER_INPUT", &admin),
        ("KEY_PROBLEM", "BAD_USER_INPUT", &admin),
        ("TRACKING", "FORBIDDEN", &inspector),
    ] {
        let body = app.gql(PLAN, task(kind, &[&a], 0, 3), Some(token)).await?;
        assert_eq!(error_code(&body), Some(code), "{kind}: {body}");
    }
    let body = app.gql(PLAN, task("TRACKING", &[&a], -9, -2), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "a window already over: {body}");

    // An inspection for the task is of its kind, of one of its projects, inside its window.
    let body = app.gql(SUBMIT, inspection(&a, "SURPRISE", Some(&t)), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "kind: {body}");
    let body = app.gql(SUBMIT, inspection(&c, "TRACKING", Some(&t)), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "project: {body}");
    let mut early = inspection(&a, "TRACKING", Some(&t));
    early["i"]["startedAt"] = json!((Utc::now() - Duration::days(5)).to_rfc3339());
    early["i"]["completedAt"] = json!((Utc::now() - Duration::days(4)).to_rfc3339());
    let body = app.gql(SUBMIT, early, Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "window: {body}");
    let body = app.gql(SUBMIT, inspection(&a, "TRACKING", Some(&Uuid::new_v4().to_string())), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "no such task: {body}");
    // The leader is no inspector of this task.
    let body = app.gql(SUBMIT, inspection(&a, "TRACKING", Some(&t)), Some(&app.login_as("leader").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");

    let data = app.data(SUBMIT, inspection(&a, "TRACKING", Some(&t)), Some(&inspector)).await?;
    assert_eq!(data["submitInspection"]["task"], json!({ "id": t, "status": "IN_PROGRESS" }));
    let shown = app.data(TASK, json!({ "id": t }), Some(&admin)).await?;
    assert_eq!(shown["supervisionTask"]["projects"], json!([{ "inspected": true }, { "inspected": false }]));
    // Not done yet: it cannot be closed.
    let body = app.gql(CLOSE, json!({ "id": t, "s": "督导小结" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // An inspection of the kind inside the window counts even without naming the task.
    let data = app.data(SUBMIT, inspection(&b, "TRACKING", None), Some(&inspector)).await?;
    assert_eq!(data["submitInspection"]["task"], Value::Null);
    let shown = app.data(TASK, json!({ "id": t }), Some(&admin)).await?;
    assert_eq!(shown["supervisionTask"]["status"], "DONE", "{shown}");
    assert!(shown["supervisionTask"]["doneAt"].is_string());

    let data = app.data(CLOSE, json!({ "id": t, "s": "两个项目均已现场督导，进度正常。" }), Some(&admin)).await?;
    assert_eq!(data["closeSupervisionTask"]["summary"], "两个项目均已现场督导，进度正常。");
    let body = app.gql(CLOSE, json!({ "id": t, "s": "再写一次" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "closed once: {body}");

    // The project lists its tasks; its unit sees the task, another unit does not.
    let of_project = "query($p: UUID!) { project(id: $p) { supervisionTasks { totalCount edges { node { id } } } } }";
    let data = app.data(of_project, json!({ "p": a }), Some(&app.login_as("zrzyj").await?)).await?;
    assert_eq!(data["project"]["supervisionTasks"]["totalCount"], 1, "{data}");
    let body = app.gql(TASK, json!({ "id": t }), Some(&app.login_as("fgj").await?)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let done = "{ supervisionTasks(filter: { status: DONE }) { totalCount } }";
    assert_eq!(app.data(done, json!({}), Some(&admin)).await?["supervisionTasks"]["totalCount"], 1);
    Ok(())
}

#[tokio::test]
async fn a_key_problem_inspection_names_its_problem_and_a_passed_follow_up_verifies_the_resolution() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let unit = app.login_as("zrzyj").await?;
    let project = create(&app, &admin, "重点督导项目").await?;
    let issue = crate::issues::raise(&app, &admin, &project).await?;
    for (who, action) in [(&admin, "assign"), (&unit, "accept"), (&unit, "start")] {
        let body = crate::issues::act(&app, who, action, &issue).await?;
        assert_eq!(error_code(&body), None, "{action}: {body}");
    }
    let mut vars = task("KEY_PROBLEM", &[&project], 0, 7);
    vars["i"]["issueIds"] = json!([issue]);
    let data = app.data(PLAN, vars, Some(&admin)).await?;
    let t = id_of(&data, "planSupervisionTask")?;
    assert_eq!(data["planSupervisionTask"]["issues"], json!([{ "id": issue }]));
    // An issue of another project is not this task's problem.
    let elsewhere = create(&app, &admin, "别的项目").await?;
    let mut wrong = task("KEY_PROBLEM", &[&elsewhere], 0, 7);
    wrong["i"]["issueIds"] = json!([issue]);
    assert_eq!(error_code(&app.gql(PLAN, wrong, Some(&admin)).await?), Some("BAD_USER_INPUT"));

    // A KEY_PROBLEM inspection names what it deals with.
    let body = app.gql(SUBMIT, inspection(&project, "KEY_PROBLEM", Some(&t)), Some(&inspector)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // The unit reports it resolved; the passed follow-up verifies it in the same write.
    let body = crate::issues::act(&app, &unit, "resolve", &issue).await?;
    assert_eq!(error_code(&body), None, "{body}");
    let mut follow_up = inspection(&project, "KEY_PROBLEM", Some(&t));
    follow_up["i"]["issueIds"] = json!([issue]);
    follow_up["i"]["verifyResolved"] = json!(true);
    let data = app.data(SUBMIT, follow_up.clone(), Some(&inspector)).await?;
    let s = &data["submitInspection"];
    assert_eq!(s["result"], "PASSED");
    assert_eq!(s["targets"], json!([{ "issue": { "id": issue, "status": "VERIFIED" }, "verified": true }]));
    assert_eq!(s["task"]["status"], "DONE");
    // A replay changes nothing and answers the same.
    let again = app.data(SUBMIT, follow_up, Some(&inspector)).await?;
    assert_eq!(again["submitInspection"]["targets"], s["targets"]);
    let timeline = "query($id: UUID!) { issue(id: $id) { status timeline { kind text } } }";
    let data = app.data(timeline, json!({ "id": issue }), Some(&admin)).await?;
    let verified: Vec<&Value> =
        data["issue"]["timeline"].as_array().ok_or("timeline")?.iter().filter(|e| e["kind"] == "VERIFIED").collect();
    assert_eq!(verified.len(), 1, "{data}");
    Ok(())
}

#[tokio::test]
async fn a_surprise_draw_takes_lagging_projects_reproducibly_and_stays_sealed_until_its_window_opens() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let draw = |seed: i64| {
        json!({ "i": {
            "id": Uuid::now_v7(),
            "size": 3,
            "windowFrom": (county_today() + Duration::days(3)).to_string(),
            "windowTo": (county_today() + Duration::days(10)).to_string(),
            "inspectorIds": [api::seed::demo::demo_id("user", "inspector")],
            "seed": seed,
        }})
    };
    let data = app.data(DRAW, draw(42), Some(&admin)).await?;
    let d = &data["drawSurpriseTask"];
    let t = d["id"].as_str().ok_or("id")?.to_owned();
    assert_eq!(
        (d["kind"].as_str(), d["origin"].as_str(), d["sealed"].as_bool()),
        (Some("SURPRISE"), Some("DRAWN"), Some(true))
    );
    let projects = d["projects"].as_array().ok_or("projects")?;
    assert_eq!(projects.len(), 3, "{d}");
    for p in projects {
        let light = p["project"]["health"]["light"].as_str();
        assert!(matches!(light, Some("YELLOW" | "RED")), "a drawn project lags: {p}");
    }
    assert_eq!(d["draw"]["reproduces"], true);
    assert_eq!(d["draw"]["rerunProjectIds"], d["draw"]["drawnProjectIds"]);
    let drawn: Vec<&str> = projects.iter().filter_map(|p| p["project"]["id"].as_str()).collect();
    assert_eq!(d["draw"]["drawnProjectIds"], json!(drawn));
    // The same seed over the same lagging projects draws the same list.
    let twin = app.data(DRAW, draw(42), Some(&admin)).await?;
    assert_eq!(twin["drawSurpriseTask"]["draw"]["drawnProjectIds"], d["draw"]["drawnProjectIds"]);

    // Sealed: the office and the assigned inspector see it; a leader and the drawn projects' units
    // see neither the task nor that it exists.
    let see = "query($id: UUID!) { supervisionTask(id: $id) { id sealed } }";
    let count = "{ supervisionTasks(filter: { kind: SURPRISE }) { totalCount } }";
    let inspector = app.login_as("inspector").await?;
    assert_eq!(app.data(see, json!({ "id": t }), Some(&inspector)).await?["supervisionTask"]["sealed"], true);
    let units = ["fgj", "zrzyj", "sthjj"];
    for who in ["leader"].into_iter().chain(units) {
        let token = app.login_as(who).await?;
        assert_eq!(error_code(&app.gql(see, json!({ "id": t }), Some(&token)).await?), Some("NOT_FOUND"), "{who}");
        assert_eq!(app.data(count, json!({}), Some(&token)).await?["supervisionTasks"]["totalCount"], 0, "{who}");
    }
    let of_project =
        "query($p: UUID!) { project(id: $p) { supervisionTasks(filter: { kind: SURPRISE }) { totalCount } } }";
    let data = app.data(of_project, json!({ "p": drawn[0] }), Some(&app.login_as("leader").await?)).await?;
    assert_eq!(data["project"]["supervisionTasks"]["totalCount"], 0, "{data}");
    let data = app.data(of_project, json!({ "p": drawn[0] }), Some(&admin)).await?;
    assert_eq!(data["project"]["supervisionTasks"]["totalCount"], 2, "{data}");

    // Once the window opens, the usual visibility applies.
    let opened = (Utc::now() + Duration::days(4)).to_rfc3339();
    let later = crate::clock::same_county_at(&app, &opened).await?;
    let leader = later.login_as("leader").await?;
    let data = later.data(see, json!({ "id": t }), Some(&leader)).await?;
    assert_eq!(data["supervisionTask"]["sealed"], false);
    let unit_of = "query($p: UUID!) { project(id: $p) { responsibleUnit { name } } }";
    let unit = later.data(unit_of, json!({ "p": drawn[0] }), Some(&admin)).await?;
    let name = unit["project"]["responsibleUnit"]["name"].as_str().ok_or("unit")?.to_owned();
    if let Some(who) = [("发改局", "fgj"), ("自然资源局", "zrzyj"), ("生态环境局", "sthjj")]
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, w)| *w)
    {
        let token = later.login_as(who).await?;
        assert_eq!(later.data(see, json!({ "id": t }), Some(&token)).await?["supervisionTask"]["id"], t.as_str());
    }
    // A size out of range is refused before anything is read.
    let mut big = draw(1);
    big["i"]["size"] = json!(51);
    assert_eq!(error_code(&app.gql(DRAW, big, Some(&admin)).await?), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn tracking_coverage_counts_inspections_not_plans_and_equals_plain_sql() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let period = county_today().format("%Y-%m").to_string();
    let query = "query($p: String!) { supervisionCoverage(period: $p, notVisitedPerUnit: 100) { required covered sharePercent units { unit { id name } required covered notVisited { id } } } }";
    let sql = |covered: bool| -> String {
        let base = "SELECT COUNT(*) FROM projects p WHERE p.category = 'KEY_CONSTRUCTION' AND p.status NOT IN ('COMPLETED', 'IN_OPERATION', 'SUSPENDED') AND p.created_at < ?";
        let visited = " AND p.id IN (SELECT project_id FROM inspections WHERE kind = 'TRACKING' AND is_current = ? AND completed_at >= ? AND completed_at < ?)";
        if covered { format!("{base}{visited}") } else { base.to_owned() }
    };
    let month = api::service::period::Period::of(county_today());
    let zone = api::clock::china();
    let (from, until) = (api::clock::midnight(month.first_day(), zone), api::service::period::period_end(month, zone));
    let db = &app.state.db;
    let plain = |covered: bool| {
        let values: Vec<Sql> =
            if covered { vec![until.into(), true.into(), from.into(), until.into()] } else { vec![until.into()] };
        let stmt = statement(db.get_database_backend(), &sql(covered), values);
        async move { TestResult::<i64>::Ok(db.query_one(stmt).await?.ok_or("no row")?.try_get_by_index::<i64>(0)?) }
    };
    let data = app.data(query, json!({ "p": period }), Some(&admin)).await?;
    let c = &data["supervisionCoverage"];
    assert_eq!(c["required"].as_i64(), Some(plain(false).await?), "{c}");
    assert_eq!(c["covered"].as_i64(), Some(plain(true).await?), "{c}");
    assert!(c["required"].as_i64() > Some(0), "the demo county has key construction projects: {c}");
    let units = c["units"].as_array().ok_or("units")?;
    let sum = |f: &str| units.iter().filter_map(|u| u[f].as_i64()).sum::<i64>();
    assert_eq!(
        (sum("required"), sum("covered")),
        (c["required"].as_i64().unwrap_or(-1), c["covered"].as_i64().unwrap_or(-1))
    );

    // A plan is not a visit; an inspection is.
    let unvisited = units
        .iter()
        .find_map(|u| u["notVisited"].as_array().and_then(|v| v.first()).and_then(|p| p["id"].as_str()))
        .ok_or("some project is not visited")?
        .to_owned();
    app.data(PLAN, task("TRACKING", &[&unvisited], 0, 5), Some(&admin)).await?;
    let after_plan = app.data(query, json!({ "p": period }), Some(&admin)).await?;
    assert_eq!(after_plan["supervisionCoverage"]["covered"], c["covered"]);
    app.data(SUBMIT, inspection(&unvisited, "TRACKING", None), Some(&inspector)).await?;
    let after = app.data(query, json!({ "p": period }), Some(&admin)).await?;
    assert_eq!(after["supervisionCoverage"]["covered"].as_i64(), c["covered"].as_i64().map(|n| n + 1));
    assert_eq!(after["supervisionCoverage"]["covered"].as_i64(), Some(plain(true).await?));
    let still: Vec<&str> = after["supervisionCoverage"]["units"]
        .as_array()
        .ok_or("units")?
        .iter()
        .flat_map(|u| u["notVisited"].as_array().into_iter().flatten())
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert!(!still.contains(&unvisited.as_str()));

    // A unit sees its own coverage only.
    let data = app.data(query, json!({ "p": period }), Some(&app.login_as("fgj").await?)).await?;
    let names: Vec<&str> = data["supervisionCoverage"]["units"]
        .as_array()
        .ok_or("units")?
        .iter()
        .filter_map(|u| u["unit"]["name"].as_str())
        .collect();
    assert!(names.iter().all(|n| *n == "发改局"), "{names:?}");
    let body = app.gql(query, json!({ "p": "2026-13" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // Turning the requirement off for a category empties the count.
    let off = "mutation { updateHealthRules(input: { trackingMonthsConstruction: 0 }) { trackingMonthsConstruction } }";
    app.data(off, json!({}), Some(&admin)).await?;
    let none = app.data(query, json!({ "p": period }), Some(&admin)).await?;
    assert_eq!(none["supervisionCoverage"]["required"], 0);
    Ok(())
}

#[tokio::test]
async fn a_bulletin_reports_what_plain_sql_counts_and_is_numbered_within_its_year() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let period = county_today().format("%Y-%m").to_string();
    let publish = "mutation($i: PublishBulletinInput!) { publishBulletin(input: $i) { id year number period figures { asOf inspections { kind result count } failedItems { kind count } issuesRaised issuesStillOpen overdueIssues { unitName count } overdueActionItems { unitName count } worstUnits { unitName count } } } }";
    let vars = json!({ "i": { "id": Uuid::now_v7(), "period": period, "title": "督导通报第一期" } });
    let data = app.data(publish, vars.clone(), Some(&admin)).await?;
    let b = &data["publishBulletin"];
    assert_eq!(b["number"], 1);
    let f = &b["figures"];
    let month = api::service::period::Period::of(county_today());
    let zone = api::clock::china();
    let (from, until) = (api::clock::midnight(month.first_day(), zone), api::service::period::period_end(month, zone));
    let today = county_today();
    let db = &app.state.db;
    let count = |sql: &'static str, values: Vec<Sql>| {
        let stmt = statement(db.get_database_backend(), sql, values);
        async move { TestResult::<i64>::Ok(db.query_one(stmt).await?.ok_or("no row")?.try_get_by_index::<i64>(0)?) }
    };
    let inspections = count(
        "SELECT COUNT(*) FROM inspections WHERE is_current = ? AND completed_at >= ? AND completed_at < ?",
        vec![true.into(), from.into(), until.into()],
    )
    .await?;
    let listed: i64 =
        f["inspections"].as_array().ok_or("inspections")?.iter().filter_map(|k| k["count"].as_i64()).sum();
    assert_eq!(listed, inspections, "{f}");
    let raised =
        count("SELECT COUNT(*) FROM issues WHERE created_at >= ? AND created_at < ?", vec![from.into(), until.into()])
            .await?;
    assert_eq!(f["issuesRaised"].as_i64(), Some(raised));
    let open = count("SELECT COUNT(*) FROM issues WHERE created_at >= ? AND created_at < ? AND status NOT IN ('RESOLVED', 'VERIFIED', 'CLOSED')", vec![from.into(), until.into()]).await?;
    assert_eq!(f["issuesStillOpen"].as_i64(), Some(open));
    let failed = count(
        "SELECT COUNT(*) FROM issues WHERE created_at >= ? AND created_at < ? AND source = 'INSPECTION'",
        vec![from.into(), until.into()],
    )
    .await?;
    let listed: i64 =
        f["failedItems"].as_array().ok_or("failedItems")?.iter().filter_map(|k| k["count"].as_i64()).sum();
    assert_eq!(listed, failed);
    let overdue = count("SELECT COUNT(*) FROM issues WHERE assigned_unit_id IS NOT NULL AND due_date < ? AND status NOT IN ('RESOLVED', 'VERIFIED', 'CLOSED')", vec![today.into()]).await?;
    let listed: i64 = f["overdueIssues"].as_array().ok_or("overdue")?.iter().filter_map(|k| k["count"].as_i64()).sum();
    assert_eq!(listed, overdue);
    let items =
        count("SELECT COUNT(*) FROM action_items WHERE status = 'OPEN' AND deadline < ?", vec![today.into()]).await?;
    let listed: i64 =
        f["overdueActionItems"].as_array().ok_or("items")?.iter().filter_map(|k| k["count"].as_i64()).sum();
    assert_eq!(listed, items);
    assert!(f["worstUnits"].as_array().is_some_and(|w| w.len() <= 3));

    // A replay is the stored bulletin; the next is number 2; units read them; only the office publishes.
    assert_eq!(app.data(publish, vars, Some(&admin)).await?["publishBulletin"]["number"], 1);
    let next = json!({ "i": { "period": period, "title": "督导通报第二期", "body": "请各单位对照整改。" } });
    assert_eq!(app.data(publish, next.clone(), Some(&admin)).await?["publishBulletin"]["number"], 2);
    let unit = app.login_as("fgj").await?;
    let list = "{ bulletins { totalCount edges { node { number title figures { issuesRaised } } } } }";
    let data = app.data(list, json!({}), Some(&unit)).await?;
    assert_eq!(data["bulletins"]["totalCount"], 2);
    assert_eq!(data["bulletins"]["edges"][0]["node"]["number"], 2, "latest first");
    assert_eq!(error_code(&app.gql(publish, next, Some(&unit)).await?), Some("FORBIDDEN"));
    let future = (county_today() + Duration::days(62)).format("%Y-%m").to_string();
    let body = app.gql(publish, json!({ "i": { "period": future, "title": "未来" } }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    Ok(())
}

/// Who sees which task: the office all; leaders all but sealed ones; an inspector the tasks assigned
/// to them and the open ones; a unit the unsealed tasks on its projects. Each row is checked by id
/// and against the list's count.
#[tokio::test]
async fn who_sees_which_task_including_a_sealed_draw() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let own = create(&app, &admin, "自然资源局督导项目").await?;
    let list = "{ projects(first: 100) { edges { node { id responsibleUnit { name } } } } }";
    let data = app.data(list, json!({}), Some(&admin)).await?;
    let fgj_project = data["projects"]["edges"]
        .as_array()
        .ok_or("projects")?
        .iter()
        .find(|e| e["node"]["responsibleUnit"]["name"] == "发改局")
        .and_then(|e| e["node"]["id"].as_str())
        .ok_or("a 发改局 project")?
        .to_owned();
    let tracking = id_of(&app.data(PLAN, task("TRACKING", &[&own], 0, 5), Some(&admin)).await?, "planSupervisionTask")?;
    let mut by_admin = task("TRACKING", &[&fgj_project], 0, 5);
    by_admin["i"]["inspectorIds"] = json!([api::seed::demo::demo_id("user", "admin")]);
    let open = id_of(&app.data(PLAN, by_admin, Some(&admin)).await?, "planSupervisionTask")?;
    let draw = json!({ "i": {
        "size": 50,
        "windowFrom": (county_today() + Duration::days(3)).to_string(),
        "windowTo": (county_today() + Duration::days(10)).to_string(),
        "inspectorIds": [api::seed::demo::demo_id("user", "inspector")],
        "seed": 7,
    }});
    let data = app.data(DRAW, draw, Some(&admin)).await?;
    let sealed = id_of(&data, "drawSurpriseTask")?;
    let drawn = &data["drawSurpriseTask"]["draw"]["drawnProjectIds"];
    assert!(drawn.as_array().is_some_and(|d| d.contains(&json!(own))), "the new project lags and is drawn: {data}");

    let see = "query($id: UUID!) { supervisionTask(id: $id) { id } }";
    // Proposals (倒逼) for the demo county's red projects are left out: they have their own test.
    let planned = "{ supervisionTasks(filter: { origin: PLANNED }) { totalCount } }";
    let drawn_count = "{ supervisionTasks(filter: { origin: DRAWN }) { totalCount } }";
    let matrix = [
        ("admin", [true, true, true]),
        ("leader", [true, true, false]),
        ("inspector", [true, true, true]),
        ("zrzyj", [true, false, false]),
        ("fgj", [false, true, false]),
        ("sthjj", [false, false, false]),
    ];
    for (who, expected) in matrix {
        let token = app.login_as(who).await?;
        for (task, sees) in [&tracking, &open, &sealed].into_iter().zip(expected) {
            let body = app.gql(see, json!({ "id": task }), Some(&token)).await?;
            let code = if sees { None } else { Some("NOT_FOUND") };
            assert_eq!(error_code(&body), code, "{who} on {task}: {body}");
        }
        let n = expected.iter().filter(|s| **s).count() as i64;
        let mut listed = 0;
        for q in [planned, drawn_count] {
            listed +=
                app.data(q, json!({}), Some(&token)).await?["supervisionTasks"]["totalCount"].as_i64().unwrap_or(-9);
        }
        assert_eq!(listed, n, "{who}");
    }
    // Done, the task the inspector was not assigned to is no longer open to them.
    let data = app.data(SUBMIT, inspection(&fgj_project, "TRACKING", Some(&open)), Some(&admin)).await?;
    assert_eq!(data["submitInspection"]["task"]["status"], "DONE", "{data}");
    let body = app.gql(see, json!({ "id": open }), Some(&app.login_as("inspector").await?)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    Ok(())
}

/// The demo county's last closed month: three projects the field bears out show no gap, three that
/// reported 25 points above what an inspector measured show PROGRESS_ABOVE_MEASURED with the
/// inspection as evidence; the same set as plain SQL over reports and measurements finds.
#[tokio::test]
async fn reported_progress_is_checked_against_what_inspectors_measured_on_site() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let last = api::service::period::last_closed_period(county_today(), 5).key();
    let query = "query($p: String!, $f: Int, $a: String) { evidenceGaps(period: $p, first: $f, after: $a) { totalCount pageInfo { hasNextPage endCursor } edges { node { kind period reported observed evidenceIds project { id } } } } }";
    let mut gaps: Vec<Value> = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let data = app.data(query, json!({ "p": last, "f": 7, "a": after }), Some(&admin)).await?;
        let page = &data["evidenceGaps"];
        gaps.extend(page["edges"].as_array().ok_or("edges")?.iter().map(|e| e["node"].clone()));
        if page["pageInfo"]["hasNextPage"] != true {
            assert_eq!(page["totalCount"].as_u64(), Some(gaps.len() as u64));
            break;
        }
        after = page["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    let db = &app.state.db;
    let sql = "SELECT i.project_id, i.id, r.progress_bp - i.measured_progress_bp FROM inspections i JOIN monthly_reports r ON r.project_id = i.project_id AND r.is_current = ? AND r.period = ? WHERE i.measured_progress_bp IS NOT NULL AND i.is_current = ?";
    let rows = db
        .query_all(statement(db.get_database_backend(), sql, vec![true.into(), last.clone().into(), true.into()]))
        .await?;
    assert_eq!(rows.len(), 6, "the demo measured six projects");
    let mut over = std::collections::BTreeSet::new();
    let mut honest = std::collections::BTreeSet::new();
    for row in rows {
        let (project, inspection, diff): (Uuid, Uuid, i32) =
            (row.try_get_by_index(0)?, row.try_get_by_index(1)?, row.try_get_by_index(2)?);
        if diff > 1500 {
            over.insert((project.to_string(), inspection.to_string()))
        } else {
            honest.insert(project.to_string())
        };
    }
    assert_eq!(over.len(), 3);
    let found: std::collections::BTreeSet<(String, String)> = gaps
        .iter()
        .filter(|g| g["kind"] == "PROGRESS_ABOVE_MEASURED")
        .map(|g| {
            (
                g["project"]["id"].as_str().unwrap_or("").to_owned(),
                g["evidenceIds"][0].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(found, over);
    for g in &gaps {
        let project = g["project"]["id"].as_str().unwrap_or("");
        assert!(!honest.contains(project), "an honest project has no gap: {g}");
        if g["kind"] == "PROGRESS_ABOVE_MEASURED" {
            let (reported, observed) = (
                g["reported"].as_str().ok_or("r")?.parse::<f64>()?,
                g["observed"].as_str().ok_or("o")?.parse::<f64>()?,
            );
            assert!((reported - observed - 25.0).abs() < 1e-9, "{g}");
        }
    }
    // The project shows its own gaps, and its light says so; a unit sees its own projects' only.
    let (project, _) = over.iter().next().ok_or("an over-reporter")?;
    let light = "query($id: UUID!) { project(id: $id) { health { light reasons } } }";
    let data = app.data(light, json!({ "id": project }), Some(&admin)).await?;
    let reasons = data["project"]["health"]["reasons"].as_array().ok_or("reasons")?;
    assert!(reasons.iter().any(|r| r.as_str().is_some_and(|r| r.starts_with("上报进度与现场核查不符"))), "{data}");
    assert_ne!(data["project"]["health"]["light"], "GREEN");
    for honest in &honest {
        let data = app.data(light, json!({ "id": honest }), Some(&admin)).await?;
        let said = data["project"]["health"]["reasons"].to_string();
        assert!(!said.contains("上报进度与现场核查不符"), "{data}");
    }
    let of_project = "query($id: UUID!, $p: String!) { project(id: $id) { responsibleUnit { id } evidenceGaps(period: $p) { kind } } }";
    let data = app.data(of_project, json!({ "id": project, "p": last }), Some(&admin)).await?;
    assert!(
        data["project"]["evidenceGaps"]
            .as_array()
            .is_some_and(|g| g.iter().any(|k| k["kind"] == "PROGRESS_ABOVE_MEASURED")),
        "{data}"
    );
    let unit_query = "query($p: String!) { evidenceGaps(period: $p, first: 100) { edges { node { project { responsibleUnit { name } } } } } }";
    let data = app.data(unit_query, json!({ "p": last }), Some(&app.login_as("fgj").await?)).await?;
    for e in data["evidenceGaps"]["edges"].as_array().ok_or("edges")? {
        assert_eq!(e["node"]["project"]["responsibleUnit"]["name"], "发改局", "{e}");
    }
    // Not a month that has ended; and the office's threshold decides.
    let this = county_today().format("%Y-%m").to_string();
    assert_eq!(error_code(&app.gql(query, json!({ "p": this }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    app.data("mutation { updateHealthRules(input: { evidenceGapPp: 30 }) { evidenceGapPp } }", json!({}), Some(&admin))
        .await?;
    let data = app.data(of_project, json!({ "id": project, "p": last }), Some(&admin)).await?;
    assert!(
        data["project"]["evidenceGaps"]
            .as_array()
            .is_some_and(|g| g.iter().all(|k| k["kind"] != "PROGRESS_ABOVE_MEASURED")),
        "{data}"
    );
    Ok(())
}

/// A project RED at the end of both of the last two months that have ended gets one TRACKING task
/// proposed (by the periodic jobs' first round here), with an event on the project; asking again
/// proposes nothing more; a project younger than those months is never proposed.
#[tokio::test]
async fn a_project_red_two_months_running_gets_one_task_proposed() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let young = create(&app, &admin, "新建项目不倒逼").await?;
    let list = "{ supervisionTasks(first: 100, filter: { origin: PROPOSED }) { totalCount edges { node { kind createdBy { id } projects { project { id } } } } } }";
    let data = app.data(list, json!({}), Some(&admin)).await?;
    let proposed: Vec<String> = data["supervisionTasks"]["edges"]
        .as_array()
        .ok_or("edges")?
        .iter()
        .filter_map(|e| e["node"]["projects"][0]["project"]["id"].as_str().map(str::to_owned))
        .collect();
    // What the lights at the two month ends say, from the service that computes lights.
    let db = &app.state.db;
    let zone = api::clock::china();
    let last = api::service::period::Period::of(county_today()).previous();
    let first = last.previous();
    let ids: Vec<Uuid> = db
        .query_all(statement(
            db.get_database_backend(),
            "SELECT id FROM projects WHERE created_at < ?",
            vec![api::clock::midnight(first.first_day(), zone).into()],
        ))
        .await?
        .iter()
        .filter_map(|r| r.try_get_by_index::<Uuid>(0).ok())
        .collect();
    let at = |p: api::service::period::Period| api::clock::Day { date: p.last_day(), zone };
    let (a, b) = (
        api::service::health::compute(db, &ids, at(first)).await?,
        api::service::health::compute(db, &ids, at(last)).await?,
    );
    let red = |h: Option<&api::service::health::Health>| h.is_some_and(|h| h.light == entity::project::Light::Red);
    let mut expected: Vec<String> =
        ids.iter().filter(|id| red(a.get(id)) && red(b.get(id))).map(Uuid::to_string).collect();
    let mut got = proposed.clone();
    expected.sort();
    got.sort();
    assert_eq!(got, expected);
    assert!(!got.is_empty(), "the demo county has projects red two months running");
    assert!(!got.contains(&young));
    for e in data["supervisionTasks"]["edges"].as_array().ok_or("edges")? {
        assert_eq!((e["node"]["kind"].as_str(), &e["node"]["createdBy"]), (Some("TRACKING"), &Value::Null));
    }
    let events = db
        .query_one(statement(
            db.get_database_backend(),
            "SELECT COUNT(*) FROM audit_events WHERE action = ?",
            vec!["project.supervision_proposed".into()],
        ))
        .await?
        .ok_or("row")?
        .try_get_by_index::<i64>(0)?;
    assert_eq!(events as usize, got.len());
    // Once per project and months, however often it is asked for.
    let again = app.data("mutation { proposeSupervisionTasks }", json!({}), Some(&admin)).await?;
    assert_eq!(again["proposeSupervisionTasks"], 0);
    let body = app.gql("mutation { proposeSupervisionTasks }", json!({}), Some(&app.login_as("leader").await?)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    Ok(())
}

/// What coverage and a page of evidence gaps cost in statements, whatever the county's size: the
/// counts below hold on the demo county and, by construction, on a province.
#[tokio::test]
async fn coverage_and_evidence_gaps_cost_a_fixed_number_of_statements() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let this = county_today().format("%Y-%m").to_string();
    let last = api::service::period::last_closed_period(county_today(), 5).key();
    let coverage = "query($p: String!) { supervisionCoverage(period: $p) { required covered units { unit { name } notVisited { name } } } }";
    let gaps =
        "query($p: String!) { evidenceGaps(period: $p, first: 50) { edges { node { kind project { name } } } } }";
    let mut costs = Vec::new();
    for (query, period) in [(coverage, &this), (gaps, &last)] {
        app.data(query, json!({ "p": period }), Some(&admin)).await?;
        costs.push(app.cost(query, json!({ "p": period }), Some(&admin)).await?);
    }
    eprintln!("statements: coverage {}, evidence gaps {}", costs[0], costs[1]);
    // Each counts the caller's own check too. Coverage: the settings, the per-unit counts, the
    // unvisited names, their units and projects. Gaps: the settings, two months of reports, the
    // month's inspections and photos, the projects shown.
    assert!(costs[0] <= 6, "{costs:?}");
    assert!(costs[1] <= 7, "{costs:?}");
    Ok(())
}
