//! An evaluation's results: per department the mean on each criterion and overall, the number of
//! responses, the rank among the significant, and the comments — never who gave them.

use std::collections::{BTreeMap, HashMap};

use entity::evaluation_unit::EvaluationRole;
use entity::{evaluation_comment, evaluation_score};
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::{criteria_of, find, units_of};
use crate::error::AppResult;
use crate::service::kit::Units;

/// A department's mean on one criterion.
#[derive(Debug, Clone, PartialEq)]
pub struct CriterionMean {
    pub key: String,
    pub label: String,
    pub mean: Option<f64>,
}

/// One department's result.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitResult {
    pub unit_id: Uuid,
    /// The mean of its criteria's means (each criterion weighs the same); none without responses.
    pub mean: Option<f64>,
    pub criteria: Vec<CriterionMean>,
    pub responses: u64,
    /// At least the evaluation's minimum of responses.
    pub significant: bool,
    /// 1 for the best mean among the significant results; none for the others.
    pub rank: Option<u32>,
    pub comments: Vec<String>,
}

/// The results of evaluation `id`, best first (significant ones ranked, then the rest by mean);
/// `scope` narrows them to a department's own. Three statements whatever the size.
pub async fn results(db: &impl ConnectionTrait, id: Uuid, scope: Option<Units>) -> AppResult<Vec<UnitResult>> {
    let evaluation = find(db, id).await?;
    let criteria = criteria_of(db, evaluation.template_id).await?;
    let scored = units_of(db, id, EvaluationRole::Scored).await?;
    use evaluation_score::Column as S;
    let means: Vec<(Uuid, String, f64, i64)> = evaluation_score::Entity::find()
        .select_only()
        .column(S::UnitId)
        .column(S::ItemKey)
        .column_as(sea_orm::sea_query::SimpleExpr::from(Func::avg(Expr::col(S::Score))), "mean")
        .column_as(Expr::col(S::ResponseId).count(), "n")
        .filter(S::EvaluationId.eq(id))
        .group_by(S::UnitId)
        .group_by(S::ItemKey)
        .into_tuple()
        .all(db)
        .await?;
    let comments: Vec<(Uuid, String)> = evaluation_comment::Entity::find()
        .select_only()
        .column(evaluation_comment::Column::UnitId)
        .column(evaluation_comment::Column::Text)
        .filter(evaluation_comment::Column::EvaluationId.eq(id))
        .order_by_asc(evaluation_comment::Column::Text)
        .into_tuple()
        .all(db)
        .await?;
    let mut by_unit: HashMap<Uuid, BTreeMap<String, (f64, i64)>> = HashMap::new();
    for (unit, key, mean, n) in means {
        by_unit.entry(unit).or_default().insert(key, (mean, n));
    }
    let mut comments_of: HashMap<Uuid, Vec<String>> = HashMap::new();
    for (unit, text) in comments {
        comments_of.entry(unit).or_default().push(text);
    }
    let min = u64::try_from(evaluation.min_responses).unwrap_or(1);
    let mut rows: Vec<UnitResult> = scored
        .into_iter()
        .map(|unit_id| {
            let given = by_unit.remove(&unit_id).unwrap_or_default();
            // Every response scores a department on every criterion: any criterion's count is theirs.
            let responses = given.values().map(|(_, n)| u64::try_from(*n).unwrap_or(0)).max().unwrap_or(0);
            let criteria: Vec<CriterionMean> = criteria
                .iter()
                .map(|c| CriterionMean {
                    key: c.key.clone(),
                    label: c.label.clone(),
                    mean: given.get(&c.key).map(|m| m.0),
                })
                .collect();
            let known: Vec<f64> = criteria.iter().filter_map(|c| c.mean).collect();
            let mean = (!known.is_empty()).then(|| known.iter().sum::<f64>() / known.len() as f64);
            UnitResult {
                unit_id,
                mean,
                criteria,
                responses,
                significant: responses >= min,
                rank: None,
                comments: comments_of.remove(&unit_id).unwrap_or_default(),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.significant
            .cmp(&a.significant)
            .then(b.mean.unwrap_or(f64::MIN).total_cmp(&a.mean.unwrap_or(f64::MIN)))
            .then(a.unit_id.cmp(&b.unit_id))
    });
    let mut rank = 0;
    for row in rows.iter_mut().filter(|r| r.significant) {
        rank += 1;
        row.rank = Some(rank);
    }
    if let Some(units) = scope {
        rows.retain(|r| units.contains(r.unit_id));
    }
    Ok(rows)
}

/// Which of `evaluations` the person `user` answered, in one statement.
pub async fn answered(
    db: &impl ConnectionTrait,
    secret: &str,
    evaluations: &[Uuid],
    user: Uuid,
) -> AppResult<std::collections::HashSet<Uuid>> {
    let mut hashes = Vec::with_capacity(evaluations.len());
    for id in evaluations {
        hashes.push(super::respondent_hash(secret, *id, &format!("user:{user}"))?);
    }
    let found: Vec<Uuid> = entity::evaluation_response::Entity::find()
        .select_only()
        .column(entity::evaluation_response::Column::EvaluationId)
        .filter(entity::evaluation_response::Column::EvaluationId.is_in(evaluations.iter().copied()))
        .filter(entity::evaluation_response::Column::RespondentHash.is_in(hashes))
        .into_tuple()
        .all(db)
        .await?;
    Ok(found.into_iter().collect())
}
