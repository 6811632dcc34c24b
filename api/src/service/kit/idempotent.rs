//! Creates keyed by an id the client chose, so that a phone retrying over a bad connection never
//! stores a thing twice: the same payload again answers the stored row; another payload under that
//! id is `CONFLICT` and changes nothing; two racing creates are settled by the primary key.

use std::collections::HashMap;

use entity::client_payload;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter,
};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// A row created under an id the client chose. The payload it was made from is filed under `KIND`
/// in `client_payloads`, apart from the row, so reading rows never loads it.
pub trait ClientKeyed {
    const KIND: &'static str;
}

/// The stored row when `payload` is the same create again (`stored` is the payload it was made
/// from); `CONFLICT` naming `what` otherwise.
pub fn replay<M>(existing: M, stored: Option<&Value>, payload: &Value, what: &str) -> AppResult<M> {
    if stored == Some(payload) {
        Ok(existing)
    } else {
        Err(AppError::Conflict(format!("{what} with this id is already stored with different content")))
    }
}

/// The payloads the rows `ids` of `M` were created from.
pub async fn payloads_of<M: ClientKeyed>(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Value>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = client_payload::Entity::find()
        .filter(client_payload::Column::Kind.eq(M::KIND))
        .filter(client_payload::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.payload)).collect())
}

/// The row already stored under `id`, as a replay of `payload` (see [`replay`]), if there is one.
pub async fn find_replay<E>(
    db: &impl ConnectionTrait,
    id: Uuid,
    payload: &Value,
    what: &str,
) -> AppResult<Option<E::Model>>
where
    E: EntityTrait,
    E::Model: ClientKeyed,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let Some(existing) = E::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    let stored = payloads_of::<E::Model>(db, &[id]).await?;
    replay(existing, stored.get(&id), payload, what).map(Some)
}

/// What [`insert_or_replay`] did.
pub enum Insert<M> {
    /// The row is inserted; go on in the transaction.
    Inserted(DatabaseTransaction),
    /// The same id raced in from a retry: the transaction is gone and this is the stored row.
    Replayed(M),
}

/// Inserts `model` under `id` in `txn`, and the `payload` it was made from. When another create
/// took the id since the caller looked, the transaction is rolled back and the stored row answered
/// as [`replay`] would.
pub async fn insert_or_replay<E>(
    db: &impl ConnectionTrait,
    txn: DatabaseTransaction,
    id: Uuid,
    model: E::Model,
    payload: &Value,
    what: &str,
) -> AppResult<Insert<E::Model>>
where
    E: EntityTrait,
    E::Model: ClientKeyed + IntoActiveModel<E::ActiveModel>,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    match E::insert(model.into_active_model()).exec_without_returning(&txn).await {
        Ok(_) => {
            let kept = client_payload::Model { kind: E::Model::KIND.to_owned(), id, payload: payload.clone() };
            client_payload::Entity::insert(kept.into_active_model()).exec_without_returning(&txn).await?;
            Ok(Insert::Inserted(txn))
        }
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            match find_replay::<E>(db, id, payload, what).await? {
                Some(existing) => Ok(Insert::Replayed(existing)),
                // Another unique key than the id was taken; the client may simply retry.
                None => Err(AppError::Conflict(format!("{what} collided with another being stored; retry"))),
            }
        }
        Err(e) => Err(e.into()),
    }
}
