//! Creates keyed by an id the client chose, so that a phone retrying over a bad connection never
//! stores a thing twice: the same payload again answers the stored row; another payload under that
//! id is `CONFLICT` and changes nothing; two racing creates are settled by the primary key.

use sea_orm::{ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, PrimaryKeyTrait};
use serde_json::Value;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// A row that keeps the payload it was created from.
pub trait ClientKeyed {
    fn create_payload(&self) -> &Value;
}

/// The stored row when `payload` is the same create again; `CONFLICT` naming `what` otherwise.
pub fn replay<M: ClientKeyed>(existing: M, payload: &Value, what: &str) -> AppResult<M> {
    if existing.create_payload() == payload {
        Ok(existing)
    } else {
        Err(AppError::Conflict(format!("{what} with this id is already stored with different content")))
    }
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
    E::find_by_id(id).one(db).await?.map(|existing| replay(existing, payload, what)).transpose()
}

/// What [`insert_or_replay`] did.
pub enum Insert<M> {
    /// The row is inserted; go on in the transaction.
    Inserted(DatabaseTransaction),
    /// The same id raced in from a retry: the transaction is gone and this is the stored row.
    Replayed(M),
}

/// Inserts `model` under `id` in `txn`. When another create took the id since the caller looked,
/// the transaction is rolled back and the stored row answered as [`replay`] would.
pub async fn insert_or_replay<E>(
    db: &impl ConnectionTrait,
    txn: DatabaseTransaction,
    id: Uuid,
    model: E::Model,
    what: &str,
) -> AppResult<Insert<E::Model>>
where
    E: EntityTrait,
    E::Model: ClientKeyed + IntoActiveModel<E::ActiveModel>,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let payload = model.create_payload().clone();
    match E::insert(model.into_active_model()).exec_without_returning(&txn).await {
        Ok(_) => Ok(Insert::Inserted(txn)),
        Err(e) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
            drop(txn);
            match find_replay::<E>(db, id, &payload, what).await? {
                Some(existing) => Ok(Insert::Replayed(existing)),
                // Another unique key than the id was taken; the client may simply retry.
                None => Err(AppError::Conflict(format!("{what} collided with another being stored; retry"))),
            }
        }
        Err(e) => Err(e.into()),
    }
}
