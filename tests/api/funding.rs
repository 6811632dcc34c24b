//! Funding work (争资、招商、融资): the demo year reads as the source text reports it, money two
//! units report is counted once, only verified money counts and a verified figure changes only by a
//! correction that says why, targets keep their versions, and who may see and do what.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_today, error_code, unit_id};

const SUMMARY: &str = "query($y: Int!) { fundingSummary(year: $y) { kinds { kind target received pending promised repaid items counterparts reached bigItems previousReceived changePercent completionPercent units { unit { name } target received promised rank met } campaigns { name reached bigItems received promised } channels { channel received items counterparts } months { month received } } } }";

const RECORD: &str = "mutation($i: RecordFundingItemInput!) { recordFundingItem(input: $i) { id kind stage units { unit { name } sharePercent } } }";
const MONEY: &str =
    "mutation($i: RecordFundingMoneyInput!) { recordFundingMoney(input: $i) { id flow amount verified current } }";

fn kind<'a>(summary: &'a Value, kind: &str) -> TestResult<&'a Value> {
    summary["fundingSummary"]["kinds"]
        .as_array()
        .ok_or("kinds")?
        .iter()
        .find(|k| k["kind"] == kind)
        .ok_or_else(|| format!("no {kind}").into())
}

fn by<'a>(list: &'a Value, field: &str, value: &str) -> TestResult<&'a Value> {
    list.as_array().ok_or("list")?.iter().find(|r| r[field] == value).ok_or_else(|| format!("no {value}").into())
}

fn num(v: &Value) -> f64 {
    v.as_str().and_then(|s| s.parse().ok()).or_else(|| v.as_f64()).unwrap_or(f64::NAN)
}

fn last_year() -> i32 {
    county_today().year() - 1
}

#[tokio::test]
async fn the_demo_year_reads_as_the_source_text_reports_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let data = app.data(SUMMARY, json!({ "y": last_year() }), Some(&admin)).await?;
    // 争资: 1.2亿元 of higher-level subsidies, and 2000多万元 for low-rent housing.
    let grant = kind(&data, "GRANT")?;
    assert_eq!(num(&by(&grant["channels"], "channel", "上级补助")?["received"]), 12_000.0);
    let housing = num(&by(&grant["channels"], "channel", "中央预算内投资")?["received"]);
    assert!((2_000.0..3_000.0).contains(&housing), "{housing}");
    assert_eq!(num(&grant["received"]), 12_000.0 + housing);
    // Month by month, the same money.
    let by_month: f64 = grant["months"].as_array().ok_or("months")?.iter().map(|m| num(&m["received"])).sum();
    assert_eq!(by_month, num(&grant["received"]));
    // The sewage plant, applied for by two units, is counted once and split 60/40.
    let units = &grant["units"];
    let credited: f64 = units.as_array().ok_or("units")?.iter().map(|u| num(&u["received"])).sum();
    assert_eq!(credited, num(&grant["received"]));
    // 45 units with a channel to higher-level funds hold targets; some met them, some did not.
    let ranked: Vec<&Value> = units.as_array().ok_or("units")?.iter().filter(|u| !u["rank"].is_null()).collect();
    assert_eq!(ranked.len(), 45);
    assert!(ranked.iter().any(|u| u["met"] == true) && ranked.iter().any(|u| u["met"] == false));
    assert_eq!(ranked[0]["rank"], 1);
    // 招商: 38 industrial projects signed, 20亿元 in place, 5 亿元项目 from the hundred-day campaign.
    let investment = kind(&data, "INVESTMENT")?;
    assert_eq!((investment["reached"].as_i64(), investment["items"].as_i64()), (Some(38), Some(38)));
    assert_eq!(num(&investment["received"]), 200_000.0);
    assert_eq!(investment["bigItems"], 5);
    let campaign = by(&investment["campaigns"], "name", "百日集中招商")?;
    assert_eq!(campaign["bigItems"], 5);
    assert!(campaign["reached"].as_i64().is_some_and(|n| (5..38).contains(&n)), "{campaign}");
    // 内资 and 外资 (and 港澳台资) together are the 20亿元 in place.
    let origins: f64 = investment["channels"].as_array().ok_or("channels")?.iter().map(|c| num(&c["received"])).sum();
    assert_eq!(origins, 200_000.0);
    // 融资: 48 enterprises, 4.2亿元, +100% on the year.
    let financing = kind(&data, "FINANCING")?;
    assert_eq!((num(&financing["received"]), financing["counterparts"].as_i64()), (42_000.0, Some(48)));
    assert_eq!((num(&financing["previousReceived"]), num(&financing["changePercent"])), (21_000.0, 100.0));
    // 5000万元 of local matching and 3.5亿元 integrated; 300多万元 advanced to 10 departments; 50万元.
    let fiscal = kind(&data, "FISCAL")?;
    assert_eq!(num(&by(&fiscal["channels"], "channel", "本级配套")?["received"]), 5_000.0);
    assert_eq!(num(&by(&fiscal["channels"], "channel", "整合资金")?["received"]), 35_000.0);
    let advance = kind(&data, "ADVANCE")?;
    assert!((300.0..400.0).contains(&num(&advance["received"])));
    assert_eq!(advance["units"].as_array().map(Vec::len), Some(10));
    assert_eq!(num(&kind(&data, "INCENTIVE")?["received"]), 50.0);
    // Units holding targets, now (no targets this year: the stored designation) and in that year.
    let deal = "{ financingDeals(first: 1) { edges { node { counterpart bank channel } } } }";
    let deal = app.data(deal, json!({}), Some(&admin)).await?;
    assert!(deal["financingDeals"]["edges"][0]["node"]["bank"].as_str().is_some_and(|b| b.ends_with("银行")), "{deal}");
    let q = "query($y: Int) { units(filter: { hasFundingTargets: true }) { totalCount } all: units(first: 100) { edges { node { hasFundingTargets(year: $y) } } } }";
    let units = app.data(q, json!({ "y": last_year() }), Some(&admin)).await?;
    assert_eq!(units["units"]["totalCount"], 45);
    let holding =
        units["all"]["edges"].as_array().ok_or("edges")?.iter().filter(|e| e["node"]["hasFundingTargets"] == true);
    assert_eq!(holding.count(), 45);
    Ok(())
}

async fn grant_of_two(app: &TestApp, token: &str, units: [&str; 2]) -> TestResult<String> {
    let input = json!({
        "kind": "GRANT",
        "details": { "name": "城乡供水一体化", "counterpart": "水利部", "channel": "补助" },
        "units": [{ "unitId": unit_id(units[0]), "sharePercent": 50 }, { "unitId": unit_id(units[1]), "sharePercent": 50 }],
    });
    let data = app.data(RECORD, json!({ "i": input }), Some(token)).await?;
    Ok(data["recordFundingItem"]["id"].as_str().ok_or("id")?.to_owned())
}

#[tokio::test]
async fn money_reported_by_two_units_counts_once_and_only_when_verified() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let this_year = county_today().year();
    let item = grant_of_two(&app, &fgj, ["发改局", "水利局"]).await?;
    // 申报: the sum applied for goes with the stage.
    let apply = "mutation($id: UUID!) { advanceFundingStage(id: $id, stage: APPLIED, amount: 120) { stage stages { stage amount } } }";
    let applied = app.data(apply, json!({ "id": item }), Some(&fgj)).await?;
    let stages = &applied["advanceFundingStage"]["stages"];
    assert_eq!(num(&by(stages, "stage", "APPLIED")?["amount"]), 120.0);
    let on = county_today().to_string();
    let entry = app
        .data(MONEY, json!({ "i": { "itemId": item, "flow": "RECEIVED", "on": on, "amount": "100.5" } }), Some(&fgj))
        .await?;
    let entry_id = entry["recordFundingMoney"]["id"].as_str().ok_or("id")?.to_owned();
    let before = app.data(SUMMARY, json!({ "y": this_year }), Some(&admin)).await?;
    let grant = kind(&before, "GRANT")?;
    assert_eq!((num(&grant["received"]), num(&grant["pending"])), (0.0, 100.5));
    // The unit cannot verify its own figure.
    let verify = "mutation($id: UUID!) { verifyFundingMoney(id: $id) { verified } }";
    assert_eq!(error_code(&app.gql(verify, json!({ "id": entry_id }), Some(&fgj)).await?), Some("FORBIDDEN"));
    app.data(verify, json!({ "id": entry_id }), Some(&admin)).await?;
    let after = app.data(SUMMARY, json!({ "y": this_year }), Some(&admin)).await?;
    let grant = kind(&after, "GRANT")?;
    assert_eq!((num(&grant["received"]), num(&grant["pending"])), (100.5, 0.0));
    // Once in the county's total, split 50/50 in the units' figures.
    for unit in ["发改局", "水利局"] {
        let row = grant["units"].as_array().ok_or("units")?.iter().find(|u| u["unit"]["name"] == unit).ok_or(unit)?;
        assert_eq!(num(&row["received"]), 50.25, "{unit}");
    }
    // The item reached RECEIVED with the money; stages never go back.
    let item_q = "query($id: UUID!) { fundingItem(id: $id) { stage received stages { stage } } }";
    let read = app.data(item_q, json!({ "id": item }), Some(&fgj)).await?;
    assert_eq!(read["fundingItem"]["stage"], "RECEIVED");
    let back = "mutation($id: UUID!) { advanceFundingStage(id: $id, stage: APPLIED) { stage } }";
    assert_eq!(error_code(&app.gql(back, json!({ "id": item }), Some(&fgj)).await?), Some("BAD_USER_INPUT"));
    let foreign = "mutation($id: UUID!) { advanceFundingStage(id: $id, stage: SIGNED) { stage } }";
    assert_eq!(error_code(&app.gql(foreign, json!({ "id": item }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    Ok(())
}

#[tokio::test]
async fn a_verified_figure_changes_only_by_a_correction_that_says_why() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let item = grant_of_two(&app, &fgj, ["发改局", "财政局"]).await?;
    let on = county_today().to_string();
    let entry = app
        .data(MONEY, json!({ "i": { "itemId": item, "flow": "RECEIVED", "on": on, "amount": 300 } }), Some(&fgj))
        .await?;
    let id = entry["recordFundingMoney"]["id"].as_str().ok_or("id")?.to_owned();
    app.data("mutation($id: UUID!) { verifyFundingMoney(id: $id) { id } }", json!({ "id": id }), Some(&admin)).await?;
    let correct = "mutation($id: UUID!, $r: String) { correctFundingMoney(id: $id, amount: 280, on: \"2026-01-05\", reason: $r) { id amount verified replaces reason } }";
    assert_eq!(
        error_code(&app.gql(correct, json!({ "id": id, "r": "录入有误" }), Some(&fgj)).await?),
        Some("FORBIDDEN")
    );
    assert_eq!(error_code(&app.gql(correct, json!({ "id": id }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let fixed = app.data(correct, json!({ "id": id, "r": "银行回单为280万元" }), Some(&admin)).await?;
    let fixed = &fixed["correctFundingMoney"];
    assert_eq!(
        (num(&fixed["amount"]), &fixed["verified"], fixed["replaces"].as_str()),
        (280.0, &json!(true), Some(id.as_str()))
    );
    // The old figure stays, no longer current; a second correction of it is refused.
    let money = "query($id: UUID!) { fundingItem(id: $id) { received now: money { amount } all: money(history: true) { amount current reason } } }";
    let read = app.data(money, json!({ "id": item }), Some(&admin)).await?;
    assert_eq!(num(&read["fundingItem"]["received"]), 280.0);
    assert_eq!(read["fundingItem"]["now"].as_array().map(Vec::len), Some(1));
    let all = read["fundingItem"]["all"].as_array().ok_or("all")?;
    assert_eq!(all.len(), 2);
    assert!(all.iter().any(|e| e["current"] == false && num(&e["amount"]) == 300.0));
    assert_eq!(error_code(&app.gql(correct, json!({ "id": id, "r": "再改" }), Some(&admin)).await?), Some("CONFLICT"));
    // Nothing half-written by the refusals: one correction in the trail.
    let trail = "{ auditEvents(first: 50, filter: { entityType: \"funding_item\" }) { edges { node { action } } } }";
    let events = app.data(trail, json!({}), Some(&admin)).await?;
    let edges = events["auditEvents"]["edges"].as_array().ok_or("edges")?;
    assert_eq!(edges.iter().filter(|e| e["node"]["action"] == "funding_item.correct").count(), 1);
    Ok(())
}

#[tokio::test]
async fn targets_keep_their_versions_and_say_which_units_hold_them() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let year = county_today().year();
    let set = "mutation($y: Int!, $t: [FundingTargetInput!]!) { setFundingTargets(year: $y, targets: $t, note: \"年初下达\") }";
    let first = json!([{ "unitId": unit_id("发改局"), "kind": "GRANT", "amount": 500 }, { "unitId": unit_id("统计局"), "kind": "GRANT", "amount": 50 }]);
    assert_eq!(app.data(set, json!({ "y": year, "t": first }), Some(&admin)).await?["setFundingTargets"], 2);
    let again = json!([{ "unitId": unit_id("发改局"), "kind": "GRANT", "amount": 800 }, { "unitId": unit_id("统计局"), "kind": "GRANT", "amount": 50 }]);
    assert_eq!(app.data(set, json!({ "y": year, "t": again }), Some(&admin)).await?["setFundingTargets"], 1);
    let q = "query($y: Int!, $u: UUID!) { now: fundingTargets(filter: { year: $y, unitId: $u }) { totalCount edges { node { amount version current } } } all: fundingTargets(filter: { year: $y, unitId: $u, history: true }) { totalCount } }";
    let read = app.data(q, json!({ "y": year, "u": unit_id("发改局") }), Some(&admin)).await?;
    assert_eq!((read["now"]["totalCount"].as_i64(), read["all"]["totalCount"].as_i64()), (Some(1), Some(2)));
    assert_eq!(num(&read["now"]["edges"][0]["node"]["amount"]), 800.0);
    assert_eq!(read["now"]["edges"][0]["node"]["version"], 2);
    // This year's targets now say who holds one: two units, where the stored designation said 45.
    let units = app
        .data(
            "{ units(filter: { hasFundingTargets: true }) { totalCount edges { node { name } } } }",
            json!({}),
            Some(&admin),
        )
        .await?;
    assert_eq!(units["units"]["totalCount"], 2);
    // Bad targets are refused whole.
    let bad = json!([{ "unitId": unit_id("发改局"), "kind": "FISCAL", "amount": 1 }]);
    assert_eq!(error_code(&app.gql(set, json!({ "y": year, "t": bad }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    let negative = json!([{ "unitId": unit_id("发改局"), "kind": "GRANT", "amount": -1 }]);
    assert_eq!(
        error_code(&app.gql(set, json!({ "y": year, "t": negative }), Some(&admin)).await?),
        Some("BAD_USER_INPUT")
    );
    let fgj = app.login_as("fgj").await?;
    assert_eq!(error_code(&app.gql(set, json!({ "y": year, "t": first }), Some(&fgj)).await?), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn who_may_see_and_do_what() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let count = "{ fundingItems(first: 1) { totalCount } grants(first: 1) { totalCount } }";
    let total = app.data(count, json!({}), Some(&admin)).await?["fundingItems"]["totalCount"].as_i64().ok_or("n")?;
    assert!(total > 100);
    let leader = app.login_as("leader").await?;
    assert_eq!(app.data(count, json!({}), Some(&leader)).await?["fundingItems"]["totalCount"], total);
    let inspector = app.login_as("inspector").await?;
    assert_eq!(app.data(count, json!({}), Some(&inspector)).await?["fundingItems"]["totalCount"], 0);
    let summary = app.gql(SUMMARY, json!({ "y": last_year() }), Some(&inspector)).await?;
    assert_eq!(error_code(&summary), Some("FORBIDDEN"));
    // A unit sees the items it is credited with, and reads the ranking.
    let fgj = app.login_as("fgj").await?;
    let mine = "{ fundingItems(first: 100) { totalCount edges { node { id units { unit { name } } } } } }";
    let seen = app.data(mine, json!({}), Some(&fgj)).await?;
    let edges = seen["fundingItems"]["edges"].as_array().ok_or("edges")?;
    assert!(!edges.is_empty());
    assert!(
        edges
            .iter()
            .all(|e| e["node"]["units"].as_array().is_some_and(|u| u.iter().any(|u| u["unit"]["name"] == "发改局")))
    );
    assert!(app.data(SUMMARY, json!({ "y": last_year() }), Some(&fgj)).await.is_ok());
    // Another unit's item is not found; a unit records only items it is credited with.
    let theirs = grant_of_two(&app, &admin, ["水利局", "财政局"]).await?;
    let read = "query($id: UUID!) { fundingItem(id: $id) { id } }";
    assert_eq!(error_code(&app.gql(read, json!({ "id": theirs }), Some(&fgj)).await?), Some("NOT_FOUND"));
    let upd = "mutation($id: UUID!) { updateFundingItem(id: $id, details: { name: \"改名\", counterpart: \"x\", channel: \"补助\" }) { id } }";
    assert_eq!(error_code(&app.gql(upd, json!({ "id": theirs }), Some(&fgj)).await?), Some("NOT_FOUND"));
    let body = app.gql(RECORD, json!({ "i": { "kind": "GRANT", "details": { "name": "别人的项目", "counterpart": "省财政厅", "channel": "补助" }, "units": [{ "unitId": unit_id("水利局"), "sharePercent": 100 }] } }), Some(&fgj)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(RECORD, json!({ "i": { "kind": "GRANT", "details": { "name": "领导代录", "counterpart": "省财政厅", "channel": "补助" }, "units": [{ "unitId": unit_id("水利局"), "sharePercent": 100 }] } }), Some(&leader)).await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // Keys: FUNDING_READ reads the summary; a key without it is refused.
    let make =
        "mutation($s: [Scope!]!) { createIntegrationKey(input: { name: \"财政一体化\", scopes: $s }) { secret } }";
    let with = app.data(make, json!({ "s": ["FUNDING_READ", "DIRECTORY_READ"] }), Some(&admin)).await?;
    let with = with["createIntegrationKey"]["secret"].as_str().ok_or("secret")?.to_owned();
    assert!(app.data(SUMMARY, json!({ "y": last_year() }), Some(&with)).await.is_ok());
    let without = app.data(make, json!({ "s": ["PROJECTS_READ", "DIRECTORY_READ"] }), Some(&admin)).await?;
    let without = without["createIntegrationKey"]["secret"].as_str().ok_or("secret")?.to_owned();
    assert_eq!(error_code(&app.gql(SUMMARY, json!({ "y": last_year() }), Some(&without)).await?), Some("FORBIDDEN"));
    let write = app.gql(RECORD, json!({ "i": { "kind": "GRANT", "details": { "name": "接口录入", "counterpart": "省财政厅", "channel": "补助" }, "units": [{ "unitId": unit_id("水利局"), "sharePercent": 100 }] } }), Some(&with)).await?;
    assert_eq!(error_code(&write), Some("FORBIDDEN"));
    Ok(())
}

#[tokio::test]
async fn bad_items_and_money_are_refused_with_nothing_stored() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let count = "{ fundingItems { totalCount } }";
    let before = app.data(count, json!({}), Some(&admin)).await?;
    let base = json!({ "name": "测试项目", "counterpart": "省发改委", "channel": "补助" });
    let cases = [
        json!({ "kind": "GRANT", "details": base, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 60 }, { "unitId": unit_id("财政局"), "sharePercent": 30 }] }),
        json!({ "kind": "GRANT", "details": base, "units": [] }),
        json!({ "kind": "GRANT", "details": base, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 50 }, { "unitId": unit_id("发改局"), "sharePercent": 50 }] }),
        json!({ "kind": "GRANT", "details": base, "units": [{ "unitId": "00000000-0000-0000-0000-000000000000", "sharePercent": 100 }] }),
        json!({ "kind": "INVESTMENT", "details": base, "units": [{ "unitId": unit_id("商务局"), "sharePercent": 100 }] }),
        json!({ "kind": "GRANT", "stage": "SIGNED", "details": base, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 100 }] }),
        json!({ "kind": "GRANT", "details": { "name": "x", "counterpart": "y", "channel": "补助" }, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 100 }] }),
        json!({ "kind": "ADVANCE", "details": { "name": "前期经费", "counterpart": "县财政", "channel": "预借" }, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 50 }, { "unitId": unit_id("财政局"), "sharePercent": 50 }] }),
        json!({ "kind": "GRANT", "details": { "name": "补助标准", "counterpart": "省", "channel": "补助", "standardAmount": "400.001" }, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 100 }] }),
        json!({ "kind": "GRANT", "details": { "name": "补助贷款", "counterpart": "省", "channel": "补助", "bank": "农业银行" }, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 100 }] }),
        json!({ "kind": "FINANCING", "details": { "name": "技改贷款", "counterpart": "某企业", "channel": "银企对接", "programme": "技改" }, "units": [{ "unitId": unit_id("发改局"), "sharePercent": 100 }] }),
    ];
    for input in cases {
        let body = app.gql(RECORD, json!({ "i": input }), Some(&admin)).await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{input}: {body}");
    }
    assert_eq!(app.data(count, json!({}), Some(&admin)).await?, before);
    let item = grant_of_two(&app, &admin, ["发改局", "财政局"]).await?;
    let on = county_today().to_string();
    for (flow, amount) in
        [("RECEIVED", json!(0)), ("RECEIVED", json!(-5)), ("REPAID", json!(5)), ("RECEIVED", json!("1.0000001"))]
    {
        let body = app
            .gql(MONEY, json!({ "i": { "itemId": item, "flow": flow, "on": on, "amount": amount } }), Some(&admin))
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{flow} {amount}: {body}");
    }
    // The same money sent twice under one id is stored once; other content under it is a conflict.
    let id = "0190f0f0-0000-7000-8000-000000000001";
    let once = json!({ "i": { "id": id, "itemId": item, "flow": "RECEIVED", "on": on, "amount": 12 } });
    app.data(MONEY, once.clone(), Some(&admin)).await?;
    app.data(MONEY, once, Some(&admin)).await?;
    let other = json!({ "i": { "id": id, "itemId": item, "flow": "RECEIVED", "on": on, "amount": 13 } });
    assert_eq!(error_code(&app.gql(MONEY, other, Some(&admin)).await?), Some("CONFLICT"));
    let read = app
        .data("query($id: UUID!) { fundingItem(id: $id) { money { amount } } }", json!({ "id": item }), Some(&admin))
        .await?;
    assert_eq!(read["fundingItem"]["money"].as_array().map(Vec::len), Some(1));
    Ok(())
}

/// A page of items with everything they show, and projects with their funding, cost the same
/// statements at every page size; a unit's figures agree with the summary's row for it.
#[tokio::test]
async fn lists_cost_a_fixed_number_of_statements() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let items = "query($n: Int) { fundingItems(first: $n) { edges { node { name stage campaign { name } project { name } createdBy { username } units { unit { name } sharePercent } stages { stage reachedOn } money { amount verifiedBy { username } } received promised } } } }";
    let mut costs = Vec::new();
    // From 40 items on, every relation has rows on the page.
    for n in [40, 70, 100] {
        let (data, cost) = app.data_and_cost(items, json!({ "n": n }), Some(&admin)).await?;
        assert_eq!(data["fundingItems"]["edges"].as_array().map(Vec::len), Some(n as usize));
        costs.push(cost);
    }
    assert!(costs.windows(2).all(|w| w[0] == w[1]), "statements by page size: {costs:?}");
    // The check, the page, then one batch each, primed before the items resolve: shares, units,
    // stages, money, campaigns, projects, users.
    assert!(costs[0] <= 9, "{costs:?}");
    let projects = "query($n: Int) { projects(first: $n) { edges { node { name funding(first: 5) { totalCount edges { node { channel received units { unit { name } } } } } } } } }";
    let mut costs = Vec::new();
    let mut seen = 0;
    for n in [10, 50] {
        let (data, cost) = app.data_and_cost(projects, json!({ "n": n }), Some(&admin)).await?;
        for e in data["projects"]["edges"].as_array().ok_or("edges")? {
            seen += e["node"]["funding"]["totalCount"].as_i64().unwrap_or(0);
        }
        costs.push(cost);
    }
    assert!(seen > 0, "the demo's fiscal inputs hang under projects");
    assert_eq!(costs[0], costs[1], "statements by page size: {costs:?}");
    // The summary: the check, the money, shares, stages and their items, targets, campaigns, units.
    let year = last_year();
    let summary_cost = app.cost(SUMMARY, json!({ "y": year }), Some(&admin)).await?;
    assert!(summary_cost <= 8, "{summary_cost}");
    // unitFunding is the summary's row for the unit.
    let unit = "query($u: UUID!, $y: Int!) { unitFunding(unitId: $u, year: $y) { kind target received rank } }";
    let mine = app.data(unit, json!({ "u": unit_id("工信局"), "y": year }), Some(&admin)).await?;
    let summary = app.data(SUMMARY, json!({ "y": year }), Some(&admin)).await?;
    for row in mine["unitFunding"].as_array().ok_or("rows")? {
        let k = kind(&summary, row["kind"].as_str().ok_or("kind")?)?;
        let theirs = k["units"].as_array().ok_or("units")?.iter().find(|u| u["unit"]["name"] == "工信局");
        match theirs {
            Some(t) => assert_eq!((num(&t["received"]), &t["rank"]), (num(&row["received"]), &row["rank"])),
            None => assert_eq!(num(&row["received"]), 0.0),
        }
    }
    Ok(())
}

/// The change feed carries funding work: a unit sees its own items' changes with the item, another
/// unit's as hidden, and a year's targets only the office and leaders read.
#[tokio::test]
async fn the_change_feed_shows_funding_work_to_those_who_may_see_it() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let start = app.data("{ changes(first: 1) { pageInfo { endSeq } } }", json!({}), Some(&admin)).await?;
    let mut after = start["changes"]["pageInfo"]["endSeq"].as_str().ok_or("endSeq")?.to_owned();
    // Skip to the end of the trail.
    loop {
        let page = app
            .data(
                "query($a: String) { changes(after: $a, first: 100) { pageInfo { endSeq hasNextPage } } }",
                json!({ "a": after }),
                Some(&admin),
            )
            .await?;
        after = page["changes"]["pageInfo"]["endSeq"].as_str().ok_or("endSeq")?.to_owned();
        if page["changes"]["pageInfo"]["hasNextPage"] != true {
            break;
        }
    }
    let mine = grant_of_two(&app, &fgj, ["发改局", "财政局"]).await?;
    let theirs = grant_of_two(&app, &admin, ["水利局", "财政局"]).await?;
    let set = "mutation { setFundingTargets(year: 2030, targets: [{ unitId: \"%U\", kind: GRANT, amount: 10 }]) }";
    app.data(&set.replace("%U", &unit_id("发改局")), json!({}), Some(&admin)).await?;
    let feed = "query($a: String) { changes(after: $a, first: 100, entityTypes: [FUNDING_ITEM, FUNDING_TARGET]) { events { entityType entityId hidden record { __typename ... on FundingItem { name } } } } }";
    let seen = app.data(feed, json!({ "a": after }), Some(&fgj)).await?;
    let events = seen["changes"]["events"].as_array().ok_or("events")?;
    let of = |id: &str| events.iter().find(|e| e["entityId"] == id).cloned().unwrap_or(Value::Null);
    assert_eq!(
        (of(&mine)["hidden"].as_bool(), of(&mine)["record"]["__typename"].as_str()),
        (Some(false), Some("FundingItem"))
    );
    assert_eq!(of(&theirs)["hidden"], true);
    assert_eq!(of("2030")["hidden"], true);
    let leader = app.login_as("leader").await?;
    let seen = app.data(feed, json!({ "a": after }), Some(&leader)).await?;
    let events = seen["changes"]["events"].as_array().ok_or("events")?;
    assert!(events.iter().all(|e| e["hidden"] == false), "{events:?}");
    assert_eq!(events.len(), 3);
    Ok(())
}

#[tokio::test]
async fn a_page_of_targets_costs_the_same_statements_at_any_size() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let page = "query($n: Int!, $y: Int!) { fundingTargets(filter: { year: $y }, first: $n) { edges { node { kind amount unit { name } setBy { displayName } } } } }";
    let (small, five) = app.data_and_cost(page, json!({ "n": 5, "y": last_year() }), Some(&admin)).await?;
    let (large, fifty) = app.data_and_cost(page, json!({ "n": 50, "y": last_year() }), Some(&admin)).await?;
    assert_eq!(small["fundingTargets"]["edges"].as_array().map(Vec::len), Some(5));
    assert_eq!(large["fundingTargets"]["edges"].as_array().map(Vec::len), Some(50));
    assert_eq!(five, fifty, "statements at 5 and at 50 targets");
    Ok(())
}
