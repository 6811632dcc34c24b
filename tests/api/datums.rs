//! Positions from China's map SDKs: every input that carries a position takes the datum it is in
//! (GCJ-02 from AMap, Tencent and WeChat; BD-09 from Baidu), stores it in WGS-84 and keeps the datum;
//! every output can be asked for in a datum. The transforms themselves are checked against published
//! reference pairs in `service::geo`'s unit tests; these check that every path uses them.

use api::service::geo::{Datum, Position, shown};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, error_code};
use crate::photos::{jpeg, upload};
use crate::projects::new_project;

/// The demo site every test here uses, WGS-84.
const SITE: Position = Position { lat: 29.61, lng: 111.87 };

fn metres(a: Position, b: Position) -> f64 {
    let (p1, p2) = (a.lat.to_radians(), b.lat.to_radians());
    let (dp, dl) = ((b.lat - a.lat).to_radians(), (b.lng - a.lng).to_radians());
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

fn point(v: &Value) -> TestResult<Position> {
    Ok(Position { lat: v["lat"].as_f64().ok_or("lat")?, lng: v["lng"].as_f64().ok_or("lng")? })
}

fn given(p: Position) -> Value {
    json!({ "lat": p.lat, "lng": p.lng })
}

const PROJECT: &str = "query($id: UUID!) { project(id: $id) { location { lat lng } gcj: location(datum: GCJ02) { lat lng } bd: location(datum: BD09) { lat lng } locationDatum boundary { lat lng } bdBoundary: boundary(datum: BD09) { lat lng } } }";

#[tokio::test]
async fn a_site_picked_on_an_amap_is_stored_in_wgs84_and_shown_in_any_datum() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let gcj = shown(SITE.lat, SITE.lng, Datum::Gcj02);
    assert!(metres(SITE, gcj) > 100.0, "the offset is real here: {} m", metres(SITE, gcj));
    let mut vars = new_project("高德选点项目");
    vars["i"]["location"] = given(gcj);
    vars["i"]["datum"] = json!("GCJ02");
    let create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let id = app.data(create, vars, Some(&admin)).await?["createProject"]["id"].clone();
    let p = &app.data(PROJECT, json!({ "id": id }), Some(&admin)).await?["project"];
    assert!(metres(point(&p["location"])?, SITE) < 0.5, "stored in WGS-84: {p}");
    assert!(metres(point(&p["gcj"])?, gcj) < 0.05, "shown back as given: {p}");
    let bd = shown(SITE.lat, SITE.lng, Datum::Bd09);
    assert!(metres(point(&p["bd"])?, bd) < 0.5, "and in BD-09: {p}");
    assert_eq!(p["locationDatum"], "GCJ02");

    // A boundary drawn on a Baidu map; the location stays as it was.
    let corners: Vec<Position> = [(29.60, 111.86), (29.62, 111.86), (29.61, 111.88)]
        .iter()
        .map(|(lat, lng)| shown(*lat, *lng, Datum::Bd09))
        .collect();
    let update = "mutation($id: UUID!, $i: UpdateProjectInput!) { updateProject(id: $id, input: $i) { id } }";
    let boundary: Vec<Value> = corners.iter().map(|c| given(*c)).collect();
    app.data(update, json!({ "id": id, "i": { "boundary": boundary, "datum": "BD09" } }), Some(&admin)).await?;
    let p = &app.data(PROJECT, json!({ "id": id }), Some(&admin)).await?["project"];
    assert_eq!(p["locationDatum"], "BD09");
    let stored = p["boundary"].as_array().ok_or("boundary")?;
    assert!(metres(point(&stored[0])?, Position { lat: 29.60, lng: 111.86 }) < 0.5, "{p}");
    for (shown_bd, corner) in p["bdBoundary"].as_array().ok_or("bd boundary")?.iter().zip(&corners) {
        assert!(metres(point(shown_bd)?, *corner) < 0.5, "{p}");
    }
    assert!(metres(point(&p["location"])?, SITE) < 0.5, "the location did not move: {p}");

    // A datum with nothing it could be of, and a position out of range in a datum, are refused.
    let body = app.gql(update, json!({ "id": id, "i": { "datum": "GCJ02" } }), Some(&admin)).await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "datum", "{body}");
    let far = json!({ "id": id, "i": { "location": { "lat": 91.0, "lng": 111.0 }, "datum": "BD09" } });
    let body = app.gql(update, far, Some(&admin)).await?;
    assert_eq!(body["errors"][0]["extensions"]["field"], "location", "{body}");
    let p = &app.data(PROJECT, json!({ "id": id }), Some(&admin)).await?["project"];
    assert!(metres(point(&p["location"])?, SITE) < 0.5, "nothing stored by refused input: {p}");
    Ok(())
}

#[tokio::test]
async fn a_phone_on_site_in_gcj02_is_on_site_and_an_inspection_in_bd09_lands_where_it_was() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let mut vars = new_project("微信定位项目");
    vars["i"]["location"] = given(SITE);
    vars["i"]["siteRadiusM"] = json!(50);
    let create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let project = app.data(create, vars, Some(&admin)).await?["createProject"]["id"].as_str().ok_or("id")?.to_owned();

    // WeChat's getLocation(type: 'gcj02') at the site: the same numbers taken as WGS-84 are off site.
    let gcj = shown(SITE.lat, SITE.lng, Datum::Gcj02);
    let photo = |datum: Option<&str>| {
        let mut i = crate::photos::input(&project);
        i["deviceLocation"] = json!({ "lat": gcj.lat, "lng": gcj.lng, "accuracyM": 5.0, "datum": datum });
        i
    };
    let as_wgs = upload(&app, &inspector, &photo(None), "a.jpg", jpeg(640, 480, 3)).await?;
    assert_eq!(as_wgs["data"]["uploadPhoto"]["onSite"], false, "{as_wgs}");
    let as_gcj = upload(&app, &inspector, &photo(Some("GCJ02")), "b.jpg", jpeg(640, 480, 4)).await?;
    let p = &as_gcj["data"]["uploadPhoto"];
    assert_eq!(p["onSite"], true, "{as_gcj}");
    assert!(p["distanceToSiteM"].as_f64().ok_or("distance")? < 1.0, "{p}");
    let read = "query($p: UUID!) { photos(filter: { projectId: $p }) { edges { node { id deviceLocation { lat lng } gcj: deviceLocation(datum: GCJ02) { lat lng } location(datum: GCJ02) { lat lng } deviceDatum } } } }";
    let listed = app.data(read, json!({ "p": project }), Some(&admin)).await?;
    let edges = listed["photos"]["edges"].as_array().ok_or("edges")?;
    let r = &edges.iter().find(|e| e["node"]["id"] == p["id"]).ok_or("the photo")?["node"];
    assert!(metres(point(&r["deviceLocation"])?, SITE) < 0.5, "{r}");
    assert!(metres(point(&r["gcj"])?, gcj) < 0.05, "{r}");
    assert!(metres(point(&r["location"])?, gcj) < 0.05, "{r}");
    assert_eq!(r["deviceDatum"], "GCJ02");

    // An inspection whose phone used Baidu's SDK.
    let bd = shown(SITE.lat, SITE.lng, Datum::Bd09);
    let mut inspection = crate::inspections::dust(&project, "PASS");
    inspection["location"] = json!({ "lat": bd.lat, "lng": bd.lng, "accuracyM": 8.0, "datum": "BD09" });
    let submit = "mutation($i: InspectionInput!) { submitInspection(input: $i) { location { lat lng } bd: location(datum: BD09) { lat lng } locationDatum } }";
    let i = &app.data(submit, json!({ "i": inspection }), Some(&inspector)).await?["submitInspection"];
    assert!(metres(point(&i["location"])?, SITE) < 0.5, "{i}");
    assert!(metres(point(&i["bd"])?, bd) < 0.05, "{i}");
    assert_eq!(i["locationDatum"], "BD09");
    // Replaying the same submission is the same submission.
    let again = &app.data(submit, json!({ "i": inspection }), Some(&inspector)).await?["submitInspection"];
    assert_eq!(again, i);
    Ok(())
}
