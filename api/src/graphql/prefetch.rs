//! Priming a request's loaders for a whole page before its items resolve. Left to the loaders' own
//! timing a big page can split into two batches when resolving it takes longer than the batch window;
//! primed this way the statements a page costs are fixed, whatever its size or the machine's load.
//! Each domain's `prefetch.rs` reads the selection (a `Lookahead`) and calls these.

use std::collections::{BTreeSet, HashMap};
use std::hash::Hash;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Lookahead};
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{ById, KeyedById, Slot};
use crate::graphql::pagination::Prefetch;

/// Loads `keys` with `fetch` and puts the results in the request's loader of the same type; with
/// `fill`, keys without a row get the empty value, so asking for them costs nothing either. Returns
/// what it loaded, for the caller to prime what those rows point to in turn.
pub async fn prime<K, L>(ctx: &Context<'_>, keys: Vec<K>, fetch: L, fill: bool) -> AppResult<HashMap<K, L::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = AppError> + Slot,
    L::Value: Default,
{
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let mut found: HashMap<K, L::Value> = fetch.load(&keys).await?;
    if fill {
        for k in keys {
            found.entry(k).or_default();
        }
    }
    ctx.cached::<L>()?.feed_many(found.clone()).await;
    Ok(found)
}

/// Like [`prime`] for loaders whose values have no empty form.
pub async fn prime_found<K, L>(ctx: &Context<'_>, keys: Vec<K>, fetch: L) -> AppResult<HashMap<K, L::Value>>
where
    K: Send + Sync + Hash + Eq + Clone + 'static,
    L: Loader<K, Error = AppError> + Slot,
{
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let found = fetch.load(&keys).await?;
    ctx.cached::<L>()?.feed_many(found.clone()).await;
    Ok(found)
}

/// Loads rows of `E` by id into the request's loader and returns them.
pub async fn prime_rows<E: KeyedById>(ctx: &Context<'_>, ids: impl Iterator<Item = Uuid>) -> AppResult<Vec<E::Model>>
where
    ById<E>: Slot,
{
    let keys: Vec<Uuid> = ids.collect::<BTreeSet<_>>().into_iter().collect();
    let found = prime_found(ctx, keys, ById::<E>::new(ctx.state()?.db.clone())).await?;
    Ok(found.into_values().collect())
}

/// Loads rows of `E` by id into the request's loader.
pub async fn prime_by_id<E: KeyedById>(ctx: &Context<'_>, ids: impl Iterator<Item = Uuid>) -> AppResult<()>
where
    ById<E>: Slot,
{
    prime_rows::<E>(ctx, ids).await.map(drop)
}

/// A relation to one row of `E` selected as `field`: loads the rows by id and, in turn, what the
/// selection asks of them.
pub async fn prime_related<E: KeyedById>(
    ctx: &Context<'_>,
    field: Lookahead<'_>,
    ids: impl Iterator<Item = Uuid>,
) -> AppResult<()>
where
    ById<E>: Slot,
    E::Model: Prefetch,
{
    if !field.exists() {
        return Ok(());
    }
    let rows = prime_rows::<E>(ctx, ids).await?;
    E::Model::prefetch(ctx, field, &rows).await
}

/// The ids a set of fields names, for one `prime_by_id` per table.
#[derive(Default)]
pub struct Wanted(BTreeSet<Uuid>);

impl Wanted {
    /// Adds `ids` when `field` is selected.
    pub fn when(&mut self, field: Lookahead<'_>, ids: impl IntoIterator<Item = Uuid>) {
        if field.exists() {
            self.0.extend(ids);
        }
    }

    pub fn extend(&mut self, ids: impl IntoIterator<Item = Uuid>) {
        self.0.extend(ids);
    }

    /// Loads them all into the request's loader of `E`.
    pub async fn prime<E: KeyedById>(self, ctx: &Context<'_>) -> AppResult<()>
    where
        ById<E>: Slot,
    {
        prime_by_id::<E>(ctx, self.0.into_iter()).await
    }
}

/// The value of an integer argument of a selected field, when the query gives it literally.
pub fn int_argument(field: &async_graphql::SelectionField<'_>, name: &str) -> Option<i64> {
    let args = field.arguments().ok()?;
    let (_, value) = args.into_iter().find(|(n, _)| n.as_str() == name)?;
    match value {
        async_graphql::Value::Number(n) => n.as_i64(),
        _ => None,
    }
}
