//! Scheduling meetings: their life, agendas, minutes, decisions and action items; who may see and do
//! what; the leaders' record against plain SQL counts; and what a page of meetings costs.

use chrono::{Datelike, Duration, Utc};
use sea_orm::{ConnectionTrait, Statement, Value as Sql};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_today, error_code, unit_id};
use crate::projects::create;

const SCHEDULE: &str = "mutation($i: ScheduleMeetingInput!) { scheduleMeeting(input: $i) { id status kind chair { username } units { name } availableActions } }";
const HOLD: &str = "mutation($id: UUID!, $a: [AgendaItemInput!]!) { holdMeeting(id: $id, agenda: $a) { status agenda { position opinion project { id } } } }";
const DECIDE: &str = "mutation($m: UUID!, $i: DecisionInput!) { addDecision(meetingId: $m, input: $i) { id position text case { id status decision decidedBy decidedAt { id } } issues { id source title meeting { id } } } }";
const ASSIGN: &str = "mutation($m: UUID!, $items: [ActionItemInput!]!) { assignActionItems(meetingId: $m, items: $items) { id status ownerUnit { name } coUnits { name } deadline } }";
const DONE: &str =
    "mutation($id: UUID!, $r: String!) { reportActionItemDone(id: $id, report: $r) { status doneReport doneOn } }";
const VERIFY: &str = "mutation($id: UUID!, $p: Boolean!, $n: String) { verifyActionItem(id: $id, passed: $p, note: $n) { status timeline { kind text actor { username } unit { name } } } }";
const PUBLISH: &str = "mutation($id: UUID!, $t: String!) { publishMinutes(id: $id, text: $t) { status minutesDraft minutes { id version text replacesId } minutesVersions { id version text replacesId } } }";
const SHOW: &str = "query($id: UUID!) { meeting(id: $id) { id status availableActions agenda { project { id } } decisions { id } actionItems { id } } }";
const ITEM: &str = "query($id: UUID!) { actionItem(id: $id) { id status overdue availableActions meeting { id } } }";

fn id(data: &Value, field: &str) -> TestResult<String> {
    Ok(data[field]["id"].as_str().ok_or_else(|| format!("no id in {data}"))?.to_owned())
}

fn meeting(kind: &str, chair: &str) -> Value {
    json!({ "i": {
        "id": uuid::Uuid::now_v7(),
        "kind": kind,
        "title": "重点项目调度会",
        "chairId": api::seed::demo::demo_id("user", chair),
        "startsAt": (Utc::now() - Duration::hours(2)).to_rfc3339(),
        "place": "县政府三楼会议室",
    }})
}

async fn held(app: &TestApp, token: &str, kind: &str, chair: &str, project: &str) -> TestResult<String> {
    let id = id(&app.data(SCHEDULE, meeting(kind, chair), Some(token)).await?, "scheduleMeeting")?;
    let agenda = json!([{ "projectId": project, "opinion": "倒排工期，月底前完成征地。" }]);
    app.data(HOLD, json!({ "id": id, "a": agenda }), Some(token)).await?;
    Ok(id)
}

fn item(owner: &str, co: &[&str], project: Option<&str>, days: i64) -> Value {
    json!({
        "id": uuid::Uuid::now_v7(),
        "task": "完成剩余地块征收补偿协议签订",
        "ownerUnitId": unit_id(owner),
        "coUnitIds": co.iter().map(|u| unit_id(u)).collect::<Vec<_>>(),
        "projectId": project,
        "deadline": (county_today() + Duration::days(days)).to_string(),
    })
}

#[tokio::test]
async fn a_meeting_is_scheduled_once_held_with_an_agenda_and_its_minutes_are_corrected_by_new_versions() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "调度会测试项目").await?;
    let mut vars = meeting("TOP_LEADERS", "leader");
    vars["i"]["unitIds"] = json!([unit_id("发改局")]);
    let data = app.data(SCHEDULE, vars.clone(), Some(&leader)).await?;
    let m = id(&data, "scheduleMeeting")?;
    assert_eq!(data["scheduleMeeting"]["status"], "SCHEDULED");
    assert_eq!(data["scheduleMeeting"]["units"], json!([{ "name": "发改局" }]));
    // The same create again is the stored meeting; other content under its id is a conflict.
    assert_eq!(id(&app.data(SCHEDULE, vars.clone(), Some(&leader)).await?, "scheduleMeeting")?, m);
    vars["i"]["title"] = json!("另一个会");
    assert_eq!(error_code(&app.gql(SCHEDULE, vars, Some(&leader)).await?), Some("CONFLICT"));
    // Out of any plausible range is refused before anything is read.
    let mut far = meeting("TOP_LEADERS", "leader");
    far["i"]["startsAt"] = json!("2999-01-01T00:00:00Z");
    assert_eq!(error_code(&app.gql(SCHEDULE, far, Some(&leader)).await?), Some("BAD_USER_INPUT"));
    // An INDUSTRY meeting names its industry; others do not.
    let body = app.gql(SCHEDULE, meeting("INDUSTRY", "leader"), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // Not held yet: no decision, no minutes.
    let body = app.gql(DECIDE, json!({ "m": m, "i": { "text": "议定事项" } }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // A held meeting dispatches at least one project, each once.
    let body = app.gql(HOLD, json!({ "id": m, "a": [] }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let twice = json!([{ "projectId": project, "opinion": "甲" }, { "projectId": project, "opinion": "乙" }]);
    let body = app.gql(HOLD, json!({ "id": m, "a": twice }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let agenda = json!([{ "projectId": project, "opinion": "倒排工期，月底前完成征地。" }]);
    let data = app.data(HOLD, json!({ "id": m, "a": agenda }), Some(&leader)).await?;
    assert_eq!(data["holdMeeting"]["status"], "HELD");
    assert_eq!(data["holdMeeting"]["agenda"][0]["project"]["id"], project.as_str());
    assert_eq!(data["holdMeeting"]["agenda"][0]["position"], 1);

    // A decision decides a 一事一议 case and raises an issue; both point back to the meeting.
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id } }";
    let matter = json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "用地指标统筹", "policy": "提请统筹安排用地指标。", "leadUnitId": unit_id("自然资源局") } });
    let case = id(&app.data(open, matter, Some(&admin)).await?, "openCase")?;
    let issue = json!({ "projectId": project, "kind": "LAND_ACQUISITION", "title": "征地补偿资金缺口" });
    let decision = json!({ "m": m, "i": { "text": "优先保障重点项目用地指标。", "caseId": case, "issues": [issue] } });
    let data = app.data(DECIDE, decision, Some(&leader)).await?;
    let d = &data["addDecision"];
    assert_eq!(d["case"]["decision"], "优先保障重点项目用地指标。");
    assert_eq!(d["case"]["status"], "IN_PROGRESS");
    assert_eq!(d["case"]["decidedAt"]["id"], m.as_str());
    assert_eq!(d["case"]["decidedBy"], "重点项目调度会");
    assert_eq!(d["issues"][0]["source"], "MEETING");
    assert_eq!(d["issues"][0]["meeting"]["id"], m.as_str());
    // An issue a decision raises has the source MEETING.
    let wrong = json!({ "m": m, "i": { "text": "另议", "issues": [{ "projectId": project, "kind": "OTHER", "title": "来源不对", "source": "INSPECTION" }] } });
    let body = app.gql(DECIDE, wrong, Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    // Nothing of the refused decision was kept.
    let decisions = app.data(SHOW, json!({ "id": m }), Some(&leader)).await?;
    assert_eq!(decisions["meeting"]["decisions"].as_array().map(Vec::len), Some(1), "{decisions}");

    // Minutes: a draft while held, then published versions that never change.
    let draft = "mutation($id: UUID!, $t: String!) { saveMinutesDraft(id: $id, text: $t) { minutesDraft } }";
    let data = app.data(draft, json!({ "id": m, "t": "纪要草稿" }), Some(&leader)).await?;
    assert_eq!(data["saveMinutesDraft"]["minutesDraft"], "纪要草稿");
    let data = app.data(PUBLISH, json!({ "id": m, "t": "会议纪要第一版" }), Some(&admin)).await?;
    let first = data["publishMinutes"]["minutes"].clone();
    assert_eq!(data["publishMinutes"]["status"], "MINUTES_PUBLISHED");
    assert_eq!(first["version"], 1);
    assert_eq!(data["publishMinutes"]["minutesDraft"], Value::Null);
    // The record is closed: no more decisions or items; a retry of the same text makes no version.
    let body = app.gql(DECIDE, json!({ "m": m, "i": { "text": "会后补议" } }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.gql(ASSIGN, json!({ "m": m, "items": [item("自然资源局", &[], None, 5)] }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let data = app.data(PUBLISH, json!({ "id": m, "t": "会议纪要第一版" }), Some(&admin)).await?;
    assert_eq!(data["publishMinutes"]["minutesVersions"].as_array().map(Vec::len), Some(1));
    let data = app.data(PUBLISH, json!({ "id": m, "t": "会议纪要（更正）" }), Some(&leader)).await?;
    let versions = &data["publishMinutes"]["minutesVersions"];
    assert_eq!(versions[0]["version"], 2);
    assert_eq!(versions[0]["replacesId"], first["id"]);
    assert_eq!(versions[1], first, "the first version is unchanged");
    assert_eq!(data["publishMinutes"]["minutes"]["text"], "会议纪要（更正）");
    // Held meetings are not cancelled; a scheduled one is, with a reason.
    let cancel = "mutation($id: UUID!, $r: String!) { cancelMeeting(id: $id, reason: $r) { status cancelReason availableActions } }";
    let body = app.gql(cancel, json!({ "id": m, "r": "时间冲突" }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let other = id(&app.data(SCHEDULE, meeting("TOP_LEADERS", "leader"), Some(&admin)).await?, "scheduleMeeting")?;
    let data = app.data(cancel, json!({ "id": other, "r": "与省观摩活动时间冲突" }), Some(&leader)).await?;
    assert_eq!(
        data["cancelMeeting"],
        json!({ "status": "CANCELLED", "cancelReason": "与省观摩活动时间冲突", "availableActions": [] })
    );
    Ok(())
}

#[tokio::test]
async fn action_items_are_reported_by_their_owner_checked_by_the_office_and_chased_when_late() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let leader = app.login_as("leader").await?;
    let owner = app.login_as("zrzyj").await?;
    let project = create(&app, &admin, "交办事项测试项目").await?;
    let m = held(&app, &leader, "TOP_LEADERS", "leader", &project).await?;
    let first = item("自然资源局", &["发改局"], Some(&project), 10);
    let items = json!({ "m": m, "items": [first.clone(), item("自然资源局", &[], None, 3)] });
    let data = app.data(ASSIGN, items.clone(), Some(&leader)).await?;
    let assigned = data["assignActionItems"].as_array().ok_or("no items")?.clone();
    assert_eq!(assigned.len(), 2);
    assert_eq!(assigned[0]["coUnits"], json!([{ "name": "发改局" }]));
    // A retried call hands nothing out twice.
    let again = app.data(ASSIGN, items, Some(&leader)).await?;
    assert_eq!(again["assignActionItems"], data["assignActionItems"]);
    let shown = app.data(SHOW, json!({ "id": m }), Some(&admin)).await?;
    assert_eq!(shown["meeting"]["actionItems"].as_array().map(Vec::len), Some(2));
    // A deadline in the past is refused before anything is stored.
    let body = app.gql(ASSIGN, json!({ "m": m, "items": [item("自然资源局", &[], None, -1)] }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

    let a = assigned[0]["id"].as_str().ok_or("no id")?;
    // Only the office verifies, and only what was reported done.
    let body = app.gql(VERIFY, json!({ "id": a, "p": true }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let data = app.data(DONE, json!({ "id": a, "r": "已签订全部补偿协议" }), Some(&owner)).await?;
    assert_eq!(data["reportActionItemDone"]["status"], "DONE");
    assert_eq!(data["reportActionItemDone"]["doneOn"], county_today().to_string());
    // Sent back without a reason is refused; with one, it is OPEN again.
    let body = app.gql(VERIFY, json!({ "id": a, "p": false }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let data = app.data(VERIFY, json!({ "id": a, "p": false, "n": "缺少协议扫描件" }), Some(&admin)).await?;
    assert_eq!(data["verifyActionItem"]["status"], "OPEN");
    app.data(DONE, json!({ "id": a, "r": "已补充协议扫描件" }), Some(&owner)).await?;
    let data = app.data(VERIFY, json!({ "id": a, "p": true }), Some(&admin)).await?;
    let v = &data["verifyActionItem"];
    assert_eq!(v["status"], "VERIFIED");
    let kinds: Vec<&str> =
        v["timeline"].as_array().ok_or("no timeline")?.iter().filter_map(|e| e["kind"].as_str()).collect();
    assert_eq!(kinds, ["ASSIGNED", "DONE", "RETURNED", "DONE", "VERIFIED"]);
    assert_eq!(v["timeline"][2]["text"], "缺少协议扫描件");

    // The second item goes past its deadline: a notice to the owner; past the office's days, to the chair.
    let b = assigned[1]["id"].as_str().ok_or("no id")?;
    let days_late = |days: i64| {
        let sql = "UPDATE action_items SET deadline = ? WHERE id = ?";
        let backend = app.state.db.get_database_backend();
        let sql = if backend == sea_orm::DbBackend::Postgres {
            "UPDATE action_items SET deadline = $1 WHERE id = $2"
        } else {
            sql
        };
        let values: Vec<Sql> =
            vec![(county_today() - Duration::days(days)).into(), uuid::Uuid::parse_str(b).unwrap_or_default().into()];
        Statement::from_sql_and_values(backend, sql, values)
    };
    app.state.db.execute(days_late(2)).await?;
    let chase = "mutation { escalateOverdueActionItems }";
    assert_eq!(app.data(chase, json!({}), Some(&admin)).await?["escalateOverdueActionItems"], 1);
    assert_eq!(app.data(chase, json!({}), Some(&admin)).await?["escalateOverdueActionItems"], 0, "once");
    let queue = "query($f: ActionItemFilter) { actionItems(filter: $f) { totalCount edges { node { id overdue noticedAt escalatedTo { username } timeline { kind unit { name } addressee { username } } } } } }";
    let data = app
        .data(
            queue,
            json!({ "f": { "ownerUnitId": unit_id("自然资源局"), "overdue": true, "meetingId": m } }),
            Some(&owner),
        )
        .await?;
    let node = &data["actionItems"]["edges"][0]["node"];
    assert_eq!(data["actionItems"]["totalCount"], 1);
    assert_eq!(node["id"], b);
    assert_eq!(node["timeline"][1]["kind"], "NOTICE");
    assert_eq!(node["timeline"][1]["unit"]["name"], "自然资源局");
    assert_eq!(node["escalatedTo"], Value::Null);
    app.state.db.execute(days_late(9)).await?;
    assert_eq!(app.data(chase, json!({}), Some(&admin)).await?["escalateOverdueActionItems"], 1);
    let data = app
        .data(
            queue,
            json!({ "f": { "escalatedTo": api::seed::demo::demo_id("user", "leader"), "meetingId": m } }),
            Some(&leader),
        )
        .await?;
    let node = &data["actionItems"]["edges"][0]["node"];
    assert_eq!(node["escalatedTo"]["username"], "leader");
    assert_eq!(node["timeline"][2]["kind"], "ESCALATED");
    assert_eq!(node["timeline"][2]["addressee"]["username"], "leader");
    // The next meeting of the series lists what is still open from this one.
    let next = held(&app, &leader, "TOP_LEADERS", "leader", &project).await?;
    let previous = "query($id: UUID!) { meeting(id: $id) { previousActionItems { id overdue } } }";
    let data = app.data(previous, json!({ "id": next }), Some(&leader)).await?;
    assert_eq!(data["meeting"]["previousActionItems"], json!([{ "id": b, "overdue": true }]));
    Ok(())
}

/// Whether `body` answered (`ok`), or failed with `code`.
fn outcome(body: &Value) -> &str {
    error_code(body).unwrap_or(if body["data"].is_null() { "NULL" } else { "ok" })
}

#[tokio::test]
async fn who_sees_and_does_what_with_meetings_and_items_by_role_and_unit() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = create(&app, &admin, "可见性测试项目").await?; // 自然资源局 answers for it
    let tokens = [
        ("admin", admin.clone()),
        ("leader", app.login_as("leader").await?),
        ("leader2", app.login_as("leader2").await?),
        ("inspector", app.login_as("inspector").await?),
        ("fgj", app.login_as("fgj").await?),
        ("zrzyj", app.login_as("zrzyj").await?),
        ("sthjj", app.login_as("sthjj").await?),
    ];
    let token = |name: &str| tokens.iter().find(|(n, _)| *n == name).map(|(_, t)| t.clone()).unwrap_or_default();
    // Scheduling: the office for anyone, a leader for themselves; nobody else.
    for (who, chair, expected) in [
        ("admin", "leader", "ok"),
        ("leader", "leader", "ok"),
        ("leader2", "leader", "FORBIDDEN"),
        ("inspector", "leader", "FORBIDDEN"),
        ("fgj", "leader", "FORBIDDEN"),
        ("admin", "fgj", "BAD_USER_INPUT"),
    ] {
        let body = app.gql(SCHEDULE, meeting("TOP_LEADERS", chair), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} schedules for {chair}: {body}");
    }
    // The office chairs its own meetings only.
    let body = app.gql(SCHEDULE, meeting("PROJECT_OFFICE", "admin"), Some(&admin)).await?;
    assert_eq!(outcome(&body), "ok", "{body}");
    let body = app.gql(SCHEDULE, meeting("EXECUTIVE", "admin"), Some(&admin)).await?;
    assert_eq!(outcome(&body), "BAD_USER_INPUT", "{body}");

    // A scheduled meeting with nobody invited: the office and leaders see it, nobody else.
    let planned = id(&app.data(SCHEDULE, meeting("TOP_LEADERS", "leader"), Some(&admin)).await?, "scheduleMeeting")?;
    for (who, expected) in
        [("admin", "ok"), ("leader2", "ok"), ("inspector", "NOT_FOUND"), ("fgj", "NOT_FOUND"), ("zrzyj", "NOT_FOUND")]
    {
        let body = app.gql(SHOW, json!({ "id": planned }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} reads a planned meeting: {body}");
    }
    // Holding it: the chair or the office; another leader may see it but not hold it.
    let agenda = json!([{ "projectId": project, "opinion": "加快进度" }]);
    for (who, expected) in [("leader2", "FORBIDDEN"), ("fgj", "NOT_FOUND"), ("leader", "ok")] {
        let body = app.gql(HOLD, json!({ "id": planned, "a": agenda }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} holds: {body}");
    }
    // Items: one owned by 生态环境局; one owned by 自然资源局 and co-owned by 发改局.
    let items = json!({ "m": planned, "items": [item("生态环境局", &[], None, 5), item("自然资源局", &["发改局"], Some(&project), 5)] });
    let body = app.gql(ASSIGN, items.clone(), Some(&token("leader2"))).await?;
    assert_eq!(outcome(&body), "FORBIDDEN", "{body}");
    let data = app.data(ASSIGN, items, Some(&token("leader"))).await?;
    let eco = data["assignActionItems"][0]["id"].as_str().ok_or("no id")?.to_owned();
    let land = data["assignActionItems"][1]["id"].as_str().ok_or("no id")?.to_owned();
    // Held, about a project: the inspector sees it now; each unit through its project or its items.
    for who in ["admin", "leader", "leader2", "inspector", "fgj", "zrzyj", "sthjj"] {
        let body = app.gql(SHOW, json!({ "id": planned }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), "ok", "{who} reads the held meeting: {body}");
        let seen: Vec<&str> = body["data"]["meeting"]["actionItems"]
            .as_array()
            .ok_or("no items")?
            .iter()
            .filter_map(|i| i["id"].as_str())
            .collect();
        let expected: Vec<&str> = match who {
            "fgj" | "zrzyj" => vec![land.as_str()],
            "sthjj" => vec![eco.as_str()],
            _ => vec![eco.as_str(), land.as_str()],
        };
        assert_eq!(seen, expected, "{who} sees these items");
    }
    for (who, item, expected) in [
        ("sthjj", &land, "NOT_FOUND"),
        ("zrzyj", &eco, "NOT_FOUND"),
        ("fgj", &eco, "NOT_FOUND"),
        ("fgj", &land, "ok"),
        ("inspector", &land, "ok"),
    ] {
        let body = app.gql(ITEM, json!({ "id": item }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} reads an item: {body}");
    }
    // Reporting done: the owner only (a co-owner, the office, a leader may not).
    for (who, expected) in
        [("fgj", "FORBIDDEN"), ("admin", "FORBIDDEN"), ("leader", "FORBIDDEN"), ("sthjj", "NOT_FOUND"), ("zrzyj", "ok")]
    {
        let body = app.gql(DONE, json!({ "id": land, "r": "已办结" }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} reports done: {body}");
    }
    // Verifying: the office only.
    for (who, expected) in
        [("leader", "FORBIDDEN"), ("zrzyj", "FORBIDDEN"), ("inspector", "FORBIDDEN"), ("admin", "ok")]
    {
        let body = app.gql(VERIFY, json!({ "id": land, "p": true }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} verifies: {body}");
    }
    // Minutes: the chair or the office; nobody else.
    for (who, expected) in [("leader2", "FORBIDDEN"), ("zrzyj", "FORBIDDEN"), ("admin", "ok")] {
        let body = app.gql(PUBLISH, json!({ "id": planned, "t": "纪要" }), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} publishes minutes: {body}");
    }
    // The leaders' record: the office and leaders.
    let activity = "query { leaderActivity(year: 2026) { leader { username } } }";
    for (who, expected) in [("admin", "ok"), ("leader2", "ok"), ("fgj", "FORBIDDEN"), ("inspector", "FORBIDDEN")] {
        let body = app.gql(activity, json!({}), Some(&token(who))).await?;
        assert_eq!(outcome(&body), expected, "{who} reads the leaders' record: {body}");
    }
    // Lists agree with the single reads: a unit's list holds exactly what it may open.
    let list =
        "query($p: UUID!) { meetings(first: 100, filter: { projectId: $p }) { totalCount edges { node { id } } } }";
    for (who, n) in [("fgj", 1), ("inspector", 1), ("admin", 1), ("sthjj", 1)] {
        let data = app.data(list, json!({ "p": project }), Some(&token(who))).await?;
        assert_eq!(data["meetings"]["totalCount"], n, "{who}: {data}");
    }
    Ok(())
}

/// `sql` with `?` placeholders as the backend spells them.
pub fn statement(backend: sea_orm::DbBackend, sql: &str, values: Vec<Sql>) -> Statement {
    let sql = if backend == sea_orm::DbBackend::Postgres {
        let mut out = String::new();
        let mut n = 0;
        for c in sql.chars() {
            if c == '?' {
                n += 1;
                out.push_str(&format!("${n}"));
            } else {
                out.push(c);
            }
        }
        out
    } else {
        sql.to_owned()
    };
    Statement::from_sql_and_values(backend, sql, values)
}

#[tokio::test]
async fn the_leaders_record_equals_plain_counts_of_the_demo_countys_rows() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let today = county_today();
    let year = today.year();
    let query = "query($y: Int!, $q: Int) { leaderActivity(year: $y, quarter: $q) { leader { id username } meetingsChaired meetingsByKind { kind count } projectsDispatched projectsVisited instructions issuesEscalated escalatedClosed actionItems actionItemsDoneOnTime actionItemsDoneLate actionItemsOverdue actionItemsOpen } }";
    let db = &app.state.db;
    let backend = db.get_database_backend();
    let zone = api::clock::china();
    let midnight = |d: chrono::NaiveDate| -> chrono::DateTime<Utc> {
        use chrono::TimeZone;
        zone.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    };
    let mut differing = std::collections::BTreeSet::new();
    for quarter in [None, Some(((today.month() - 1) / 3 + 1) as i32)] {
        let data = app.data(query, json!({ "y": year, "q": quarter }), Some(&admin)).await?;
        let rows = data["leaderActivity"].as_array().ok_or("no rows")?;
        assert!(rows.len() >= 7, "every demo leader has a row: {data}");
        let (first, after) = match quarter {
            None => (
                chrono::NaiveDate::from_ymd_opt(year, 1, 1).ok_or("day")?,
                chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1).ok_or("day")?,
            ),
            Some(q) => {
                let start = chrono::NaiveDate::from_ymd_opt(year, 3 * (q as u32 - 1) + 1, 1).ok_or("day")?;
                (start, start.checked_add_months(chrono::Months::new(3)).ok_or("day")?)
            }
        };
        let (from, until) = (midnight(first), midnight(after));
        for row in rows {
            let leader = uuid::Uuid::parse_str(row["leader"]["id"].as_str().ok_or("no id")?)?;
            let count = |sql: &'static str, extra: Vec<Sql>| {
                let mut values: Vec<Sql> = vec![leader.into(), from.into(), until.into()];
                values.extend(extra);
                let stmt = statement(backend, sql, values);
                async move {
                    let row = db.query_one(stmt).await?.ok_or("no row")?;
                    TestResult::<i64>::Ok(row.try_get_by_index::<i64>(0)?)
                }
            };
            let meetings = count(concat!("SELECT COUNT(*) FROM meetings m WHERE ", "m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')"), vec![]).await?;
            let dispatched = count("SELECT COUNT(DISTINCT a.project_id) FROM meeting_agenda a JOIN meetings m ON m.id = a.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')", vec![]).await?;
            let visited = count("SELECT COUNT(DISTINCT project_id) FROM inspections WHERE inspector_id = ? AND completed_at >= ? AND completed_at < ? AND is_current = ?", vec![true.into()]).await?;
            let instructions = count(
                "SELECT COUNT(*) FROM issue_events WHERE actor_id = ? AND at >= ? AND at < ? AND kind = 'INSTRUCTION'",
                vec![],
            )
            .await?;
            let escalated = count(
                "SELECT COUNT(*) FROM issues WHERE escalated_to = ? AND escalated_at >= ? AND escalated_at < ?",
                vec![],
            )
            .await?;
            let closed = count("SELECT COUNT(*) FROM issues WHERE escalated_to = ? AND escalated_at >= ? AND escalated_at < ? AND closed_at IS NOT NULL", vec![]).await?;
            const ITEMS: &str = "SELECT COUNT(*) FROM action_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')";
            let items = count(ITEMS, vec![]).await?;
            let on_time = count(concat!("SELECT COUNT(*) FROM action_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')", " AND i.status IN ('DONE', 'VERIFIED') AND i.done_on <= i.deadline"), vec![]).await?;
            let late = count(concat!("SELECT COUNT(*) FROM action_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')", " AND i.status IN ('DONE', 'VERIFIED') AND i.done_on > i.deadline"), vec![]).await?;
            let overdue = count(concat!("SELECT COUNT(*) FROM action_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')", " AND i.status = 'OPEN' AND i.deadline < ?"), vec![today.into()]).await?;
            let open = count(concat!("SELECT COUNT(*) FROM action_items i JOIN meetings m ON m.id = i.meeting_id WHERE m.chair_id = ? AND m.starts_at >= ? AND m.starts_at < ? AND m.status IN ('HELD', 'MINUTES_PUBLISHED')", " AND i.status = 'OPEN' AND i.deadline >= ?"), vec![today.into()]).await?;
            let by_kind: i64 =
                row["meetingsByKind"].as_array().ok_or("no kinds")?.iter().filter_map(|k| k["count"].as_i64()).sum();
            let who = &row["leader"]["username"];
            assert_eq!(row["meetingsChaired"], meetings, "{who} {quarter:?}");
            assert_eq!(by_kind, meetings, "{who}");
            assert_eq!(row["projectsDispatched"], dispatched, "{who}");
            assert_eq!(row["projectsVisited"], visited, "{who}");
            assert_eq!(row["instructions"], instructions, "{who}");
            assert_eq!(row["issuesEscalated"], escalated, "{who}");
            assert_eq!(row["escalatedClosed"], closed, "{who}");
            assert_eq!(row["actionItems"], items, "{who}");
            assert_eq!(row["actionItemsDoneOnTime"], on_time, "{who}");
            assert_eq!(row["actionItemsDoneLate"], late, "{who}");
            assert_eq!(row["actionItemsOverdue"], overdue, "{who}");
            assert_eq!(row["actionItemsOpen"], open, "{who}");
            assert_eq!(on_time + late + overdue + open, items, "{who}: every item is in one state");
            if quarter.is_none() {
                differing.insert(meetings);
            }
        }
    }
    assert!(differing.len() >= 3, "the demo leaders' records differ: {differing:?}");
    Ok(())
}

#[tokio::test]
async fn a_page_of_meetings_costs_the_same_statements_whatever_its_size_and_project_pages_agree() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let page = "query($n: Int!) { meetings(first: $n) { edges { node { id title chair { displayName } units { name } agenda { opinion project { name responsibleUnit { name } } } decisions { text case { title } issues { title } } actionItems { task status overdue ownerUnit { name } coUnits { name } timeline { kind actor { username } } } previousActionItems { id } minutes { version publishedBy { username } } } } } }";
    let mut costs = Vec::new();
    // From five meetings on, every relation has rows somewhere on the page.
    for n in [5, 10, 20] {
        let (data, cost) = app.data_and_cost(page, json!({ "n": n }), Some(&admin)).await?;
        costs.push(cost);
        assert_eq!(data["meetings"]["edges"].as_array().map(Vec::len), Some(n as usize));
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements by page size: {costs:?}");
    // Project.meetings is the root list narrowed to the project.
    let projects = "query { projects(first: 30) { edges { node { id meetings(first: 3) { totalCount edges { node { id } } } } } } }";
    let data = app.data(projects, json!({}), Some(&admin)).await?;
    let narrowed =
        "query($p: UUID!) { meetings(first: 3, filter: { projectId: $p }) { totalCount edges { node { id } } } }";
    let mut with_meetings = 0;
    for edge in data["projects"]["edges"].as_array().ok_or("no projects")? {
        let node = &edge["node"];
        let root = app.data(narrowed, json!({ "p": node["id"] }), Some(&admin)).await?;
        assert_eq!(node["meetings"], root["meetings"], "{}", node["id"]);
        if node["meetings"]["totalCount"].as_i64().unwrap_or(0) > 0 {
            with_meetings += 1;
        }
    }
    assert!(with_meetings > 3, "demo projects were dispatched at meetings");
    // The demo 一事一议 case decided at the executive meeting shows it.
    let cases = "query { cases(first: 100, filter: { kind: ONE_MATTER_ONE_DISCUSSION }) { edges { node { decidedAt { kind } } } } }";
    let data = app.data(cases, json!({}), Some(&admin)).await?;
    let decided = data["cases"]["edges"]
        .as_array()
        .ok_or("no cases")?
        .iter()
        .filter(|e| e["node"]["decidedAt"]["kind"] == "EXECUTIVE")
        .count();
    assert_eq!(decided, 1, "{data}");
    Ok(())
}

#[tokio::test]
async fn a_case_decided_at_a_meeting_names_it_and_only_a_held_meeting_the_caller_sees_may_be_named() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let leader = app.login_as("leader").await?;
    let project = create(&app, &admin, "一事一议会议项目").await?;
    let open = "mutation($i: OpenCaseInput!) { openCase(input: $i) { id } }";
    let matter = json!({ "i": { "kind": "ONE_MATTER_ONE_DISCUSSION", "title": "跨部门协调事项", "policy": "提请会议研究。", "leadUnitId": unit_id("发改局") } });
    let case = id(&app.data(open, matter, Some(&admin)).await?, "openCase")?;
    let decide = "mutation($id: UUID!, $m: UUID) { decideCase(id: $id, decision: \"同意\", decidedOn: \"2026-01-05\", decidedBy: \"县政府常务会议\", meetingId: $m) { status decidedAt { id kind } } }";
    // A meeting not yet held, and one nobody may see, are refused; nothing changes.
    let planned = id(&app.data(SCHEDULE, meeting("EXECUTIVE", "leader2"), Some(&admin)).await?, "scheduleMeeting")?;
    let body = app.gql(decide, json!({ "id": case, "m": planned }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let body = app.gql(decide, json!({ "id": case, "m": uuid::Uuid::now_v7() }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("NOT_FOUND"), "{body}");
    let show = "query($id: UUID!) { case(id: $id) { status decision decidedAt { id } } }";
    let unchanged = app.data(show, json!({ "id": case }), Some(&admin)).await?;
    assert_eq!(unchanged["case"], json!({ "status": "OPEN", "decision": null, "decidedAt": null }));
    // At a held meeting: the case shows it.
    let held = held(&app, &admin, "EXECUTIVE", "leader2", &project).await?;
    let data = app.data(decide, json!({ "id": case, "m": held }), Some(&leader)).await?;
    assert_eq!(
        data["decideCase"],
        json!({ "status": "IN_PROGRESS", "decidedAt": { "id": held, "kind": "EXECUTIVE" } })
    );
    // A department that leads the case but was not at the meeting sees the case, not the meeting.
    let fgj = app.login_as("fgj").await?;
    let seen = app.data(show, json!({ "id": case }), Some(&fgj)).await?;
    assert_eq!(seen["case"]["decidedAt"], Value::Null, "{seen}");
    // A later decision outside any meeting replaces it.
    let data = app.data(decide, json!({ "id": case, "m": null }), Some(&admin)).await?;
    assert_eq!(data["decideCase"]["decidedAt"], Value::Null);
    Ok(())
}
