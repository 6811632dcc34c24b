//! The DataLoader machinery: loaders by id, the per-request registry, and the macros domains use to
//! declare their own loaders in `graphql/<domain>/loaders.rs`.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::db::among;
use crate::error::{AppError, AppResult};

/// An entity whose primary key is a UUID column.
pub trait KeyedById: EntityTrait<Model: Clone + Send + Sync + 'static> {
    const ID: Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
}

/// Entities whose `id` column is their UUID primary key.
macro_rules! keyed_by_id {
    ($($module:ident),* $(,)?) => {
        $(impl KeyedById for entity::$module::Entity {
            const ID: Self::Column = entity::$module::Column::Id;
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        })*
    };
}

keyed_by_id!(
    unit,
    project,
    issue,
    case,
    checklist_template,
    photo,
    inspection,
    user,
    monthly_report,
    funding_campaign,
    funding_item,
    assessment_scheme
);

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
        let rows =
            E::find().filter(among(E::ID, keys.iter().copied(), self.db.get_database_backend())).all(&self.db).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// A request's loader: batches and remembers what it loaded, so lists can prime it in advance.
pub type Cached<T> = DataLoader<T, HashMapCache>;

/// A loader a request can make for itself from the pool. Domains declare their loaders in their own
/// `graphql/<domain>/loaders.rs`; nothing here lists them.
pub trait Slot: Sized + Send + Sync + 'static {
    fn make(db: DatabaseConnection) -> Self;
}

impl<E: KeyedById> Slot for ById<E> {
    fn make(db: DatabaseConnection) -> Self {
        Self::new(db)
    }
}

/// Every loader of one request, each made the first time a resolver asks for it, so a request that
/// needs none (most mutations, `{ me { id } }`) pays for none.
pub struct Loaders {
    db: DatabaseConnection,
    /// How long a loader gathers keys before it loads them.
    delay: std::time::Duration,
    made: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl Loaders {
    pub fn new(db: DatabaseConnection, delay: std::time::Duration) -> Self {
        Self { db, delay, made: Mutex::new(HashMap::new()) }
    }

    /// Forgets every loader and what it loaded: a subscription reads each batch of events afresh.
    pub fn clear(&self) {
        self.made.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    /// The request's loader of type `T`.
    pub fn get<T: Slot>(&self) -> AppResult<Arc<Cached<T>>> {
        let any = {
            let mut made = self.made.lock().unwrap_or_else(PoisonError::into_inner);
            Arc::clone(made.entry(TypeId::of::<T>()).or_insert_with(|| {
                Arc::new(
                    DataLoader::with_cache(T::make(self.db.clone()), crate::db::spawn_counted, HashMapCache::default())
                        .delay(self.delay),
                )
            }))
        };
        any.downcast::<Cached<T>>().map_err(|_| AppError::internal("loader registry holds another type"))
    }
}

/// Gives one request its (lazily made) loaders. Loaders cache, so they never outlive a request.
pub fn register(
    request: async_graphql::Request,
    db: &DatabaseConnection,
    delay: std::time::Duration,
) -> async_graphql::Request {
    request.data(Loaders::new(db.clone(), delay))
}

/// Declares loaders that hold just the pool: `pub struct X(pub DatabaseConnection)`, made on demand.
macro_rules! pool_loader {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub struct $name(pub sea_orm::DatabaseConnection);

        impl $crate::graphql::loaders::Slot for $name {
            fn make(db: sea_orm::DatabaseConnection) -> Self {
                Self(db)
            }
        }
    };
}
pub(crate) use pool_loader;

/// A loader keyed by a row id whose batch is computed by one service call.
macro_rules! keyed_loader {
    ($(#[$doc:meta])* $name:ident, $value:ty, |$db:ident, $keys:ident| $body:expr) => {
        $crate::graphql::loaders::pool_loader!($(#[$doc])* $name);

        impl async_graphql::dataloader::Loader<uuid::Uuid> for $name {
            type Value = $value;
            type Error = $crate::error::AppError;

            async fn load(
                &self,
                $keys: &[uuid::Uuid],
            ) -> Result<std::collections::HashMap<uuid::Uuid, Self::Value>, Self::Error> {
                let $db = &self.0;
                $body
            }
        }
    };
}

/// A loader keyed by (id, parameter) whose batch is one service call per distinct parameter, e.g.
/// the newest N entries of each id.
macro_rules! param_loader {
    ($(#[$doc:meta])* $name:ident, $param:ty, $value:ty, |$db:ident, $ids:ident, $p:ident| $body:expr) => {
        $crate::graphql::loaders::pool_loader!($(#[$doc])* $name);

        impl async_graphql::dataloader::Loader<(uuid::Uuid, $param)> for $name {
            type Value = $value;
            type Error = $crate::error::AppError;

            async fn load(
                &self,
                keys: &[(uuid::Uuid, $param)],
            ) -> Result<std::collections::HashMap<(uuid::Uuid, $param), Self::Value>, Self::Error> {
                let mut by_param: std::collections::HashMap<$param, Vec<uuid::Uuid>> =
                    std::collections::HashMap::new();
                for (id, p) in keys {
                    by_param.entry(*p).or_default().push(*id);
                }
                let mut out = std::collections::HashMap::new();
                for ($p, $ids) in by_param {
                    let $db = &self.0;
                    let mut found = {
                        let $ids = &$ids[..];
                        $body?
                    };
                    for id in $ids {
                        out.insert((id, $p), found.remove(&id).unwrap_or_default());
                    }
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use {keyed_loader, param_loader};
