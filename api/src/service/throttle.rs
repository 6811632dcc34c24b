//! Token buckets kept in the database, so every instance draws on the same ones. Taking a token is
//! one conditional write: of many attempts racing for the last token, exactly one gets it.

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value};

use crate::error::{AppError, AppResult};

/// A bucket's shape: it holds at most `capacity` tokens and gains `capacity` every `period_secs`.
#[derive(Debug, Clone, Copy)]
pub struct Bucket {
    pub capacity: f64,
    pub period_secs: f64,
}

impl Bucket {
    fn per_ms(self) -> f64 {
        self.capacity / (self.period_secs * 1000.0)
    }
}

/// The `n`th bind parameter as the backend writes it (`$n`, or `?n` on SQLite).
pub(crate) fn param(backend: DbBackend, n: usize) -> String {
    if backend == DbBackend::Postgres { format!("${n}") } else { format!("?{n}") }
}

/// Takes one token from the bucket `key`, or answers `RATE_LIMITED` with when the next comes.
pub async fn take(db: &impl ConnectionTrait, key: &str, bucket: Bucket, now_ms: i64) -> AppResult<()> {
    if try_take(db, key, bucket, 1, now_ms).await? {
        return Ok(());
    }
    refusal(db, key, bucket, now_ms).await
}

/// Takes `count` tokens from the bucket `key` at once if it holds them (a new bucket starts full);
/// false, taking none, if it does not.
pub async fn try_take(
    db: &impl ConnectionTrait,
    key: &str,
    bucket: Bucket,
    count: u32,
    now_ms: i64,
) -> AppResult<bool> {
    let backend = db.get_database_backend();
    let p = |i| param(backend, i);
    let (k, cap, now, rate, n) = (p(1), p(2), p(3), p(4), p(5));
    let refilled = format!(
        "(rate_buckets.tokens + (CASE WHEN {now} > rate_buckets.updated_ms THEN {now} - rate_buckets.updated_ms \
         ELSE 0 END) * {rate})"
    );
    let sql = format!(
        "INSERT INTO rate_buckets (key, tokens, updated_ms) VALUES ({k}, {cap} - {n}, {now}) \
         ON CONFLICT (key) DO UPDATE SET \
           tokens = (CASE WHEN {refilled} > {cap} THEN {cap} ELSE {refilled} END) - {n}, \
           updated_ms = (CASE WHEN {now} > rate_buckets.updated_ms THEN {now} ELSE rate_buckets.updated_ms END) \
         WHERE {refilled} >= {n} \
         RETURNING tokens"
    );
    let values: Vec<Value> =
        vec![key.into(), bucket.capacity.into(), now_ms.into(), bucket.per_ms().into(), f64::from(count).into()];
    Ok(db.query_one(Statement::from_sql_and_values(backend, sql, values)).await?.is_some())
}

/// When one token of `key` will be there: the refusal of [`take`].
async fn refusal(db: &impl ConnectionTrait, key: &str, bucket: Bucket, now_ms: i64) -> AppResult<()> {
    let backend = db.get_database_backend();
    let p = |n| param(backend, n);
    // Refused: say when one token will be there.
    let sql = format!("SELECT tokens, updated_ms FROM rate_buckets WHERE key = {}", p(1));
    let row = db.query_one(Statement::from_sql_and_values(backend, sql, [key.into()])).await?;
    let (tokens, updated): (f64, i64) = match row {
        Some(row) => (row.try_get("", "tokens")?, row.try_get("", "updated_ms")?),
        None => (0.0, now_ms),
    };
    let have = tokens + (now_ms - updated).max(0) as f64 * bucket.per_ms();
    let wait_ms = ((1.0 - have).max(0.0) / bucket.per_ms()).ceil();
    Err(AppError::RateLimited { retry_after_secs: ((wait_ms / 1000.0).ceil() as i64).max(1) })
}

/// Puts one token back (up to the capacity): the attempt it paid for turned out legitimate.
pub async fn give_back(db: &impl ConnectionTrait, key: &str, bucket: Bucket) -> AppResult<()> {
    let backend = db.get_database_backend();
    let p = |n| param(backend, n);
    let sql = format!(
        "UPDATE rate_buckets SET tokens = CASE WHEN tokens + 1 > {cap} THEN {cap} ELSE tokens + 1 END WHERE key = {k}",
        cap = p(1),
        k = p(2)
    );
    db.execute(Statement::from_sql_and_values(backend, sql, [bucket.capacity.into(), key.into()])).await?;
    Ok(())
}

/// Empties the record of `key`: the bucket starts full again.
pub async fn reset(db: &impl ConnectionTrait, key: &str) -> AppResult<()> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM rate_buckets WHERE key = {}", param(backend, 1));
    db.execute(Statement::from_sql_and_values(backend, sql, [key.into()])).await?;
    Ok(())
}

/// Drops buckets last touched before `older_than_ms` (Unix milliseconds); callers pass a time by which
/// every bucket has refilled, so dropping one changes nothing.
pub async fn sweep(db: &impl ConnectionTrait, older_than_ms: i64) -> AppResult<u64> {
    let backend = db.get_database_backend();
    let sql = format!("DELETE FROM rate_buckets WHERE updated_ms < {}", param(backend, 1));
    Ok(db.execute(Statement::from_sql_and_values(backend, sql, [older_than_ms.into()])).await?.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_bucket_gives_its_capacity_then_refills_and_sweeps() -> AppResult<()> {
        use migration::MigratorTrait;
        let db = sea_orm::Database::connect("sqlite::memory:").await?;
        migration::Migrator::up(&db, None).await?;
        let b = Bucket { capacity: 3.0, period_secs: 3.0 };
        for _ in 0..3 {
            take(&db, "k", b, 1_000).await?;
        }
        match take(&db, "k", b, 1_000).await {
            Err(AppError::RateLimited { retry_after_secs }) => assert_eq!(retry_after_secs, 1),
            other => panic!("{other:?}"),
        }
        // One second later one token has come back, and only one.
        take(&db, "k", b, 2_000).await?;
        assert!(take(&db, "k", b, 2_000).await.is_err());
        give_back(&db, "k", b).await?;
        take(&db, "k", b, 2_000).await?;
        assert_eq!(sweep(&db, 1_500).await?, 0, "touched at 2 s");
        assert_eq!(sweep(&db, 10_000).await?, 1);
        take(&db, "k", b, 10_000).await?;
        Ok(())
    }
}
