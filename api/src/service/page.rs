//! Keyset pagination shared by every list: a bounded page size and an opaque "after" key.

use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Items per page when the client does not say.
pub const DEFAULT_PAGE_SIZE: u64 = 20;

/// A validated page request.
#[derive(Debug, Clone)]
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
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
}

impl<T> Page<T> {
    /// Trims the extra row fetched by [`PageRequest::fetch`].
    pub fn from_fetched(mut rows: Vec<T>, request: &PageRequest) -> Self {
        let has_next = rows.len() as u64 > request.limit;
        rows.truncate(request.limit as usize);
        Self { items: rows, has_next }
    }
}

/// Orders `q` newest first by (`at`, `id`), starts it after the request's cursor and bounds it to
/// the page: the keyset every time-ordered list shares.
pub fn newest_first<E: EntityTrait>(
    q: Select<E>,
    at: E::Column,
    id: E::Column,
    page: &PageRequest,
) -> AppResult<Select<E>> {
    let mut q = q;
    if let Some(after) = &page.after {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let (t, i) = after.split_once('|').ok_or_else(bad)?;
        let t: DateTime<Utc> = t.parse().map_err(|_| bad())?;
        let i: Uuid = i.parse().map_err(|_| bad())?;
        q = q.filter(Condition::any().add(at.lt(t)).add(Condition::all().add(at.eq(t)).add(id.lt(i))));
    }
    Ok(q.order_by_desc(at).order_by_desc(id).limit(page.fetch()))
}

/// The cursor key of a row in a [`newest_first`] list.
pub fn time_id_key(at: DateTime<Utc>, id: Uuid) -> String {
    format!("{}|{id}", at.to_rfc3339())
}

/// Cursors are opaque to clients; hex keeps them URL-safe without another dependency.
pub fn encode_cursor(key: &str) -> String {
    key.bytes().map(|b| format!("{b:02x}")).collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() -> AppResult<()> {
        assert_eq!(decode_cursor(&encode_cursor("张三 42"))?, "张三 42");
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
