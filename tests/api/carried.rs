//! The copy of its kept light each project carries on its row, which a page of lights reads: where
//! it is set for a day, it is the light computed from the rows (and the kept light) on that day,
//! however writers that change lights and readers that keep them race.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_day};

const LIGHTS: &str = "{ projects(first: 50) { edges { node { id health { light } } } } }";
const UPDATE: &str = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }";

/// Checks every light carried for `today` against the kept light and the computation from the rows,
/// and returns them by project id.
pub async fn agree(app: &TestApp, today: NaiveDate) -> TestResult<BTreeMap<String, String>> {
    let db = &app.state.db;
    let sql = "SELECT p.id, p.kept_light, p.kept_light_day, l.light, l.version, l.computed_version, l.day \
               FROM projects p LEFT JOIN project_lights l ON l.project_id = p.id";
    let rows = db.query_all(Statement::from_string(db.get_database_backend(), sql)).await?;
    let mut carried = Vec::new();
    for row in rows {
        let id: uuid::Uuid = row.try_get_by_index(0)?;
        let light: Option<String> = row.try_get_by_index(1)?;
        let day: Option<NaiveDate> = row.try_get_by_index(2)?;
        if let (Some(light), Some(day)) = (light, day)
            && day == today
        {
            let kept: Option<String> = row.try_get_by_index(3)?;
            let version: Option<i64> = row.try_get_by_index(4)?;
            let computed: Option<i64> = row.try_get_by_index(5)?;
            let kept_day: Option<NaiveDate> = row.try_get_by_index(6)?;
            assert_eq!((computed, kept_day), (version, Some(today)), "{id} carries a light kept as not current");
            assert_eq!(kept.as_deref(), Some(light.as_str()), "{id} carries another light than it keeps");
            carried.push((id, light));
        }
    }
    let ids: Vec<uuid::Uuid> = carried.iter().map(|(id, _)| *id).collect();
    let computed = api::service::health::compute(db, &ids, county_day(today)).await?;
    for (id, light) in &carried {
        let expected = computed.get(id).map(|h| serde_json::to_value(h.light)).transpose()?;
        assert_eq!(expected, Some(json!(light)), "{id} carries another light than its rows give");
    }
    Ok(carried.into_iter().map(|(id, light)| (id.to_string(), light)).collect())
}

/// The lights a page shows, by project id.
fn lights(page: &Value) -> BTreeMap<String, String> {
    let edges = page["projects"]["edges"].as_array().into_iter().flatten();
    let light = |e: &Value| e["node"]["health"]["light"].as_str().unwrap_or("none").to_owned();
    edges.map(|e| (e["node"]["id"].as_str().unwrap_or_default().to_owned(), light(e))).collect()
}

/// A county's server, its admin's token, the county's today, and the first page's lights (which that
/// read keeps and carries).
async fn county() -> TestResult<(TestApp, String, NaiveDate, BTreeMap<String, String>)> {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let today = app.state.config.clock.today();
    let first = read(&app, &admin).await?;
    Ok((app, admin, today, first))
}

/// The lights of the first page of projects, by project id.
async fn read(app: &TestApp, token: &str) -> TestResult<BTreeMap<String, String>> {
    Ok(lights(&app.data(LIGHTS, json!({}), Some(token)).await?))
}

/// Gives project `id` a plan of `planned` 万元 for `today`'s year.
async fn plan(app: &TestApp, token: &str, id: &str, today: NaiveDate, planned: &str) -> TestResult {
    let plans = json!([{ "year": chrono::Datelike::year(&today), "plannedInvestment": planned }]);
    app.data(UPDATE, json!({ "id": id, "i": { "yearPlans": plans } }), Some(token)).await?;
    Ok(())
}

/// Whether every light `page` shows is the one its project carries.
fn all_carried(page: &BTreeMap<String, String>, carried: &BTreeMap<String, String>) -> bool {
    page.iter().all(|(id, light)| carried.get(id) == Some(light))
}

#[tokio::test]
async fn the_light_a_project_carries_is_its_light_however_writers_and_readers_race() -> TestResult {
    let (app, admin, today, first) = county().await?;
    assert!(all_carried(&first, &agree(&app, today).await?), "the page's lights are carried");
    let ids: Vec<String> = first.keys().take(6).cloned().collect();
    // Writers swing their project's plan (one far behind, one long done) while readers keep the
    // lights the writers make stale.
    let writers = ids.iter().map(|id| {
        let (app, admin) = (&app, &admin);
        async move {
            for round in 0..8 {
                plan(app, admin, id, today, if round % 2 == 0 { "900000" } else { "1" }).await?;
            }
            TestResult::Ok(())
        }
    });
    let readers = (0..4).map(|_| {
        let (app, admin) = (&app, &admin);
        async move {
            for _ in 0..16 {
                read(app, admin).await?;
            }
            TestResult::Ok(())
        }
    });
    let (written, reads) =
        futures_util::future::join(futures_util::future::join_all(writers), futures_util::future::join_all(readers))
            .await;
    written.into_iter().chain(reads).collect::<TestResult<Vec<()>>>()?;
    agree(&app, today).await?;
    // A page read now shows the lights computed from the rows, and leaves every one carried.
    let shown = read(&app, &admin).await?;
    assert!(all_carried(&shown, &agree(&app, today).await?), "the page's lights are carried");
    assert_eq!(read(&app, &admin).await?, shown, "read from the carried copies");
    Ok(())
}

#[tokio::test]
async fn a_write_clears_the_light_its_project_carries_and_the_next_read_carries_the_new_one() -> TestResult {
    let (app, admin, today, first) = county().await?;
    let ids: Vec<String> = first.keys().take(10).cloned().collect();
    let mut rounds = Vec::new();
    for planned in ["900000", "1"] {
        for id in &ids {
            plan(&app, &admin, id, today, planned).await?;
        }
        let carried = agree(&app, today).await?;
        assert!(ids.iter().all(|id| !carried.contains_key(id)), "a written project carries no light");
        let page = read(&app, &admin).await?;
        let now = agree(&app, today).await?;
        assert!(all_carried(&page, &now), "the reader carried the new lights");
        assert_eq!(now.len(), carried.len() + ids.len());
        rounds.push(page);
    }
    let swung = ids.iter().filter(|id| rounds[0].get(*id) != rounds[1].get(*id)).count();
    assert!(swung > 0, "no written light changed: the test tests nothing\n{rounds:?}");
    Ok(())
}
