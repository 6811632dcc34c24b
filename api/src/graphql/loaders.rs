//! DataLoaders for every relation that can repeat across a list, registered in one place that the
//! server and the tests share.

use std::collections::HashMap;
use std::marker::PhantomData;

use async_graphql::dataloader::{DataLoader, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;

/// An entity whose primary key is a UUID column.
pub trait KeyedById: EntityTrait<Model: Clone + Send + Sync + 'static> {
    const ID: Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
}

impl KeyedById for entity::unit::Entity {
    const ID: Self::Column = entity::unit::Column::Id;
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
}

impl KeyedById for entity::user::Entity {
    const ID: Self::Column = entity::user::Column::Id;
    fn id_of(model: &Self::Model) -> Uuid {
        model.id
    }
}

/// Loads rows of `E` by id, one `IN (...)` query per batch.
pub struct ById<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> ById<E> {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, entity: PhantomData }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: KeyedById,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = E::find().filter(E::ID.is_in(keys.iter().copied())).all(&self.db).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// Adds a fresh set of loaders to one request. Loaders cache, so they never outlive a request.
pub fn register(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request
        .data(DataLoader::new(ById::<entity::unit::Entity>::new(db.clone()), tokio::spawn))
        .data(DataLoader::new(ById::<entity::user::Entity>::new(db.clone()), tokio::spawn))
}
