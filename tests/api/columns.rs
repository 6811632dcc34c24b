//! A page of projects reads only the columns its selection shows. Whatever a page selects, each
//! project on it must show exactly what the whole row shows: every field of `Project`, asked alone
//! on a page, is compared with the same field of the same project read by `project(id:)`.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult};

/// A type's fields from introspection: name → (type kind, type name, has a required argument).
type Fields = Vec<(String, String, String, bool)>;

async fn schema_fields(app: &TestApp, token: &str) -> TestResult<HashMap<String, Fields>> {
    let q = "{ __schema { types { name fields { name args { type { kind } defaultValue } type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }";
    let data = app.data(q, json!({}), Some(token)).await?;
    let mut types = HashMap::new();
    for t in data["__schema"]["types"].as_array().ok_or("no types")? {
        let Some(fields) = t["fields"].as_array() else { continue };
        let mut out = Vec::new();
        for f in fields {
            let mut ty = &f["type"];
            while ty["kind"] == "NON_NULL" || ty["kind"] == "LIST" {
                ty = &ty["ofType"];
            }
            let required = f["args"].as_array().is_some_and(|args| {
                args.iter().any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null())
            });
            out.push((
                f["name"].as_str().unwrap_or_default().to_owned(),
                ty["kind"].as_str().unwrap_or_default().to_owned(),
                ty["name"].as_str().unwrap_or_default().to_owned(),
                required,
            ));
        }
        types.insert(t["name"].as_str().unwrap_or_default().to_owned(), out);
    }
    Ok(types)
}

/// How `field` is asked for: a leaf by name, an object with its leaves (none deeper).
fn selection(types: &HashMap<String, Fields>, (name, kind, type_name, _): &(String, String, String, bool)) -> String {
    if kind != "OBJECT" {
        return name.clone();
    }
    let leaves: Vec<&str> = types
        .get(type_name)
        .into_iter()
        .flatten()
        .filter(|(_, kind, _, required)| kind != "OBJECT" && kind != "INTERFACE" && kind != "UNION" && !required)
        .map(|(name, ..)| name.as_str())
        .collect();
    format!("{name} {{ __typename {} }}", leaves.join(" "))
}

/// Each project's `selection` on a page in NAME order, id → node.
async fn page(app: &TestApp, token: &str, selection: &str) -> TestResult<Vec<(String, Value)>> {
    let q = format!("{{ projects(first: 100) {{ edges {{ node {{ id {selection} }} }} }} }}");
    let data = app.data(&q, json!({}), Some(token)).await?;
    let edges = data["projects"]["edges"].as_array().ok_or("no edges")?;
    Ok(edges.iter().map(|e| (e["node"]["id"].as_str().unwrap_or_default().to_owned(), e["node"].clone())).collect())
}

/// The same projects read one by one (whole rows), id → node, ten to a request (a selection may
/// bring aliases of its own).
async fn one_by_one(app: &TestApp, token: &str, ids: &[String], selection: &str) -> TestResult<HashMap<String, Value>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(10) {
        let aliases: Vec<String> = chunk
            .iter()
            .enumerate()
            .map(|(i, id)| format!("p{i}: project(id: \"{id}\") {{ id {selection} }}"))
            .collect();
        let data = app.data(&format!("{{ {} }}", aliases.join(" ")), json!({}), Some(token)).await?;
        out.extend(chunk.iter().enumerate().map(|(i, id)| (id.clone(), data[format!("p{i}")].clone())));
    }
    Ok(out)
}

#[tokio::test]
async fn each_field_of_a_page_reads_what_the_whole_row_shows() -> TestResult {
    let app = TestApp::spawn_with(|c| {
        c.limits.max_complexity = 10_000_000;
    })
    .await?;
    let admin = app.login_as("admin").await?;
    // One project with every optional column set, so no field is compared on nulls alone.
    let id = crate::projects::create(&app, &admin, "列读取全字段项目").await?;
    let set = "mutation($id: UUID!) { updateProject(id: $id, input: { code: \"2026-430781-04-01-777777\", actualStart: \"2026-02-01\", actualCompletion: \"2026-10-01\" }) { id } }";
    app.data(set, json!({ "id": id }), Some(&admin)).await?;

    let types = schema_fields(&app, &admin).await?;
    let fields = types.get("Project").ok_or("no Project type")?;
    let mut selections: Vec<String> = fields.iter().filter(|f| !f.3).map(|f| selection(&types, f)).collect();
    // The page that shows lights alone reads them with its own statement.
    selections.push("health { light }".to_owned());
    selections.push("__typename".to_owned());
    // The page reads its units and leaders with its own statement too, with the columns their
    // selections show: every field of each alone, what they lead to, and two aliases asking
    // different columns of the same rows.
    for (relation, type_name) in [("responsibleUnit", "Unit"), ("leader", "User")] {
        let of = types.get(type_name).ok_or("no such type")?;
        selections.extend(of.iter().filter(|f| !f.3).map(|f| format!("{relation} {{ {} }}", selection(&types, f))));
    }
    selections.push("responsibleUnit { head { displayName unit { name } } } leader { unit { kind } }".to_owned());
    selections.push("a: responsibleUnit { name } responsibleUnit { kind } b: leader { role } leader { id }".to_owned());
    let skipped: Vec<&str> = fields.iter().filter(|f| f.3).map(|f| f.0.as_str()).collect();
    assert!(skipped.len() <= 1, "fields with required arguments are not compared: {skipped:?}");

    for selection in &selections {
        let listed = page(&app, &admin, selection).await?;
        assert!(listed.len() > 20, "{selection}: a page of {}", listed.len());
        assert!(listed.iter().any(|(i, _)| *i == id), "{selection}: the full project is on the page");
        let ids: Vec<String> = listed.iter().map(|(i, _)| i.clone()).collect();
        let whole = one_by_one(&app, &admin, &ids, selection).await?;
        for (i, node) in &listed {
            assert_eq!(Some(node), whole.get(i), "{selection} of project {i}");
        }
    }
    Ok(())
}

/// Walks a whole list in `order`, pages of 7, selecting `selection`; the ids in order.
async fn walk(app: &TestApp, token: &str, order: &Value, selection: &str) -> TestResult<Vec<String>> {
    let q = format!(
        "query($o: ProjectOrder, $a: String) {{ projects(first: 7, after: $a, orderBy: $o) {{ edges {{ node {{ id {selection} }} }} pageInfo {{ hasNextPage endCursor }} }} }}"
    );
    let (mut ids, mut after) = (Vec::new(), Value::Null);
    loop {
        let data = app.data(&q, json!({ "o": order, "a": after }), Some(token)).await?;
        let list = &data["projects"];
        for e in list["edges"].as_array().ok_or("no edges")? {
            ids.push(e["node"]["id"].as_str().unwrap_or_default().to_owned());
        }
        if list["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok(ids);
        }
        after = list["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn cursors_hold_whatever_a_page_selects() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    for field in ["NAME", "TOTAL_INVESTMENT", "CREATED_AT"] {
        for direction in ["ASC", "DESC"] {
            let order = json!({ "field": field, "direction": direction });
            let whole = walk(&app, &admin, &order, "name totalInvestment createdAt description").await?;
            assert!(whole.len() > 30, "{order}: {} projects", whole.len());
            let joined = "health { light } responsibleUnit { name } leader { displayName }";
            for selection in ["", "code", "health { light }", "location { lat }", "responsibleUnit { name }", joined] {
                assert_eq!(walk(&app, &admin, &order, selection).await?, whole, "{order} selecting `{selection}`");
            }
        }
    }
    Ok(())
}

/// The reports a project's list shows, selecting `selection` on each, for the projects `filter` finds.
async fn reports_on_page(app: &TestApp, token: &str, filter: &str, selection: &str) -> TestResult<Vec<Value>> {
    let q = format!(
        "{{ projects(first: 100{filter}) {{ edges {{ node {{ id reports(first: 3) {{ id {selection} }} }} }} }} }}"
    );
    let data = app.data(&q, json!({}), Some(token)).await?;
    let edges = data["projects"]["edges"].as_array().ok_or("no edges")?;
    Ok(edges.iter().map(|e| e["node"].clone()).collect())
}

#[tokio::test]
async fn each_field_of_recent_reports_reads_what_the_whole_row_shows() -> TestResult {
    let app = TestApp::spawn_with(|c| {
        c.limits.max_complexity = 10_000_000;
    })
    .await?;
    let admin = app.login_as("admin").await?;
    let owner = app.login_as("zrzyj").await?;
    let types = schema_fields(&app, &admin).await?;
    let fields = types.get("MonthlyReport").ok_or("no MonthlyReport type")?;
    let selections: Vec<String> = fields.iter().map(|f| selection(&types, f)).chain(["__typename".into()]).collect();
    let every = selections.join(" ");

    // Reports with every column set, each as the mutation that stored it shows it (a whole row).
    let id = crate::projects::create(&app, &admin, "列读取月报项目").await?;
    let period = crate::helpers::county_today().format("%Y-%m").to_string();
    let mut stored = Vec::new();
    for (amount, narrative, problems) in
        [("100.5", "完成主体结构施工", Value::Null), ("120.25", "主体结构封顶", json!("电力迁改待协调"))]
    {
        let q = format!("mutation($i: MonthlyReportInput!) {{ submitMonthlyReport(input: $i) {{ id {every} }} }}");
        let input = json!({ "i": { "projectId": id, "period": period, "investmentThisMonth": amount, "progressPercent": "10", "narrative": narrative, "problems": problems } });
        stored.push(app.data(&q, input, Some(&owner)).await?["submitMonthlyReport"].clone());
    }
    // The current version: the replacement.
    let whole = [&stored[1]];
    let ours = ", filter: { search: \"列读取月报项目\" }";

    for selection in &selections {
        let listed = reports_on_page(&app, &admin, ours, selection).await?;
        assert_eq!(listed.len(), 1, "{selection}: {listed:?}");
        let reports = listed[0]["reports"].as_array().ok_or("no reports")?;
        assert_eq!(reports.len(), 1, "{selection}: the current version only");
        for (shown, whole) in reports.iter().zip(whole) {
            let expected: serde_json::Map<String, Value> = shown
                .as_object()
                .ok_or("not an object")?
                .keys()
                .map(|k| (k.clone(), whole[k.as_str()].clone()))
                .collect();
            assert_eq!(shown, &Value::Object(expected), "{selection} of a report on the page");
        }
        // The demo county's reports: each field alone shows what it shows among all the others.
        let alone = reports_on_page(&app, &admin, "", selection).await?;
        let with_all = reports_on_page(&app, &admin, "", &every).await?;
        assert!(alone.iter().any(|p| p["reports"].as_array().is_some_and(|r| r.len() == 3)));
        for (a, w) in alone.iter().zip(&with_all) {
            let (a, w) = (a["reports"].as_array().ok_or("no reports")?, w["reports"].as_array().ok_or("no reports")?);
            assert_eq!(a.len(), w.len(), "{selection}");
            for (a, w) in a.iter().zip(w) {
                for (k, v) in a.as_object().ok_or("not an object")? {
                    assert_eq!(v, &w[k.as_str()], "{selection}: {k} of report {}", a["id"]);
                }
            }
        }
    }
    Ok(())
}
