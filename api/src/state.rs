//! What every request shares: the pool, the configuration and the stateless helpers. Nothing here
//! holds data that another instance of the server would need.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use sea_orm::DatabaseConnection;

use crate::auth::{AccountLookup, JwtKeys, PasswordHasher};
use crate::config::Config;
use crate::storage::Storage;

#[derive(Clone)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub config: Arc<Config>,
    /// Shared, not copied: every request clones the state, and the keys' validation holds sets.
    pub keys: Arc<JwtKeys>,
    pub hasher: PasswordHasher,
    /// Whether this start loaded the demo county into an empty database.
    pub demo_loaded: bool,
    /// The per-request account check.
    pub accounts: Arc<AccountLookup>,
    /// SQL statements executed since start; benchmarks and the N+1 tests read it.
    pub statements: Arc<AtomicU64>,
    /// Where photo bytes are kept.
    pub storage: Storage,
    /// Bounds the photos processed at once (CPU and memory), in this process.
    pub photo_workers: Arc<tokio::sync::Semaphore>,
    /// The memory photo decoding may use in this process, one permit a MiB.
    pub photo_memory: Arc<tokio::sync::Semaphore>,
    /// Rounds of the periodic jobs finished (the first runs at start), so tests that count
    /// statements can wait for it to be over.
    pub job_rounds: Arc<AtomicU64>,
    /// Where the audit trail has got to, for subscriptions.
    pub trail: Arc<crate::service::trail::TrailWatch>,
    /// Periodic job runs that failed (each is retried at the next round).
    pub job_failures: Arc<AtomicU64>,
}

impl AppState {
    /// What the photo service needs of the state.
    pub fn photo_deps(&self) -> crate::service::photo::PhotoDeps<'_> {
        crate::service::photo::PhotoDeps {
            db: &self.db,
            storage: &self.storage,
            limits: &self.config.limits,
            workers: &self.photo_workers,
            memory: &self.photo_memory,
        }
    }

    pub fn statements_executed(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }
}
