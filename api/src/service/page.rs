//! Keyset pagination shared by every list: a bounded page size and an opaque "after" key.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select,
};
use uuid::Uuid;

use crate::db::among;
use crate::error::{AppError, AppResult};

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// A validated page request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub limit: u64,
    /// The sort key of the last item the client has, decoded from its cursor.
    pub after: Option<String>,
}

impl PageRequest {
    /// Validates `first` against `max` and decodes `after`.
    pub fn new(first: Option<i32>, after: Option<&str>, max: u64) -> AppResult<Self> {
        let limit = match first {
            None => DEFAULT_PAGE_SIZE.min(max),
            Some(n) if n >= 0 && (n as u64) <= max => n as u64,
            Some(_) => {
                return Err(AppError::bad_input("first", format!("first must be between 0 and {max}")));
            }
        };
        let after = after.map(decode_cursor).transpose()?;
        Ok(Self { limit, after })
    }

    /// Rows to fetch: one more than the page, to learn whether another page follows.
    pub fn fetch(&self) -> u64 {
        self.limit + 1
    }
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self { items: Vec::new(), has_next: false }
    }
}

impl<T> Page<T> {
    /// Trims the extra row fetched by [`PageRequest::fetch`].
    pub fn from_fetched(mut rows: Vec<T>, request: &PageRequest) -> Self {
        let has_next = rows.len() as u64 > request.limit;
        rows.truncate(request.limit as usize);
        Self { items: rows, has_next }
    }
}

/// Starts `q` after the request's cursor in a newest-first (`at`, `id`) order.
pub fn after_newest<E: EntityTrait>(
    q: Select<E>,
    at: E::Column,
    id: E::Column,
    page: &PageRequest,
) -> AppResult<Select<E>> {
    let Some(after) = &page.after else {
        return Ok(q);
    };
    let bad = || AppError::bad_input("after", "not a cursor of this list");
    let (t, i) = after.split_once('|').ok_or_else(bad)?;
    let t: DateTime<Utc> = t.parse().map_err(|_| bad())?;
    let i: Uuid = i.parse().map_err(|_| bad())?;
    Ok(q.filter(Condition::any().add(at.lt(t)).add(Condition::all().add(at.eq(t)).add(id.lt(i)))))
}

/// Orders `q` newest first by (`at`, `id`), starts it after the request's cursor and bounds it to
/// the page: the keyset every time-ordered list shares.
pub fn newest_first<E: EntityTrait>(
    q: Select<E>,
    at: E::Column,
    id: E::Column,
    page: &PageRequest,
) -> AppResult<Select<E>> {
    Ok(after_newest(q, at, id, page)?.order_by_desc(at).order_by_desc(id).limit(page.fetch()))
}

/// How rows hang under their parents for [`per_parent`]: the column naming the parent, the order
/// within one parent, and how to read the parent back from a row.
pub struct Under<E: EntityTrait> {
    pub parent: E::Column,
    pub order: Vec<(E::Column, Order)>,
    pub parent_of: fn(&E::Model) -> Uuid,
}

impl<E: EntityTrait> Under<E> {
    /// Rows of each `parent`, newest first by (`at`, `id`).
    pub fn newest(parent: E::Column, at: E::Column, id: E::Column, parent_of: fn(&E::Model) -> Uuid) -> Self {
        Self { parent, order: vec![(at, Order::Desc), (id, Order::Desc)], parent_of }
    }
}

/// One page of `q`'s rows under each of `parents`, in one statement whatever the number of parents
/// or the page size: the rows are numbered within their parent in `under.order` and the first
/// `page.fetch()` of each are kept. `q` carries the filters and the cursor condition.
pub async fn per_parent<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    under: &Under<E>,
    parents: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<E::Model>>> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let mut window = WindowStatement::partition_by(under.parent);
    for (column, order) in &under.order {
        window.order_by(*column, order.clone());
    }
    let mut inner = q.filter(among(under.parent, parents.iter().copied(), db.get_database_backend())).into_query();
    inner.expr_window_as(Func::cust(Alias::new("ROW_NUMBER")), window, Alias::new("rank_in_parent"));
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rank_in_parent")).lte(page.fetch()))
        .order_by(Alias::new("rank_in_parent"), Order::Asc)
        .to_owned();
    let rows = E::find().from_raw_sql(db.get_database_backend().build(&outer)).all(db).await?;
    let mut grouped = super::grouped(rows.into_iter().map(|row| ((under.parent_of)(&row), row)));
    Ok(parents
        .iter()
        .map(|parent| (*parent, Page::from_fetched(grouped.remove(parent).unwrap_or_default(), page)))
        .collect())
}

/// How many of `q`'s rows hang under each of `parents` (in `parent`), in one statement.
pub async fn count_per_parent<E: EntityTrait>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let counts: Vec<(Uuid, i64)> = q
        .filter(among(parent, parents.iter().copied(), db.get_database_backend()))
        .select_only()
        .column(parent)
        .column_as(Expr::col(Asterisk).count(), "n")
        .group_by(parent)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}

/// The cursor key of a row in a [`newest_first`] list.
pub fn time_id_key(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}|{id}", at.to_rfc3339())
}

/// Cursors are opaque to clients; hex keeps them URL-safe without another dependency.
/// Every edge of every page carries one, so it is written straight into one buffer (a `format!` per
/// byte was a tenth of a page's time).
pub fn encode_cursor(key: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(key.len() * 2);
    for b in key.bytes() {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0x0f)]));
    }
    out
}

pub fn decode_cursor(cursor: &str) -> AppResult<String> {
    let bad = || AppError::bad_input("after", "after is not a cursor this list gave out");
    if !cursor.len().is_multiple_of(2) || cursor.len() > 512 {
        return Err(bad());
    }
    let bytes = (0..cursor.len())
        .step_by(2)
        .map(|i| cursor.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(bad)?;
    String::from_utf8(bytes).map_err(|_| bad())
}

/// How rows hang under parents through a link table (tasks under projects through
/// `supervision_task_projects`): the link's column naming the row and its column naming the parent.
pub struct Link<C> {
    pub row: C,
    pub parent: C,
}

impl<C: ColumnTrait> Link<C> {
    fn table(&self) -> C::EntityName {
        C::EntityName::default()
    }
}

/// [`per_parent`] for rows linked to their parents through a link table: one page of `q`'s rows
/// under each of `parents`, numbered within their parent by `order` on the row's own columns, in one
/// statement. `id` is the row's key the link names.
pub async fn per_linked_parent<E, C>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    id: E::Column,
    link: &Link<C>,
    order: &[(E::Column, Order)],
    parents: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait + Default,
    C: ColumnTrait,
    C::EntityName: Default,
{
    use sea_orm::FromQueryResult;
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let linked_parent = Expr::col((link.table(), link.parent));
    let mut inner = q.into_query();
    inner
        .inner_join(link.table(), Expr::col((link.table(), link.row)).equals((E::default(), id)))
        .and_where(among(linked_parent.clone(), parents.iter().copied(), db.get_database_backend()))
        .expr_as(linked_parent, Alias::new("parent_id"));
    let mut window = WindowStatement::partition_by((link.table(), link.parent));
    for (column, o) in order {
        window.order_by((E::default(), *column), o.clone());
    }
    inner.expr_window_as(Func::cust(Alias::new("ROW_NUMBER")), window, Alias::new("rank_in_parent"));
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new("rank_in_parent")).lte(page.fetch()))
        .order_by(Alias::new("rank_in_parent"), Order::Asc)
        .to_owned();
    let rows = db.query_all(db.get_database_backend().build(&outer)).await?;
    let mut grouped: HashMap<Uuid, Vec<E::Model>> = HashMap::new();
    for row in rows {
        let parent: Uuid = row.try_get("", "parent_id")?;
        grouped.entry(parent).or_default().push(E::Model::from_query_result(&row, "")?);
    }
    Ok(parents.iter().map(|p| (*p, Page::from_fetched(grouped.remove(p).unwrap_or_default(), page))).collect())
}

/// How many of `q`'s rows are linked to each of `parents`, in one statement.
pub async fn count_per_linked_parent<E, C>(
    db: &impl ConnectionTrait,
    q: Select<E>,
    id: E::Column,
    link: &Link<C>,
    parents: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>>
where
    E: EntityTrait + Default,
    C: ColumnTrait,
    C::EntityName: Default,
{
    if parents.is_empty() {
        return Ok(HashMap::new());
    }
    let linked_parent = Expr::col((link.table(), link.parent));
    let mut q = q.select_only().into_query();
    q.inner_join(link.table(), Expr::col((link.table(), link.row)).equals((E::default(), id)))
        .and_where(among(linked_parent.clone(), parents.iter().copied(), db.get_database_backend()))
        .expr_as(linked_parent, Alias::new("parent_id"))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .group_by_col((link.table(), link.parent));
    let rows = db.query_all(db.get_database_backend().build(&q)).await?;
    let mut out = HashMap::new();
    for row in rows {
        let n: i64 = row.try_get("", "n")?;
        out.insert(row.try_get::<Uuid>("", "parent_id")?, u64::try_from(n).unwrap_or(0));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() -> AppResult<()> {
        assert_eq!(decode_cursor(&encode_cursor("张三 42"))?, "张三 42");
        // The form cursors already given out have: lower-case hex of the key's UTF-8.
        assert_eq!(encode_cursor("a\u{1f}Z张"), "611f5ae5bca0");
        assert!(decode_cursor("zz").is_err());
        assert!(decode_cursor("abc").is_err());
        Ok(())
    }

    #[test]
    fn page_size_is_bounded() {
        assert!(PageRequest::new(Some(101), None, 100).is_err());
        assert!(PageRequest::new(Some(-1), None, 100).is_err());
        assert!(matches!(PageRequest::new(None, None, 100), Ok(PageRequest { limit: 20, .. })));
    }
}
