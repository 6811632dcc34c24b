//! Answering an evaluation: by a person of a respondent unit, or through a one-time link. Each
//! respondent answers once; the response keeps no trace of who gave it but a keyed one-way hash.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use entity::evaluation_unit::EvaluationRole;
use entity::user::Role;
use entity::{evaluation_comment, evaluation_link, evaluation_response, evaluation_score};
use hmac::{Hmac, Mac};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use sha2::Sha256;
use uuid::Uuid;

use super::open::token_hash;
use super::{EvaluationStatus, criteria_of, find, status_of, units_of};
use crate::auth::Caller;
use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::text;

/// Most scores and comments one response holds.
pub const MAX_SCORES: usize = 2000;
pub const MAX_COMMENTS: usize = 200;

/// One score: a department on one criterion.
#[derive(Debug, Clone)]
pub struct Score {
    pub unit_id: Uuid,
    pub criterion: String,
    pub score: f64,
}

/// A response.
#[derive(Debug, Clone, Default)]
pub struct Response {
    pub scores: Vec<Score>,
    /// (department, comment).
    pub comments: Vec<(Uuid, String)>,
}

/// Who answers.
pub enum Respondent<'a> {
    /// A signed-in person.
    Person(&'a Caller),
    /// Whoever holds a one-time link's token.
    Link(&'a str),
}

/// The keyed hash a respondent is known by within one evaluation: it tells whether they answered,
/// never who they are.
pub fn respondent_hash(secret: &str, evaluation: Uuid, who: &str) -> AppResult<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .map_err(|e| AppError::internal(format!("respondent hash: {e}")))?;
    mac.update(format!("evaluation:{evaluation}:{who}").as_bytes());
    Ok(text::hex(&mac.finalize().into_bytes()))
}

/// Records a response to evaluation `id`. A person must be of a respondent unit (and scores no
/// department of their own); a link must be valid, unused and unexpired. Every department scored
/// gets every criterion, within its range. A second response by the same respondent is
/// `CONFLICT`; a closed or scheduled evaluation, `BAD_USER_INPUT`.
pub async fn respond(
    db: &DatabaseConnection,
    secret: &str,
    id: Uuid,
    who: Respondent<'_>,
    input: Response,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Uuid> {
    if input.scores.is_empty() || input.scores.len() > MAX_SCORES {
        return Err(AppError::bad_input("scores", format!("1 to {MAX_SCORES} scores")));
    }
    if input.comments.len() > MAX_COMMENTS {
        return Err(AppError::bad_input("comments", format!("at most {MAX_COMMENTS} comments")));
    }
    let mut comments = Vec::with_capacity(input.comments.len());
    for (unit, comment) in &input.comments {
        comments.push((*unit, text::required("comments.text", comment, 1, 1000)?));
    }
    let evaluation = find(db, id).await?;
    let status = status_of(&evaluation, day.date);
    if status != EvaluationStatus::Open {
        let status = crate::service::kit::workflow::graphql_name(status);
        return Err(AppError::bad_input("evaluationId", format!("this evaluation is {status}, not OPEN")));
    }
    let (respondent, link) = match who {
        Respondent::Person(caller) => {
            if caller.key.is_some() || caller.role() == Role::Integration {
                return Err(AppError::Forbidden("evaluations are answered by people, not keys".into()));
            }
            let respondents = units_of(db, id, EvaluationRole::Respondent).await?;
            if !respondents.contains(&caller.unit_id()) {
                return Err(AppError::Forbidden("your unit is not among this evaluation's respondents".into()));
            }
            (format!("user:{}", caller.id()), None)
        }
        Respondent::Link(token) => {
            let link = evaluation_link::Entity::find()
                .filter(evaluation_link::Column::TokenHash.eq(token_hash(token)))
                .filter(evaluation_link::Column::EvaluationId.eq(id))
                .one(db)
                .await?
                .filter(|l| l.used_at.is_none() && l.expires_at > now);
            let Some(link) = link else {
                return Err(AppError::Forbidden(
                    "this link is not valid for this evaluation, was used, or expired".into(),
                ));
            };
            (format!("link:{}", link.id), Some(link.id))
        }
    };
    let own = match who {
        Respondent::Person(caller) => Some(caller.unit_id()),
        Respondent::Link(_) => None,
    };
    let scores = checked_scores(db, &evaluation, &input.scores, &comments, own).await?;
    let response = Uuid::now_v7();
    let txn = crate::db::begin_write(db).await?;
    if let Some(link) = link {
        let used = evaluation_link::Entity::update_many()
            .col_expr(evaluation_link::Column::UsedAt, Expr::value(now))
            .filter(evaluation_link::Column::Id.eq(link))
            .filter(evaluation_link::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 {
            return Err(AppError::Forbidden("this link is not valid for this evaluation, was used, or expired".into()));
        }
    }
    let row = evaluation_response::ActiveModel {
        id: Set(response),
        evaluation_id: Set(id),
        respondent_hash: Set(respondent_hash(secret, id, &respondent)?),
        // The day, not the instant: the order of responses tells nothing about who gave them.
        submitted_at: Set(crate::clock::midnight(day.date, day.zone)),
    };
    if let Err(e) = evaluation_response::Entity::insert(row).exec_without_returning(&txn).await {
        return Err(match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("you have answered this evaluation already".into())
            }
            _ => e.into(),
        });
    }
    let rows: Vec<_> = scores
        .into_iter()
        .map(|s| evaluation_score::ActiveModel {
            response_id: Set(response),
            evaluation_id: Set(id),
            unit_id: Set(s.unit_id),
            item_key: Set(s.criterion),
            score: Set(s.score),
        })
        .collect();
    for chunk in rows.chunks(200) {
        evaluation_score::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let rows: Vec<_> = comments
        .into_iter()
        .map(|(unit, text)| evaluation_comment::ActiveModel {
            response_id: Set(response),
            evaluation_id: Set(id),
            unit_id: Set(unit),
            text: Set(text),
        })
        .collect();
    if !rows.is_empty() {
        evaluation_comment::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    txn.commit().await?;
    Ok(response)
}

/// `scores` when each names a scored department (not `own`) and a criterion within its range, each
/// once, and every department scored gets every criterion; comments name scored departments once.
async fn checked_scores(
    db: &DatabaseConnection,
    evaluation: &entity::environment_evaluation::Model,
    scores: &[Score],
    comments: &[(Uuid, String)],
    own: Option<Uuid>,
) -> AppResult<Vec<Score>> {
    let id = evaluation.id;
    let criteria: HashMap<String, (f64, f64)> =
        criteria_of(db, evaluation.template_id).await?.into_iter().map(|c| (c.key, (c.min, c.max))).collect();
    let scored: BTreeSet<Uuid> = units_of(db, id, EvaluationRole::Scored).await?.into_iter().collect();
    let mut seen: HashMap<Uuid, BTreeSet<&str>> = HashMap::new();
    for s in scores {
        if !scored.contains(&s.unit_id) {
            return Err(AppError::bad_input("scores.unitId", "this evaluation does not score that unit"));
        }
        if Some(s.unit_id) == own {
            return Err(AppError::bad_input("scores.unitId", "a unit does not score itself"));
        }
        let Some(&(min, max)) = criteria.get(&s.criterion) else {
            return Err(AppError::bad_input("scores.criterion", format!("no criterion {:.64}", s.criterion)));
        };
        if !s.score.is_finite() || s.score < min || s.score > max {
            return Err(AppError::bad_input("scores.score", format!("{} takes {min} to {max}", s.criterion)));
        }
        if !seen.entry(s.unit_id).or_default().insert(s.criterion.as_str()) {
            return Err(AppError::bad_input("scores", "a unit is scored once on each criterion"));
        }
    }
    if seen.values().any(|given| given.len() != criteria.len()) {
        return Err(AppError::bad_input("scores", "a unit scored is scored on every criterion"));
    }
    let mut commented = BTreeSet::new();
    for (unit, _) in comments {
        if !seen.contains_key(unit) || !commented.insert(*unit) {
            return Err(AppError::bad_input("comments.unitId", "comment once on a unit the response scores"));
        }
    }
    Ok(scores.to_vec())
}
