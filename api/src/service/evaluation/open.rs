//! Opening an evaluation (with its one-time links), closing it, and reading evaluations.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use entity::checklist_template::ItemType;
use entity::environment_evaluation::{self, Model as Evaluation};
use entity::evaluation_link;
use entity::evaluation_unit::{self, EvaluationRole};
use entity::user::Role;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::{kit, text};

/// Most departments one evaluation scores, respondent units it names, and one-time links it makes.
pub const MAX_SCORED: usize = 200;
pub const MAX_RESPONDENT_UNITS: usize = 500;
pub const MAX_LINKS: u32 = 500;
/// Most criteria a template may give an evaluation.
pub const MAX_CRITERIA: usize = 20;
/// Most evaluations one year lists.
pub const MAX_PER_YEAR: u64 = 50;

/// What [`open`] needs.
#[derive(Debug, Clone)]
pub struct NewEvaluation {
    pub year: i32,
    pub quarter: i32,
    pub title: String,
    pub template_id: Uuid,
    pub opens_on: Option<NaiveDate>,
    pub closes_on: NaiveDate,
    pub min_responses: i32,
    pub scored_unit_ids: Vec<Uuid>,
    pub respondent_unit_ids: Vec<Uuid>,
    pub outside_links: u32,
}

/// A criterion: a NUMBER item of the template with its range.
#[derive(Debug, Clone, PartialEq)]
pub struct Criterion {
    pub key: String,
    pub label: String,
    pub min: f64,
    pub max: f64,
}

/// The criteria of template `id`: its NUMBER items with a min and a max; `BAD_USER_INPUT` when it
/// has none, has more than [`MAX_CRITERIA`], or asks for anything but numbers and text.
pub async fn criteria_of(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Vec<Criterion>> {
    let template = crate::service::inspection::template(db, id)
        .await
        .map_err(|_| AppError::bad_input("templateId", "no checklist template version has this id"))?;
    criteria_in(&template)
}

/// [`criteria_of`] a template at hand.
pub fn criteria_in(template: &entity::checklist_template::Model) -> AppResult<Vec<Criterion>> {
    let body = crate::service::inspection::body_of(template)?;
    let mut out = Vec::new();
    for item in body.sections.iter().flat_map(|s| &s.items) {
        match (item.item_type, item.min, item.max) {
            (ItemType::Number, Some(min), Some(max)) if min < max => {
                out.push(Criterion { key: item.key.clone(), label: item.label.clone(), min, max });
            }
            (ItemType::Text, _, _) => {}
            _ => {
                return Err(AppError::bad_input(
                    "templateId",
                    format!("item {} is not a scored criterion (a NUMBER with min < max) or text", item.key),
                ));
            }
        }
    }
    if out.is_empty() || out.len() > MAX_CRITERIA {
        return Err(AppError::bad_input("templateId", format!("a questionnaire scores 1 to {MAX_CRITERIA} criteria")));
    }
    Ok(out)
}

fn distinct(field: &str, ids: &[Uuid], min: usize, max: usize) -> AppResult<BTreeSet<Uuid>> {
    let set: BTreeSet<Uuid> = ids.iter().copied().collect();
    if set.len() < min || set.len() > max {
        return Err(AppError::bad_input(field, format!("name {min} to {max} units")));
    }
    Ok(set)
}

/// A one-time link's token, and the hash kept of it.
fn new_token() -> (String, String) {
    let token = format!("ev_{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let hash = token_hash(&token);
    (token, hash)
}

/// The hash kept of a one-time link's token.
pub(super) fn token_hash(token: &str) -> String {
    text::hex(&Sha256::digest(token.as_bytes()))
}

/// Opens the evaluation of a quarter: the departments it scores, the units whose people answer and
/// `outside_links` one-time links for respondents without an account (returned once, never stored).
/// A second open evaluation of the same quarter is `CONFLICT`. ADMIN.
pub async fn open(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewEvaluation,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<(Evaluation, Vec<String>)> {
    actor.require_role(&[Role::Admin], "open evaluations")?;
    let today = day.date;
    if !(2000..=2100).contains(&input.year) || !(1..=4).contains(&input.quarter) {
        return Err(AppError::bad_input("quarter", "a year from 2000 to 2100 and a quarter from 1 to 4"));
    }
    let title = text::required("title", &input.title, 2, 200)?;
    let opens_on = input.opens_on.unwrap_or(today);
    if opens_on < today || input.closes_on < opens_on || (input.closes_on - opens_on).num_days() > 120 {
        return Err(AppError::bad_input("closesOn", "open today or later, for at most 120 days"));
    }
    if !(1..=1000).contains(&input.min_responses) {
        return Err(AppError::bad_input("minResponses", "1 to 1000"));
    }
    if input.outside_links > MAX_LINKS {
        return Err(AppError::bad_input("outsideLinks", format!("at most {MAX_LINKS}")));
    }
    let scored = distinct("scoredUnitIds", &input.scored_unit_ids, 1, MAX_SCORED)?;
    let respondents = distinct("respondentUnitIds", &input.respondent_unit_ids, 0, MAX_RESPONDENT_UNITS)?;
    if respondents.is_empty() && input.outside_links == 0 {
        return Err(AppError::bad_input("respondentUnitIds", "name respondent units, ask for outside links, or both"));
    }
    kit::require_units(db, "scoredUnitIds", &scored).await?;
    kit::require_units(db, "respondentUnitIds", &respondents).await?;
    criteria_of(db, input.template_id).await?;
    let key = format!("{}-Q{}", input.year, input.quarter);
    let model = Evaluation {
        id: Uuid::now_v7(),
        year: input.year,
        quarter: input.quarter,
        title,
        template_id: input.template_id,
        opens_on,
        closes_on: input.closes_on,
        min_responses: input.min_responses,
        open_key: Some(key.clone()),
        closed_at: None,
        opened_by: actor.caller()?.id(),
        created_at: now,
    };
    let txn = crate::db::begin_write(db).await?;
    // Evaluations whose last day passed are closed by the calendar: they hold no quarter open.
    environment_evaluation::Entity::update_many()
        .col_expr(environment_evaluation::Column::OpenKey, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .filter(environment_evaluation::Column::ClosesOn.lt(today))
        .exec(&txn)
        .await?;
    if let Err(e) =
        environment_evaluation::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await
    {
        return Err(match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict(format!("the evaluation of {key} is open; close it first"))
            }
            _ => e.into(),
        });
    }
    let roles = scored
        .iter()
        .map(|u| (*u, EvaluationRole::Scored))
        .chain(respondents.iter().map(|u| (*u, EvaluationRole::Respondent)));
    let rows: Vec<_> = roles
        .map(|(unit_id, role)| evaluation_unit::Model { evaluation_id: model.id, unit_id, role }.into_active_model())
        .collect();
    evaluation_unit::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    let expires = crate::clock::midnight(input.closes_on + Duration::days(1), day.zone);
    let mut tokens = Vec::new();
    let mut links = Vec::new();
    for _ in 0..input.outside_links {
        let (token, token_hash) = new_token();
        tokens.push(token);
        links.push(evaluation_link::ActiveModel {
            id: Set(Uuid::now_v7()),
            evaluation_id: Set(model.id),
            token_hash: Set(token_hash),
            expires_at: Set(expires),
            used_at: Set(None),
        });
    }
    for chunk in links.chunks(100) {
        evaluation_link::Entity::insert_many(chunk.to_vec()).exec_without_returning(&txn).await?;
    }
    let changes = json!({
        "evaluation": { "after": { "id": model.id, "quarter": key, "title": model.title, "closes_on": model.closes_on,
            "scored": scored, "respondents": respondents, "outside_links": input.outside_links } }
    });
    audit::record(
        &txn,
        actor,
        Change { action: "county.open_evaluation", entity_type: "county", entity_id: "county".into(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok((model, tokens))
}

/// Closes an evaluation before its last day; its results stand from then. ADMIN.
pub async fn close(db: &DatabaseConnection, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> AppResult<Evaluation> {
    actor.require_role(&[Role::Admin], "close evaluations")?;
    let txn = crate::db::begin_write(db).await?;
    let before = find(&txn, id).await?;
    if before.closed_at.is_some() {
        return Err(AppError::bad_input("id", "this evaluation is closed already"));
    }
    let mut after = before.clone();
    after.closed_at = Some(now);
    after.open_key = None;
    kit::save_audited(&txn, actor, "county.close_evaluation", "county", "county", &before, &after).await?;
    txn.commit().await?;
    Ok(after)
}

/// One evaluation; `NOT_FOUND` when missing. Every signed-in person may see evaluations.
pub async fn find(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Evaluation> {
    environment_evaluation::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("evaluation"))
}

/// The evaluations of `year`, by quarter then opening, at most [`MAX_PER_YEAR`].
pub async fn evaluations(db: &impl ConnectionTrait, year: i32) -> AppResult<Vec<Evaluation>> {
    Ok(environment_evaluation::Entity::find()
        .filter(environment_evaluation::Column::Year.eq(year))
        .order_by_asc(environment_evaluation::Column::Quarter)
        .order_by_asc(environment_evaluation::Column::CreatedAt)
        .limit(MAX_PER_YEAR)
        .all(db)
        .await?)
}

/// The units of `evaluation` in `role`.
pub async fn units_of(db: &impl ConnectionTrait, evaluation: Uuid, role: EvaluationRole) -> AppResult<Vec<Uuid>> {
    Ok(evaluation_unit::Entity::find()
        .select_only()
        .column(evaluation_unit::Column::UnitId)
        .filter(evaluation_unit::Column::EvaluationId.eq(evaluation))
        .filter(evaluation_unit::Column::Role.eq(role))
        .into_tuple()
        .all(db)
        .await?)
}
