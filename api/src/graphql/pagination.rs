//! Cursor connections. Every list in the API is one of these: bounded pages, opaque cursors, and a
//! `totalCount` that costs a query only when a client selects it. [`list`] answers a list query the
//! one way every domain does: validate the page, fetch it, prefetch what the selection asks of its
//! items, and defer the count.

use std::future::Future;
use std::sync::Arc;

use async_graphql::{Context, Lookahead, SimpleObject};
use futures_util::future::BoxFuture;

use crate::error::AppResult;
use crate::graphql::context::ContextExt;
use crate::service::page::{Page, PageRequest, encode_cursor};

/// Where a page sits in its list.
#[derive(SimpleObject, Debug, Clone)]
pub struct PageInfo {
    /// Whether another page follows this one.
    pub has_next_page: bool,
    /// Whether this page was asked for with `after`, i.e. items precede it.
    pub has_previous_page: bool,
    /// Cursor of the first item on this page.
    pub start_cursor: Option<String>,
    /// Cursor of the last item on this page; pass it as `after` for the next page.
    pub end_cursor: Option<String>,
}

/// A deferred count of the items matching a list's filter.
#[derive(Clone)]
pub struct TotalCount(Arc<dyn Fn() -> BoxFuture<'static, AppResult<u64>> + Send + Sync>);

impl TotalCount {
    pub fn new<F, Fut>(count: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: Future<Output = AppResult<u64>> + Send + 'static,
    {
        Self(Arc::new(move || Box::pin(count())))
    }

    pub async fn get(&self) -> AppResult<i64> {
        let n = (self.0)().await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// Cursors and nodes for one page: `key` gives each row's sort key, `node` wraps it for GraphQL.
/// A cursor is written only where it can be read: for every edge when the selection (`ctx`, the
/// list's field) shows `edges.cursor`, otherwise only the first and last (`pageInfo`'s); the others
/// stay empty and unseen.
pub fn edges<M, N>(
    ctx: &Context<'_>,
    page: Page<M>,
    request: &PageRequest,
    key: impl Fn(&M) -> String,
    node: impl Fn(M) -> N,
) -> (Vec<(String, N)>, PageInfo) {
    let every = ctx.look_ahead().field("edges").field("cursor").exists();
    let last = page.items.len().saturating_sub(1);
    let cursor = |i: usize, m: &M| if every || i == 0 || i == last { encode_cursor(&key(m)) } else { String::new() };
    let edges: Vec<(String, N)> = page.items.into_iter().enumerate().map(|(i, m)| (cursor(i, &m), node(m))).collect();
    let info = PageInfo {
        has_next_page: page.has_next,
        has_previous_page: request.after.is_some(),
        start_cursor: edges.first().map(|(c, _)| c.clone()),
        end_cursor: edges.last().map(|(c, _)| c.clone()),
    };
    (edges, info)
}

/// Rows that know how to load, for a whole page at once, what a selection asks of them.
pub trait Prefetch: Sized + Send + Sync {
    /// Primes the request's loaders for the fields `node` selects on `rows`.
    fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> impl Future<Output = AppResult<()>> + Send;
}

/// A connection type made by [`connection!`].
pub trait Connection: Sized {
    type Node;
    fn from_edges(edges: (Vec<(String, Self::Node)>, PageInfo), total: TotalCount) -> Self;
}

/// How one list is read: its page, its count, and how its rows become cursors and nodes.
pub struct ListSpec<Fetch, Count, Key, Node> {
    /// Reads one page for a validated request.
    pub fetch: Fetch,
    /// Counts every row the filter matches; run only when `totalCount` is selected.
    pub count: Count,
    /// A row's sort key (its cursor before encoding).
    pub key: Key,
    /// Wraps a row for GraphQL.
    pub node: Node,
}

/// A count to run later, as often as asked, from its own copies of what it needs.
pub fn deferred<A, F, Fut>(args: A, count: F) -> impl Fn() -> Fut + Send + Sync + 'static
where
    A: Clone + Send + Sync + 'static,
    F: Fn(A) -> Fut + Send + Sync + 'static,
{
    move || count(args.clone())
}

/// Answers a list query: validates `first`/`after`, fetches the page, primes the loaders for what
/// `edges.node` selects (so a page costs the same statements whatever its size), and defers the
/// count. The work runs [`on_heap`](crate::graphql::context::on_heap), so the fields beside a nested list stay small.
pub fn list<'a, C, M, Fetch, FetchFut, Count, CountFut, Key, Node>(
    ctx: &'a Context<'_>,
    first: Option<i32>,
    after: Option<String>,
    spec: ListSpec<Fetch, Count, Key, Node>,
) -> futures_util::future::BoxFuture<'a, AppResult<C>>
where
    C: Connection + 'a,
    M: Prefetch + Send + 'a,
    Fetch: FnOnce(PageRequest) -> FetchFut + Send + 'a,
    FetchFut: Future<Output = AppResult<Page<M>>> + Send + 'a,
    Count: Fn() -> CountFut + Send + Sync + 'static,
    CountFut: Future<Output = AppResult<u64>> + Send + 'static,
    Key: Fn(&M) -> String + Send + 'a,
    Node: Fn(M) -> C::Node + Send + 'a,
{
    crate::graphql::context::on_heap(async move {
        let request = ctx.page(first, after)?;
        let rows = (spec.fetch)(request.clone()).await?;
        M::prefetch(ctx, ctx.look_ahead().field("edges").field("node"), &rows.items).await?;
        Ok(C::from_edges(edges(ctx, rows, &request, spec.key, spec.node), TotalCount::new(spec.count)))
    })
}

/// Declares `$conn` and `$edge` for node type `$node`, with the descriptions clients read.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty, $conn_doc:literal, $edge_doc:literal) => {
        #[doc = $edge_doc]
        #[derive(async_graphql::SimpleObject)]
        pub struct $edge {
            /// Opaque position of this item; pass it as `after` to continue after it.
            pub cursor: String,
            /// The item itself.
            pub node: $crate::graphql::lean::Lean<$node>,
        }

        #[doc = $conn_doc]
        #[derive(async_graphql::SimpleObject)]
        #[graphql(complex)]
        pub struct $conn {
            /// The items on this page, in order, each with its cursor.
            pub edges: $crate::graphql::lean::LeanList<$edge>,
            /// Where this page sits in the whole list.
            pub page_info: $crate::graphql::pagination::PageInfo,
            #[graphql(skip)]
            pub total: $crate::graphql::pagination::TotalCount,
        }

        #[async_graphql::ComplexObject]
        impl $conn {
            /// How many items match the filter across all pages (counted only when selected).
            async fn total_count(&self) -> async_graphql::Result<i64> {
                Ok(self.total.get().await?)
            }
        }

        impl $crate::graphql::pagination::Connection for $conn {
            type Node = $node;

            fn from_edges(
                (edges, page_info): (Vec<(String, $node)>, $crate::graphql::pagination::PageInfo),
                total: $crate::graphql::pagination::TotalCount,
            ) -> Self {
                Self {
                    edges: $crate::graphql::lean::LeanList(
                        edges
                            .into_iter()
                            .map(|(cursor, node)| $edge { cursor, node: $crate::graphql::lean::Lean(node) })
                            .collect(),
                    ),
                    page_info,
                    total,
                }
            }
        }
    };
}
pub(crate) use connection;
