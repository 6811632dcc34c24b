//! The quarterly environment evaluation (项目建设环境集中测评): one open per quarter, respondents of
//! the named units or holders of one-time links each answer once, departments see their own scores
//! and never who gave them, results rank only the significant, and a closed evaluation takes no
//! more answers.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestResult, county_today, error_code, unit_id};

const OPEN: &str = "mutation($i: OpenEnvironmentEvaluationInput!) { openEnvironmentEvaluation(input: $i) { links evaluation { id status criteria { key min max } scoredUnits { name } } } }";
const RESPOND: &str = "mutation($i: RespondToEvaluationInput!) { respondToEvaluation(input: $i) }";
const RESULTS: &str = "query($id: UUID!) { evaluationResults(id: $id) { unit { name } mean responses significant rank criteria { key mean } comments } }";

/// Scores for each of `units` on the four demo criteria, all `score`.
fn scores(units: &[&str], score: f64) -> Value {
    let criteria = ["efficiency", "attitude", "integrity", "service"];
    json!(
        units
            .iter()
            .flat_map(|u| criteria.iter().map(move |c| json!({ "unitId": unit_id(u), "criterion": c, "score": score })))
            .collect::<Vec<_>>()
    )
}

fn row<'a>(results: &'a Value, name: &str) -> TestResult<&'a Value> {
    results["evaluationResults"]
        .as_array()
        .ok_or("results")?
        .iter()
        .find(|r| r["unit"]["name"] == name)
        .ok_or_else(|| format!("no {name}").into())
}

#[tokio::test]
async fn respondents_answer_once_anonymously_and_a_closed_evaluation_stands() -> TestResult {
    let app = TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let fgj = app.login_as("fgj").await?;
    let zrzyj = app.login_as("zrzyj").await?;
    let templates = app
        .data("{ checklistTemplates(key: \"environment\") { edges { node { id } } } }", json!({}), Some(&admin))
        .await?;
    let template = templates["checklistTemplates"]["edges"][0]["node"]["id"].clone();
    let today = county_today();
    let quarter = i32::try_from(today.month0() / 3 + 1)?;
    let input = json!({
        "year": today.year(), "quarter": quarter, "title": "本季度测评", "templateId": template,
        "closesOn": (today + chrono::Duration::days(10)).to_string(), "minResponses": 2,
        "scoredUnitIds": [unit_id("发改局"), unit_id("自然资源局"), unit_id("生态环境局")],
        "respondentUnitIds": [unit_id("发改局")], "outsideLinks": 3,
    });
    assert_eq!(error_code(&app.gql(OPEN, json!({ "i": input }), Some(&fgj)).await?), Some("FORBIDDEN"));
    let opened = app.data(OPEN, json!({ "i": input }), Some(&admin)).await?;
    let evaluation = &opened["openEnvironmentEvaluation"];
    let id = evaluation["evaluation"]["id"].as_str().ok_or("id")?.to_owned();
    assert_eq!(evaluation["evaluation"]["status"], "OPEN");
    assert_eq!(evaluation["evaluation"]["criteria"].as_array().map(Vec::len), Some(4));
    let links: Vec<String> =
        evaluation["links"].as_array().ok_or("links")?.iter().filter_map(|l| l.as_str().map(str::to_owned)).collect();
    assert_eq!(links.len(), 3);
    // One open evaluation a quarter.
    assert_eq!(error_code(&app.gql(OPEN, json!({ "i": input }), Some(&admin)).await?), Some("CONFLICT"));

    // A respondent scores every criterion of the departments it scores, within range, not itself.
    let answer =
        |scores: Value, token: Option<&str>| json!({ "i": { "evaluationId": id, "token": token, "scores": scores } });
    let own = answer(scores(&["发改局"], 8.0), None);
    assert_eq!(error_code(&app.gql(RESPOND, own, Some(&fgj)).await?), Some("BAD_USER_INPUT"));
    let too_high = answer(scores(&["自然资源局"], 11.0), None);
    assert_eq!(error_code(&app.gql(RESPOND, too_high, Some(&fgj)).await?), Some("BAD_USER_INPUT"));
    let partial = json!([{ "unitId": unit_id("自然资源局"), "criterion": "efficiency", "score": 5 }]);
    assert_eq!(error_code(&app.gql(RESPOND, answer(partial, None), Some(&fgj)).await?), Some("BAD_USER_INPUT"));
    // Not a respondent unit; not signed in without a link.
    let fine = scores(&["自然资源局", "生态环境局"], 8.0);
    assert_eq!(error_code(&app.gql(RESPOND, answer(fine.clone(), None), Some(&zrzyj)).await?), Some("FORBIDDEN"));
    assert_eq!(error_code(&app.gql(RESPOND, answer(fine.clone(), None), None).await?), Some("UNAUTHENTICATED"));
    // Once each: a person, and a link without signing in.
    let mut with_comment = answer(fine, None);
    with_comment["i"]["comments"] = json!([{ "unitId": unit_id("自然资源局"), "text": "预审办得快" }]);
    app.data(RESPOND, with_comment.clone(), Some(&fgj)).await?;
    assert_eq!(error_code(&app.gql(RESPOND, with_comment, Some(&fgj)).await?), Some("CONFLICT"));
    let by_link = answer(scores(&["自然资源局"], 6.0), Some(&links[0]));
    app.data(RESPOND, by_link.clone(), None).await?;
    assert_eq!(error_code(&app.gql(RESPOND, by_link, None).await?), Some("FORBIDDEN"));
    let forged = answer(scores(&["自然资源局"], 6.0), Some("ev_0123456789abcdef"));
    assert_eq!(error_code(&app.gql(RESPOND, forged, None).await?), Some("FORBIDDEN"));
    let answered = app
        .data(
            "query($y: Int!) { environmentEvaluations(year: $y) { id answered } }",
            json!({ "y": today.year() }),
            Some(&fgj),
        )
        .await?;
    let mine = answered["environmentEvaluations"]
        .as_array()
        .ok_or("list")?
        .iter()
        .find(|e| e["id"] == id.as_str())
        .ok_or("mine")?;
    assert_eq!(mine["answered"], true);

    // Results: 自然资源局 had two responses (8 and 6), 生态环境局 one (not significant, not ranked).
    let all = app.data(RESULTS, json!({ "id": id }), Some(&admin)).await?;
    let land = row(&all, "自然资源局")?;
    assert_eq!(
        (land["responses"].as_i64(), land["significant"].as_bool(), land["rank"].as_i64()),
        (Some(2), Some(true), Some(1))
    );
    assert_eq!(land["mean"].as_f64(), Some(7.0));
    assert_eq!(land["comments"], json!(["预审办得快"]));
    let env = row(&all, "生态环境局")?;
    assert_eq!(
        (env["responses"].as_i64(), env["significant"].as_bool(), env["rank"].clone()),
        (Some(1), Some(false), Value::Null)
    );
    // A department sees its own result alone, and nothing of who gave it.
    let own = app.data(RESULTS, json!({ "id": id }), Some(&zrzyj)).await?;
    assert_eq!(own["evaluationResults"].as_array().map(Vec::len), Some(1));
    assert_eq!(row(&own, "自然资源局")?, land);
    assert!(!own.to_string().contains("fgj") && !own.to_string().contains("发改局"));

    // Closed: no more answers, the figures stand, and the quarter may open again.
    let close = "mutation($id: UUID!) { closeEnvironmentEvaluation(id: $id) { status } }";
    assert_eq!(
        app.data(close, json!({ "id": id }), Some(&admin)).await?["closeEnvironmentEvaluation"]["status"],
        "CLOSED"
    );
    let late = answer(scores(&["自然资源局"], 1.0), Some(&links[1]));
    assert_eq!(error_code(&app.gql(RESPOND, late, None).await?), Some("BAD_USER_INPUT"));
    assert_eq!(app.data(RESULTS, json!({ "id": id }), Some(&admin)).await?, all);
    assert_eq!(error_code(&app.gql(close, json!({ "id": id }), Some(&admin)).await?), Some("BAD_USER_INPUT"));
    app.data(OPEN, json!({ "i": input }), Some(&admin)).await?;
    Ok(())
}

#[tokio::test]
async fn the_demo_county_evaluated_four_quarters_and_ranks_the_significant() -> TestResult {
    let app = TestApp::spawn().await?;
    let leader = app.login_as("leader").await?;
    let today = county_today();
    let mut evaluations = Vec::new();
    for year in [today.year() - 1, today.year()] {
        let data = app
            .data(
                "query($y: Int!) { environmentEvaluations(year: $y) { id status quarter } }",
                json!({ "y": year }),
                Some(&leader),
            )
            .await?;
        evaluations.extend(data["environmentEvaluations"].as_array().ok_or("list")?.iter().cloned());
    }
    assert_eq!(evaluations.len(), 4);
    assert!(evaluations.iter().all(|e| e["status"] == "CLOSED"));
    let last = evaluations.last().ok_or("last")?["id"].clone();
    let results = app.data(RESULTS, json!({ "id": last }), Some(&leader)).await?;
    let rows = results["evaluationResults"].as_array().ok_or("rows")?;
    let ranked: Vec<&Value> = rows.iter().filter(|r| r["significant"] == true).collect();
    assert_eq!(ranked.len() + 1, rows.len(), "one department had too few responses");
    for (i, pair) in ranked.windows(2).enumerate() {
        assert_eq!(pair[0]["rank"].as_i64(), Some(i as i64 + 1));
        assert!(pair[0]["mean"].as_f64() >= pair[1]["mean"].as_f64());
    }
    assert!(rows.iter().any(|r| !r["comments"].as_array().is_none_or(Vec::is_empty)));
    Ok(())
}
