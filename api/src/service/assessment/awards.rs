//! Rewards to advanced units and people (奖励先进): granted by the office for a period, never to a
//! unit vetoed that year or to the head (一把手) of one.

use chrono::{DateTime, Utc};
use entity::assessment_award::{self, Model as Award};
use entity::unit;
use entity::user::Role;
use sea_orm::sea_query::{Alias, Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::AssessPeriod;
use super::vetoes::{lock_unit, vetoed_in_year};
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest, newest_first, time_id_key};
use crate::service::text;

/// What [`grant_award`] needs: a unit or a person, not both.
#[derive(Debug, Clone)]
pub struct NewAward {
    pub unit_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub period: AssessPeriod,
    pub amount_fen: i64,
    pub basis: String,
}

/// A year's awards in sum.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AwardTotals {
    pub count: u64,
    pub amount_fen: i64,
}

/// Grants an award. To a unit vetoed in the period's year, or to the head of such a unit, it is
/// `CONFLICT`. ADMIN.
pub async fn grant_award(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewAward,
    now: DateTime<Utc>,
) -> AppResult<Award> {
    actor.require_role(&[Role::Admin], "grant awards")?;
    let basis = text::required("basis", &input.basis, 2, 2000)?;
    if input.amount_fen <= 0 {
        return Err(AppError::bad_input("amount", "an award is above 0"));
    }
    let year = input.period.year;
    let txn = crate::db::begin_write(db).await?;
    let units: Vec<Uuid> = match (input.unit_id, input.user_id) {
        (Some(unit_id), None) => {
            lock_unit(&txn, "unitId", unit_id).await?;
            vec![unit_id]
        }
        (None, Some(user_id)) => {
            entity::user::Entity::find_by_id(user_id)
                .one(&txn)
                .await?
                .ok_or_else(|| AppError::bad_input("userId", "no user has this id"))?;
            let headed: Vec<Uuid> = unit::Entity::find()
                .select_only()
                .column(unit::Column::Id)
                .filter(unit::Column::HeadUserId.eq(user_id))
                .into_tuple()
                .all(&txn)
                .await?;
            for u in &headed {
                lock_unit(&txn, "userId", *u).await?;
            }
            headed
        }
        _ => return Err(AppError::bad_input("unitId", "name a unit or a person, not both")),
    };
    if !vetoed_in_year(&txn, &units, year).await?.is_empty() {
        let whom = if input.unit_id.is_some() { "the unit is" } else { "the person heads a unit" };
        return Err(AppError::Conflict(format!("{whom} vetoed (一票否决) in {year}: no honours or awards that year")));
    }
    let award = Award {
        id: Uuid::now_v7(),
        unit_id: input.unit_id,
        user_id: input.user_id,
        period: input.period.key(),
        year,
        amount_fen: input.amount_fen,
        basis,
        granted_by: actor.caller()?.id(),
        granted_at: now,
    };
    assessment_award::Entity::insert(award.clone().into_active_model()).exec_without_returning(&txn).await?;
    let changes = json!({ "award": { "after": award } });
    audit::record(
        &txn,
        actor,
        Change { action: "county.grant_award", entity_type: "county", entity_id: "county".into(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(award)
}

/// A page of `year`'s awards, newest first.
pub async fn awards(db: &impl ConnectionTrait, year: i32, page: &PageRequest) -> AppResult<Page<Award>> {
    use assessment_award::Column as A;
    let q = assessment_award::Entity::find().filter(A::Year.eq(year));
    let rows = newest_first(q, A::GrantedAt, A::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// The cursor of an award.
pub fn award_cursor(a: &Award) -> String {
    time_id_key(a.granted_at, a.id)
}

/// How many awards `year` has and their sum, in one statement.
pub async fn award_totals(db: &impl ConnectionTrait, year: i32) -> AppResult<AwardTotals> {
    use assessment_award::Column as A;
    let row: Option<(i64, Option<i64>)> = assessment_award::Entity::find()
        .select_only()
        .column_as(Expr::col(A::Id).count(), "count")
        .column_as(Expr::expr(Func::sum(Expr::col(A::AmountFen))).cast_as(Alias::new("BIGINT")), "sum")
        .filter(A::Year.eq(year))
        .into_tuple()
        .one(db)
        .await?;
    let (count, sum) = row.unwrap_or_default();
    Ok(AwardTotals { count: u64::try_from(count).unwrap_or(0), amount_fen: sum.unwrap_or(0) })
}
