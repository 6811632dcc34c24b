//! What resolvers read from the context: shared state, the caller, the page they were asked for.

use std::sync::Arc;

use async_graphql::Context;

use super::loaders::{ById, Cached, KeyedById, Loaders, Slot};
use crate::auth::{Caller, TokenRejected};
use crate::error::{AppError, AppResult};
use crate::request::RequestId;
use crate::service::Actor;
use crate::service::page::PageRequest;
use crate::state::AppState;

pub trait ContextExt {
    fn state(&self) -> AppResult<&AppState>;
    /// The signed-in caller, or `UNAUTHENTICATED`.
    fn caller(&self) -> AppResult<&Caller>;
    /// The caller as the author of a change.
    fn actor(&self) -> AppResult<Actor>;
    /// Validates `first` / `after` against the configured page size.
    fn page(&self, first: Option<i32>, after: Option<String>) -> AppResult<PageRequest>;
    fn loader<E: KeyedById>(&self) -> AppResult<Arc<Cached<ById<E>>>>
    where
        ById<E>: Slot;
    /// Any registered loader.
    fn cached<T: Slot>(&self) -> AppResult<Arc<Cached<T>>>;
}

impl ContextExt for Context<'_> {
    fn state(&self) -> AppResult<&AppState> {
        self.data::<AppState>().map_err(|_| AppError::internal("schema built without state"))
    }

    fn caller(&self) -> AppResult<&Caller> {
        match (self.data_opt::<Caller>(), self.data_opt::<TokenRejected>()) {
            (Some(caller), _) => Ok(caller),
            (None, Some(_)) => Err(AppError::Unauthenticated(crate::auth::BAD_TOKEN_MESSAGE)),
            (None, None) => Err(AppError::Unauthenticated("sign in first")),
        }
    }

    fn actor(&self) -> AppResult<Actor> {
        Ok(Actor::User {
            caller: self.caller()?.clone(),
            request_id: self.data_opt::<RequestId>().map(|r| r.0.clone()),
        })
    }

    fn page(&self, first: Option<i32>, after: Option<String>) -> AppResult<PageRequest> {
        PageRequest::new(first, after.as_deref(), self.state()?.config.limits.max_page_size)
    }

    fn loader<E: KeyedById>(&self) -> AppResult<Arc<Cached<ById<E>>>>
    where
        ById<E>: Slot,
    {
        self.cached::<ById<E>>()
    }

    fn cached<T: Slot>(&self) -> AppResult<Arc<Cached<T>>> {
        self.data::<Loaders>().map_err(|_| AppError::internal("loaders not registered"))?.get::<T>()
    }
}

/// Loads one row by id through the request's DataLoader, so a list of N items costs one query.
pub async fn load<E: KeyedById>(ctx: &Context<'_>, id: uuid::Uuid, what: &'static str) -> AppResult<E::Model>
where
    ById<E>: Slot,
{
    ctx.loader::<E>()?.load_one(id).await?.ok_or(AppError::NotFound(what))
}

/// [`load`] for an optional reference: `None` stays `None`.
pub async fn load_opt<E: KeyedById>(
    ctx: &Context<'_>,
    id: Option<uuid::Uuid>,
    what: &'static str,
) -> AppResult<Option<E::Model>>
where
    ById<E>: Slot,
{
    match id {
        Some(id) => load::<E>(ctx, id, what).await.map(Some),
        None => Ok(None),
    }
}

/// `work` as a future on the heap of its own. All the fields of a GraphQL type resolve through one
/// generated future as large as its largest field's, and async-graphql moves that future to the heap
/// for every field it resolves; a field whose work is large (several loaders, a page and its
/// prefetch) answers through this, so that a project's `name` in a page of fifty does not allocate
/// and copy kilobytes because `issues` might have been asked. Its own cost is one allocation when the
/// field is asked.
pub fn on_heap<'a, T>(work: impl Future<Output = T> + Send + 'a) -> futures_util::future::BoxFuture<'a, T> {
    Box::pin(work)
}
