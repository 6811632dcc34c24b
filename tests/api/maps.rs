//! The map feed (`GET /geo/projects.geojson`): every project the filter selects, as the API shows it,
//! in the datum asked for; the caller's visibility of issues applies to the counts; bad parameters are
//! refused by name; a poll of an unchanged feed is a 304; gzip when asked.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult};
use crate::projects::new_project;

const FEED: &str = "/geo/projects.geojson";
const LIST: &str = "query($a: String, $l: Light) { projects(first: 100, after: $a, filter: { light: $l }) { pageInfo { hasNextPage endCursor } edges { node { id name location { lat lng } gcj: location(datum: GCJ02) { lat lng } health { light reasons } responsibleUnit { name } } } } }";

async fn get(app: &TestApp, query: &str, token: Option<&str>) -> TestResult<reqwest::Response> {
    let mut request = app.client.get(app.url(&format!("{FEED}{query}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    Ok(request.send().await?)
}

async fn feed(app: &TestApp, query: &str, token: &str) -> TestResult<Value> {
    let r = get(app, query, Some(token)).await?;
    assert_eq!(r.status(), 200, "{query}");
    assert_eq!(r.headers()["content-type"], "application/geo+json");
    let body: Value = r.json().await?;
    assert_eq!(body["type"], "FeatureCollection");
    Ok(body)
}

/// Every project `light` selects (all when none), by id, as GraphQL shows it.
async fn listed(app: &TestApp, token: &str, light: Option<&str>) -> TestResult<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    let mut after = Value::Null;
    loop {
        let page = app.data(LIST, json!({ "a": after, "l": light }), Some(token)).await?;
        for edge in page["projects"]["edges"].as_array().ok_or("edges")? {
            out.insert(edge["node"]["id"].as_str().ok_or("id")?.to_owned(), edge["node"].clone());
        }
        if page["projects"]["pageInfo"]["hasNextPage"] != true {
            return Ok(out);
        }
        after = page["projects"]["pageInfo"]["endCursor"].clone();
    }
}

fn features(body: &Value) -> TestResult<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    for f in body["features"].as_array().ok_or("features")? {
        assert_eq!(f["type"], "Feature");
        out.insert(f["id"].as_str().ok_or("id")?.to_owned(), f.clone());
    }
    Ok(out)
}

/// The site point of a feature (the first geometry of a collection).
fn site(feature: &Value) -> &Value {
    match feature["geometry"]["type"].as_str() {
        Some("GeometryCollection") => &feature["geometry"]["geometries"][0]["coordinates"],
        _ => &feature["geometry"]["coordinates"],
    }
}

fn near(coordinates: &Value, point: &Value) -> bool {
    let d = |a: &Value, b: &Value| (a.as_f64().unwrap_or(f64::NAN) - b.as_f64().unwrap_or(0.0)).abs();
    d(&coordinates[0], &point["lng"]) < 1e-6 && d(&coordinates[1], &point["lat"]) < 1e-6
}

#[tokio::test]
async fn the_feed_holds_every_selected_project_as_the_api_shows_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    for (query, light) in [("", None), ("?light=RED", Some("RED")), ("?light=GREEN&datum=gcj02", Some("GREEN"))] {
        let shown = listed(&app, &leader, light).await?;
        let fed = features(&feed(&app, query, &leader).await?)?;
        assert!(!shown.is_empty(), "{query}: the demo county has such projects");
        assert_eq!(fed.keys().collect::<Vec<_>>(), shown.keys().collect::<Vec<_>>(), "{query}: the same projects");
        let point = if query.contains("gcj02") { "gcj" } else { "location" };
        for (id, p) in &shown {
            let f = &fed[id];
            assert!(near(site(f), &p[point]), "{query}: {id} at {} against {}", site(f), p[point]);
            assert_eq!(f["properties"]["name"], p["name"]);
            assert_eq!(f["properties"]["light"], p["health"]["light"], "{query}: {id}");
            assert_eq!(f["properties"]["reasons"], p["health"]["reasons"], "{query}: {id}");
            assert_eq!(f["properties"]["responsibleUnit"], p["responsibleUnit"]["name"]);
        }
    }
    // A window around one project holds it; a category narrows as the API's filter does.
    let any = listed(&app, &leader, None).await?;
    let (id, p) = any.iter().next().ok_or("a project")?;
    let (lat, lng) = (p["location"]["lat"].as_f64().ok_or("lat")?, p["location"]["lng"].as_f64().ok_or("lng")?);
    let bbox = format!("?bbox={},{},{},{}", lng - 1e-4, lat - 1e-4, lng + 1e-4, lat + 1e-4);
    let fed = features(&feed(&app, &bbox, &leader).await?)?;
    assert!(fed.contains_key(id) && fed.len() < any.len(), "{bbox}: {}", fed.len());
    let prelim = features(&feed(&app, "?category=KEY_PRELIMINARY", &leader).await?)?;
    let counted = app
        .data("{ projects(filter: { category: KEY_PRELIMINARY }) { totalCount } }", json!({}), Some(&leader))
        .await?;
    assert_eq!(json!(prelim.len()), counted["projects"]["totalCount"]);
    Ok(())
}

#[tokio::test]
async fn boundaries_counts_and_visibility() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let project = app.data(create, new_project("地图边界项目"), Some(&admin)).await?["createProject"]["id"]
        .as_str()
        .ok_or("id")?
        .to_owned();
    for _ in 0..2 {
        crate::issues::raise(&app, &admin, &project).await?;
    }
    let query = format!("?responsibleUnitId={}", crate::helpers::unit_id("自然资源局"));
    let fed = features(&feed(&app, &query, &admin).await?)?;
    let f = fed.get(&project).ok_or("the new project")?;
    assert_eq!(f["properties"]["openIssues"], 2, "{f}");
    assert_eq!(f["properties"]["totalInvestment"], "12345.678901", "money as a decimal string");
    // The boundary drawn clockwise comes back closed and counter-clockwise (RFC 7946 § 3.1.6).
    assert_eq!(f["geometry"]["type"], "GeometryCollection");
    let ring = f["geometry"]["geometries"][1]["coordinates"][0].as_array().ok_or("ring")?;
    assert_eq!(ring.len(), 4, "{f}");
    assert_eq!(ring.first(), ring.last());
    let area: f64 = ring
        .windows(2)
        .map(|w| {
            let c = |v: &Value, i: usize| v[i].as_f64().unwrap_or(0.0);
            c(&w[0], 0) * c(&w[1], 1) - c(&w[1], 0) * c(&w[0], 1)
        })
        .sum();
    assert!(area > 0.0, "counter-clockwise: {ring:?}");
    // A department that neither owns nor shares the issues counts none of them.
    let other = app.login_as("fgj").await?;
    let fed = features(&feed(&app, &query, &other).await?)?;
    assert_eq!(fed[&project]["properties"]["openIssues"], 0);
    Ok(())
}

#[tokio::test]
async fn bad_parameters_are_refused_by_name_and_polls_move_few_bytes() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    assert_eq!(get(&app, "", None).await?.status(), 401);
    for (query, field) in [
        ("?colour=RED", "colour"),
        ("?light=PURPLE", "light"),
        ("?datum=mars", "datum"),
        ("?bbox=1,2,3", "bbox"),
        ("?bbox=112,30,111,29", "bbox"),
        ("?responsibleUnitId=nope", "responsibleUnitId"),
    ] {
        let r = get(&app, query, Some(&leader)).await?;
        assert_eq!(r.status(), 400, "{query}");
        let body: Value = r.json().await?;
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT", "{query}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{query}: {body}");
    }
    let long = format!("?light={}", "R".repeat(3000));
    assert_eq!(get(&app, &long, Some(&leader)).await?.status(), 400);

    let first = get(&app, "", Some(&leader)).await?;
    let etag = first.headers()["etag"].to_str()?.to_owned();
    assert!(first.headers()["cache-control"].to_str()?.contains("no-cache"));
    let plain = first.bytes().await?;
    let again = app.client.get(app.url(FEED)).bearer_auth(&leader).header("if-none-match", &etag).send().await?;
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await?.is_empty());
    let zipped = app.client.get(app.url(FEED)).bearer_auth(&leader).header("accept-encoding", "gzip").send().await?;
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["etag"].to_str()?, etag, "the same content whatever its encoding");
    let bytes = zipped.bytes().await?;
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&bytes[..]).read_to_end(&mut unpacked)?;
    assert_eq!(unpacked, plain.to_vec());
    assert!(bytes.len() * 3 < plain.len(), "gzip: {} of {} bytes", bytes.len(), plain.len());
    // A write that changes the feed changes its tag.
    let admin = app.login_as("admin").await?;
    crate::projects::create(&app, &admin, "新入库项目").await?;
    let after = get(&app, "", Some(&leader)).await?;
    assert_ne!(after.headers()["etag"].to_str()?, etag);
    Ok(())
}

#[tokio::test]
async fn a_projects_photos_and_inspections_are_points_where_they_were_taken() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let inspector = app.login_as("inspector").await?;
    let create = "mutation($i: CreateProjectInput!) { createProject(input: $i) { id } }";
    let project = app.data(create, new_project("地图照片项目"), Some(&admin)).await?["createProject"]["id"]
        .as_str()
        .ok_or("id")?
        .to_owned();
    // One photo with the phone's position at the site (sent in GCJ-02), one with none.
    let gcj = api::service::geo::shown(29.61, 111.87, api::service::geo::Datum::Gcj02);
    let mut placed = crate::photos::input(&project);
    placed["deviceLocation"] = json!({ "lat": gcj.lat, "lng": gcj.lng, "accuracyM": 5.0, "datum": "GCJ02" });
    let up = crate::photos::upload(&app, &inspector, &placed, "a.jpg", crate::photos::jpeg(640, 480, 7)).await?;
    let photo = up["data"]["uploadPhoto"]["id"].clone();
    let mut nowhere = crate::photos::input(&project);
    nowhere["deviceLocation"] = Value::Null;
    crate::photos::upload(&app, &inspector, &nowhere, "b.jpg", crate::photos::jpeg(640, 480, 8)).await?;

    let url = |feed: &str, query: &str| app.url(&format!("/geo/{feed}.geojson?projectId={project}{query}"));
    let r = app.client.get(url("photos", "&datum=gcj02")).bearer_auth(&admin).send().await?;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await?;
    let fs = body["features"].as_array().ok_or("features")?;
    assert_eq!(fs.len(), 1, "the photo without a position is left off: {body}");
    assert_eq!(fs[0]["id"], photo);
    assert!(near(&fs[0]["geometry"]["coordinates"], &json!({ "lat": gcj.lat, "lng": gcj.lng })), "{body}");
    assert_eq!(fs[0]["properties"]["onSite"], true);
    assert_eq!(fs[0]["properties"]["locationSource"], "DEVICE");
    let thumbnail = fs[0]["properties"]["thumbnailUrl"].as_str().ok_or("thumbnail")?;
    let image = app.client.get(app.url(thumbnail)).send().await?;
    assert_eq!((image.status().as_u16(), image.headers()["content-type"].to_str()?), (200, "image/jpeg"));

    let inspection = crate::inspections::dust(&project, "PASS");
    app.data(
        "mutation($i: InspectionInput!) { submitInspection(input: $i) { id } }",
        json!({ "i": inspection }),
        Some(&inspector),
    )
    .await?;
    let body: Value = app.client.get(url("inspections", "")).bearer_auth(&admin).send().await?.json().await?;
    let fs = body["features"].as_array().ok_or("features")?;
    assert_eq!(fs.len(), 1, "{body}");
    assert!(near(&fs[0]["geometry"]["coordinates"], &json!({ "lat": 29.61, "lng": 111.87 })), "{body}");
    assert_eq!(
        (fs[0]["properties"]["result"].as_str(), fs[0]["properties"]["onSite"].as_bool()),
        (Some("PASSED"), Some(true))
    );

    // A department that is not the project's sees none of its inspections; bad queries are refused.
    let other = app.login_as("fgj").await?;
    let body: Value = app.client.get(url("inspections", "")).bearer_auth(&other).send().await?.json().await?;
    assert_eq!(body["features"], json!([]), "{body}");
    let r = app.client.get(app.url("/geo/photos.geojson")).bearer_auth(&admin).send().await?;
    assert_eq!(r.status(), 400);
    let r = app
        .client
        .get(app.url(&format!("/geo/photos.geojson?projectId={}", uuid::Uuid::new_v4())))
        .bearer_auth(&admin)
        .send()
        .await?;
    assert_eq!(r.status(), 404);
    assert_eq!(app.client.get(url("photos", "")).send().await?.status(), 401);
    Ok(())
}
