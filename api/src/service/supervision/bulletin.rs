//! Supervision bulletins (督导通报): a period's figures compiled, numbered within the year and
//! published; never changed afterwards. Every signed-in caller reads them.

use chrono::{DateTime, Datelike, Utc};
use entity::bulletin::{self, Model as Bulletin};
use entity::user::Role;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest, newest_first, time_id_key};
use crate::service::period::Period;
use crate::service::text;

/// What [`publish`] needs.
#[derive(Debug, Clone)]
pub struct NewBulletin {
    /// Chosen by the client, so a retry does not publish twice.
    pub id: Option<Uuid>,
    pub period: Period,
    pub title: String,
    pub body: Option<String>,
}

/// Compiles and publishes the bulletin of a month that has begun. ADMIN. It is numbered after the
/// year's last one; the same create again answers the stored bulletin.
pub async fn publish(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewBulletin,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Bulletin> {
    actor.require_role(&[Role::Admin], "publish bulletins")?;
    let title = text::required("title", &input.title, 2, 200)?;
    let body = text::optional("body", input.body.as_deref(), 20_000)?;
    if input.period > Period::of(day.date) {
        return Err(AppError::bad_input("period", "a bulletin reports on a month that has begun"));
    }
    let caller = actor.caller()?;
    let payload = json!({
        "period": input.period.key(), "title": title, "body": body, "published_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<bulletin::Entity>(db, id, &payload, "a bulletin").await? {
        return Ok(stored);
    }
    let txn = crate::db::begin_write(db).await?;
    let figures = compile(&txn, input.period, day.date, day.zone).await?;
    let year = day.date.year();
    let last: Option<i32> = bulletin::Entity::find()
        .select_only()
        .column_as(Expr::col(bulletin::Column::Number).max(), "n")
        .filter(bulletin::Column::Year.eq(year))
        .into_tuple()
        .one(&txn)
        .await?
        .flatten();
    let model = Bulletin {
        id,
        year,
        number: last.unwrap_or(0) + 1,
        period: input.period.key(),
        title,
        body,
        figures: serde_json::to_string(&figures).map_err(AppError::internal)?,
        published_by: caller.id(),
        published_at: now,
    };
    let txn =
        match kit::insert_or_replay::<bulletin::Entity>(db, txn, id, model.clone(), &payload, "a bulletin").await? {
            kit::Insert::Inserted(txn) => txn,
            kit::Insert::Replayed(stored) => return Ok(stored),
        };
    let changes = audit::diff(None, Some(&model))?;
    audit::record(
        &txn,
        actor,
        Change { action: "bulletin.publish", entity_type: "bulletin", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// The figures kept with a bulletin.
pub fn figures_of(b: &Bulletin) -> AppResult<BulletinFigures> {
    serde_json::from_str(&b.figures).map_err(|e| AppError::internal(format!("bulletin figures: {e}")))
}

/// One bulletin; any signed-in caller reads published bulletins.
pub async fn find_bulletin(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> AppResult<Bulletin> {
    actor.caller()?;
    bulletin::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("bulletin"))
}

/// Bulletins, latest first.
pub async fn bulletins(db: &impl ConnectionTrait, page: &PageRequest) -> AppResult<Page<Bulletin>> {
    use bulletin::Column as C;
    let rows = newest_first(bulletin::Entity::find(), C::PublishedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_bulletins(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(bulletin::Entity::find().count(db).await?)
}

pub fn bulletin_cursor(b: &Bulletin) -> String {
    time_id_key(b.published_at, b.id)
}
