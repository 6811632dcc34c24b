//! Opening the database: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL by URL.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sea_orm::sqlx::pool::PoolOptions;
use sea_orm::sqlx::postgres::PgConnectOptions;
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::sqlx::{ConnectOptions, Connection};
use sea_orm::{DatabaseConnection, SqlxPostgresConnector, SqlxSqliteConnector};

use crate::config::Config;

mod among;
pub use among::among;

/// A pooled connection idle longer than this is pinged before it is handed out again.
const TEST_AFTER_IDLE: Duration = Duration::from_secs(1);

/// How many rows a SQLite connection's thread may hand over before the request reads them. At
/// sqlx's 50 it stopped on the 51st row of a page of 50 (read with one more, to tell whether another
/// page follows) until the request's task caught up: two more thread switches for every such page.
/// Enough for the largest page and its extra row.
const SQLITE_ROW_BUFFER: usize = 128;

/// Connects and counts every statement into `statements`.
pub async fn connect(config: &Config, statements: Arc<AtomicU64>) -> Result<DatabaseConnection, sea_orm::DbErr> {
    let url = config.database_url.as_str();
    let refused = |e: sea_orm::sqlx::Error| sea_orm::DbErr::Conn(sea_orm::RuntimeErr::SqlxError(e));
    let mut db = if config.is_sqlite() {
        ensure_sqlite_folder(url)?;
        let options = SqliteConnectOptions::from_str(url)
            .map_err(refused)?
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .create_if_missing(true)
            .row_buffer_size(SQLITE_ROW_BUFFER)
            .disable_statement_logging();
        SqlxSqliteConnector::from_sqlx_sqlite_pool(pool(config).connect_with(options).await.map_err(refused)?)
    } else {
        let options = PgConnectOptions::from_str(url).map_err(refused)?.disable_statement_logging();
        SqlxPostgresConnector::from_sqlx_postgres_pool(pool(config).connect_with(options).await.map_err(refused)?)
    };
    db.set_metric_callback(move |info| {
        // RUST_LOG=keyprojects::sql=trace shows every statement with its time.
        tracing::trace!(target: "keyprojects::sql", elapsed_us = info.elapsed.as_micros() as u64, failed = info.failed, sql = %info.statement);
        statements.fetch_add(1, Ordering::Relaxed);
        count_for_request();
    });
    Ok(db)
}

/// The pool's settings. sqlx pings a connection when it is given back (and drops it if that fails);
/// it would ping it again when it is taken, a round trip per statement on top of the statement's
/// own. Here only a connection that has lain idle a while is pinged when taken: the one that can
/// have broken unseen (a database restart, a failover, a firewall's idle cut) is still replaced
/// before a request meets it, and a busy server pays no second ping.
fn pool<DB: sea_orm::sqlx::Database>(config: &Config) -> PoolOptions<DB> {
    PoolOptions::new()
        .max_connections(config.db_max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        .test_before_acquire(false)
        .before_acquire(|connection: &mut DB::Connection, meta| {
            Box::pin(async move {
                if meta.idle_for >= TEST_AFTER_IDLE {
                    connection.ping().await?;
                }
                Ok(true)
            })
        })
}

tokio::task_local! {
    /// The statements of the request being served on this task, when one is.
    static REQUEST_STATEMENTS: Arc<AtomicU64>;
}

/// Runs `work` and tells how many statements it executed: its own, those of the tasks it started
/// with [`spawn_counted`] (the request's loaders) and the account check it waited for. Work that
/// runs beside it (periodic jobs, webhook deliveries, other requests) is not counted, so a request's
/// cost reads the same however busy the instance is.
pub async fn counted<F: Future>(work: F) -> (F::Output, u64) {
    let counter = Arc::new(AtomicU64::new(0));
    let output = REQUEST_STATEMENTS.scope(Arc::clone(&counter), work).await;
    (output, counter.load(Ordering::Relaxed))
}

/// Spawns `work` with its statements counted to the request that spawns it, if any.
pub fn spawn_counted<F>(work: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    match REQUEST_STATEMENTS.try_with(Arc::clone) {
        Ok(counter) => tokio::spawn(REQUEST_STATEMENTS.scope(counter, work)),
        Err(_) => tokio::spawn(work),
    }
}

/// Counts one statement to the request being served on this task (none outside a request).
pub fn count_for_request() {
    let _outside_a_request = REQUEST_STATEMENTS.try_with(|c| c.fetch_add(1, Ordering::Relaxed));
}

/// `sqlite://data/x.db?mode=rwc` needs `data/` to exist before SQLite can create the file.
fn ensure_sqlite_folder(url: &str) -> Result<(), sea_orm::DbErr> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let path = path.split('?').next().unwrap_or_default();
    if path.is_empty() || path == ":memory:" {
        return Ok(());
    }
    if let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|e| sea_orm::DbErr::Custom(format!("cannot create {}: {e}", parent.display())))?;
    }
    // The file holds password hashes and the audit trail: made readable by its owner only. SQLite
    // gives its -wal and -shm files the database file's permissions.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(sea_orm::DbErr::Custom(format!("cannot create {path}: {e}"))),
    }
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once (waiting out the
/// busy timeout for it), as `BEGIN IMMEDIATE` would: a transaction that read first and asked for the
/// lock later could find another writer's commit in between and fail at once with "database is
/// locked", whatever the timeout. PostgreSQL locks rows as it goes and needs nothing more.
pub async fn begin_write<C>(db: &C) -> Result<sea_orm::DatabaseTransaction, sea_orm::DbErr>
where
    C: sea_orm::TransactionTrait + sea_orm::ConnectionTrait,
{
    let txn = db.begin().await?;
    if db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        // A write statement that changes nothing still takes the write lock.
        sea_orm::ConnectionTrait::execute_unprepared(&txn, "UPDATE seaql_migrations SET version = version WHERE 0 = 1")
            .await?;
    }
    Ok(txn)
}

/// Runs `q` and reads each row as a tuple.
pub async fn rows_of<T: sea_orm::TryGetableMany>(
    db: &impl sea_orm::ConnectionTrait,
    q: &sea_orm::sea_query::SelectStatement,
) -> crate::error::AppResult<Vec<T>> {
    let rows = db.query_all(db.get_database_backend().build(q)).await?;
    rows.iter()
        .map(|row| T::try_get_many_by_index(row).map_err(|e| crate::error::AppError::from(sea_orm::DbErr::from(e))))
        .collect()
}
