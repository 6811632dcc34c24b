//! Lists under each item of a list: a project's issues, a unit's projects. They are connections like
//! the root lists (same filters, same visibility, same cursors), and a page of parents costs the same
//! statements as one parent: the parent list's prefetch reads the nested field's arguments, loads one
//! page per parent in one window query ([`crate::service::page::per_parent`]) and primes what those
//! rows select in turn. Reached without a parent list (`project(id)`), the field loads through its
//! loader and prefetches its own rows.
//!
//! A domain declares such a list by implementing [`Children`], answers the field with [`children`],
//! and primes it from the parent's prefetch with [`prime_children`].

use std::collections::HashMap;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, InputType, Lookahead, Name, SelectionField, Value};
use futures_util::future::BoxFuture;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::context::{ContextExt, on_heap};
use crate::graphql::loaders::Slot;
use crate::graphql::pagination::{Connection, Prefetch, TotalCount, edges};
use crate::service::page::{Page, PageRequest};

/// A list shown under each parent of some type.
pub trait Children: Send + Sync + Sized + 'static {
    /// The list's arguments besides `first` and `after`, as its resolver receives them.
    type Args: Send;
    /// What the rows depend on besides the parent and the page, as the service reads it: the filter,
    /// the caller's scope, the county's day. The same for every parent of one request.
    type Query: Clone + Send + Sync + 'static;
    /// One row of the list.
    type Row: Prefetch + Clone + Send + Sync + 'static;

    /// Reads [`Self::Args`] from a selected field's arguments (for priming from the parent list).
    fn args(arguments: &Arguments) -> AppResult<Self::Args>;

    /// The query `args` ask for, as the caller may see it.
    fn query(ctx: &Context<'_>, args: Self::Args) -> AppResult<Self::Query>;

    /// One page of rows under each of `parents`, in a fixed number of statements.
    fn pages(
        db: &DatabaseConnection,
        query: &Self::Query,
        parents: &[Uuid],
        page: &PageRequest,
    ) -> impl Future<Output = AppResult<HashMap<Uuid, Page<Self::Row>>>> + Send;

    /// How many rows match under each of `parents`, in a fixed number of statements.
    fn counts(
        db: &DatabaseConnection,
        query: &Self::Query,
        parents: &[Uuid],
    ) -> impl Future<Output = AppResult<HashMap<Uuid, u64>>> + Send;

    /// A row's sort key in the order `query` asks for (its cursor before encoding).
    fn cursor(query: &Self::Query, row: &Self::Row) -> String;
}

/// A selected field's arguments, variables resolved.
pub struct Arguments(Vec<(Name, Value)>);

impl Arguments {
    pub fn of(field: &SelectionField<'_>) -> AppResult<Self> {
        field.arguments().map(Self).map_err(|e| AppError::bad_input("arguments", e.message))
    }

    /// The argument `name` read as `T`; `None` when it is absent or null.
    pub fn get<T: InputType>(&self, name: &str) -> AppResult<Option<T>> {
        let Some((_, value)) = self.0.iter().find(|(n, _)| n.as_str() == name) else {
            return Ok(None);
        };
        <Option<T> as InputType>::parse(Some(value.clone()))
            .map_err(|e| AppError::bad_input(name.to_owned(), e.into_server_error(Default::default()).message))
    }

    /// The page `first` and `after` ask for.
    fn page(&self, ctx: &Context<'_>) -> AppResult<PageRequest> {
        ctx.page(self.get("first")?, self.get("after")?)
    }

    /// The arguments as written, in order: equal for the resolver and the prefetch of one field.
    fn text(&self) -> String {
        self.0.iter().map(|(name, value)| format!("{name}:{value}")).collect::<Vec<_>>().join(",")
    }
}

/// One use of a nested list in a request: its arguments (compared by their text), what they mean.
pub struct Spec<Q> {
    text: String,
    query: Q,
    page: PageRequest,
}

impl<Q> PartialEq for Spec<Q> {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl<Q> Eq for Spec<Q> {}

impl<Q> Hash for Spec<Q> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.text.hash(state);
    }
}

/// A parent and the nested list asked of it.
type Key<Q> = (Uuid, Arc<Spec<Q>>);

/// The page one parent shows; `primed` when the parent list's prefetch loaded it (and what its rows
/// select).
#[derive(Clone)]
pub struct Fetched<R> {
    page: Option<Page<R>>,
    primed: bool,
}

/// Keys grouped by their spec, for one service call per distinct spec.
fn by_spec<Q>(keys: &[Key<Q>]) -> Vec<(Arc<Spec<Q>>, Vec<Uuid>)> {
    let mut groups: Vec<(Arc<Spec<Q>>, Vec<Uuid>)> = Vec::new();
    for (parent, spec) in keys {
        match groups.iter_mut().find(|(s, _)| s == spec) {
            Some((_, parents)) => parents.push(*parent),
            None => groups.push((Arc::clone(spec), vec![*parent])),
        }
    }
    groups
}

/// Pages of `C` under their parents.
pub struct ChildPages<C>(DatabaseConnection, PhantomData<fn() -> C>);

impl<C: Children> Slot for ChildPages<C> {
    fn make(db: DatabaseConnection) -> Self {
        Self(db, PhantomData)
    }
}

impl<C: Children> Loader<Key<C::Query>> for ChildPages<C> {
    type Value = Fetched<C::Row>;
    type Error = AppError;

    async fn load(&self, keys: &[Key<C::Query>]) -> AppResult<HashMap<Key<C::Query>, Self::Value>> {
        let mut out = HashMap::new();
        for (spec, parents) in by_spec(keys) {
            let mut pages = C::pages(&self.0, &spec.query, &parents, &spec.page).await?;
            for parent in parents {
                let fetched = Fetched { page: pages.remove(&parent), primed: false };
                out.insert((parent, Arc::clone(&spec)), fetched);
            }
        }
        Ok(out)
    }
}

/// Counts of `C` under their parents.
pub struct ChildCounts<C>(DatabaseConnection, PhantomData<fn() -> C>);

impl<C: Children> Slot for ChildCounts<C> {
    fn make(db: DatabaseConnection) -> Self {
        Self(db, PhantomData)
    }
}

impl<C: Children> Loader<Key<C::Query>> for ChildCounts<C> {
    type Value = u64;
    type Error = AppError;

    async fn load(&self, keys: &[Key<C::Query>]) -> AppResult<HashMap<Key<C::Query>, u64>> {
        let mut out = HashMap::new();
        for (spec, parents) in by_spec(keys) {
            let counts = C::counts(&self.0, &spec.query, &parents).await?;
            for parent in parents {
                out.insert((parent, Arc::clone(&spec)), counts.get(&parent).copied().unwrap_or(0));
            }
        }
        Ok(out)
    }
}

/// Answers a nested list field of `parent`: its page (primed by the parent list, or loaded now),
/// its rows' relations, and a deferred count batched across the parents.
/// The work (loaders, prefetch, counts) runs [`on_heap`], so the fields beside the list stay small.
pub fn children<'a, C, Conn>(
    ctx: &'a Context<'_>,
    parent: Uuid,
    args: C::Args,
    first: Option<i32>,
    after: Option<String>,
    node: impl Fn(C::Row) -> Conn::Node + Send + 'a,
) -> BoxFuture<'a, AppResult<Conn>>
where
    C: Children,
    Conn: Connection + 'a,
{
    on_heap(async move {
        let page = ctx.page(first, after)?;
        let spec = Spec { text: Arguments::of(&ctx.field())?.text(), query: C::query(ctx, args)?, page: page.clone() };
        let key = (parent, Arc::new(spec));
        let fetched = ctx.cached::<ChildPages<C>>()?.load_one(key.clone()).await?;
        let (rows, primed) = fetched.map_or_else(Default::default, |f| (f.page.unwrap_or_default(), f.primed));
        if !primed {
            C::Row::prefetch(ctx, ctx.look_ahead().field("edges").field("node"), &rows.items).await?;
        }
        let spec = Arc::clone(&key.1);
        let counts = ctx.cached::<ChildCounts<C>>()?;
        let total = TotalCount::new(move || {
            let (counts, key) = (Arc::clone(&counts), key.clone());
            async move { Ok(counts.load_one(key).await?.unwrap_or(0)) }
        });
        Ok(Conn::from_edges(edges(ctx, rows, &page, |row| C::cursor(&spec.query, row), node), total))
    })
}

/// Loads the nested list `field` (e.g. `node.field("issues")` of a page of projects) for all of
/// `parents` at once, primes what its rows select, and its counts when `totalCount` is selected.
/// A selection with bad arguments is left to its resolver, which reports them where they were given.
pub async fn prime_children<C: Children>(ctx: &Context<'_>, field: Lookahead<'_>, parents: &[Uuid]) -> AppResult<()> {
    if parents.is_empty() {
        return Ok(());
    }
    let db = ctx.state()?.db.clone();
    for selected in field.selection_fields() {
        let Ok(arguments) = Arguments::of(&selected) else { continue };
        let Ok((query, page)) = C::args(&arguments)
            .and_then(|args| C::query(ctx, args))
            .and_then(|query| Ok((query, arguments.page(ctx)?)))
        else {
            continue;
        };
        let mut pages = match C::pages(&db, &query, parents, &page).await {
            Err(AppError::BadUserInput { .. }) => continue,
            found => found?,
        };
        let selected = Lookahead::from(selected);
        let rows: Vec<C::Row> = pages.values().flat_map(|p| p.items.iter().cloned()).collect();
        // Boxed: the rows' prefetch may reach a list of this parent's kind again (a project's issues
        // select their project), and a future cannot contain itself.
        let nested: BoxFuture<'_, AppResult<()>> =
            Box::pin(C::Row::prefetch(ctx, selected.field("edges").field("node"), &rows));
        nested.await?;
        let spec = Arc::new(Spec { text: arguments.text(), query, page });
        let fed: Vec<_> = parents
            .iter()
            .map(|p| ((*p, Arc::clone(&spec)), Fetched { page: pages.remove(p), primed: true }))
            .collect();
        ctx.cached::<ChildPages<C>>()?.feed_many(fed).await;
        if selected.field("totalCount").exists() {
            let counts = C::counts(&db, &spec.query, parents).await?;
            let fed: Vec<_> =
                parents.iter().map(|p| ((*p, Arc::clone(&spec)), counts.get(p).copied().unwrap_or(0))).collect();
            ctx.cached::<ChildCounts<C>>()?.feed_many(fed).await;
        }
    }
    Ok(())
}

/// The query of a list whose rows the caller's unit limits: what the filter asks, the caller's
/// scope (see [`crate::service::kit::department_scope`]) and the county's day.
#[derive(Clone)]
pub struct Seen<F> {
    pub filter: F,
    pub scope: Option<crate::service::kit::Units>,
    pub today: chrono::NaiveDate,
}

impl<F> Seen<F> {
    /// `filter` as the signed-in caller sees it today.
    pub fn by_caller(ctx: &Context<'_>, filter: F) -> AppResult<Self> {
        let scope = crate::service::kit::department_scope(ctx.caller()?);
        Ok(Self { filter, scope, today: ctx.state()?.config.clock.today() })
    }
}

/// Declares a [`Children`] list whose only argument besides the page is `filter` (the GraphQL input
/// `$input`, read by the service as `$filter`) and whose query is [`Seen`].
macro_rules! filtered_children {
    (
        $(#[$doc:meta])* $name:ident, $input:ty => $filter:ty, $row:ty,
        pages: |$db:ident, $q:ident, $parents:ident, $page:ident| $pages:expr,
        counts: |$cdb:ident, $cq:ident, $cparents:ident| $counts:expr,
        cursor: $cursor:path $(,)?
    ) => {
        $(#[$doc])*
        pub struct $name;

        impl $crate::graphql::children::Children for $name {
            type Args = Option<$input>;
            type Query = $crate::graphql::children::Seen<$filter>;
            type Row = $row;

            fn args(arguments: &$crate::graphql::children::Arguments) -> $crate::error::AppResult<Self::Args> {
                arguments.get("filter")
            }

            fn query(ctx: &async_graphql::Context<'_>, args: Self::Args) -> $crate::error::AppResult<Self::Query> {
                $crate::graphql::children::Seen::by_caller(ctx, <$filter>::from(args.unwrap_or_default()))
            }

            async fn pages(
                $db: &sea_orm::DatabaseConnection,
                $q: &Self::Query,
                $parents: &[uuid::Uuid],
                $page: &$crate::service::page::PageRequest,
            ) -> $crate::error::AppResult<
                std::collections::HashMap<uuid::Uuid, $crate::service::page::Page<Self::Row>>,
            > {
                $pages.await
            }

            async fn counts(
                $cdb: &sea_orm::DatabaseConnection,
                $cq: &Self::Query,
                $cparents: &[uuid::Uuid],
            ) -> $crate::error::AppResult<std::collections::HashMap<uuid::Uuid, u64>> {
                $counts.await
            }

            fn cursor(_: &Self::Query, row: &Self::Row) -> String {
                $cursor(row)
            }
        }
    };
}
pub(crate) use filtered_children;
