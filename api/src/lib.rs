//! The key-project supervision API: a GraphQL server over SQLite or PostgreSQL.
//!
//! [`Application::build`] makes the whole server from a [`Config`] and binds it (port 0 in tests);
//! [`cli::main`] is the binary's entry point.

pub mod auth;
pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod error;
pub mod graphql;
pub mod http;
pub mod media;
pub mod request;
pub mod seed;
pub mod service;
pub mod state;
pub mod storage;

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use migration::{Migrator, MigratorTrait};
use tokio::net::TcpListener;

pub use config::Config;
pub use state::AppState;

use auth::{AccountLookup, JwtKeys, PasswordHasher};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: SocketAddr, source: std::io::Error },
    #[error("loading the demo county failed: {0}")]
    Seed(error::AppError),
    #[error("photo storage: {0}")]
    Storage(String),
}

/// A built server, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    router: axum::Router,
    state: AppState,
}

impl Application {
    /// Connects, migrates, loads the demo county into an empty database when configured to, and
    /// binds the listener.
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let state = prepare(config).await?;
        let schema = graphql::schema_builder(&state.config).data(state.clone()).finish();
        let router = http::router(state.clone(), schema);
        let addr = state.config.bind;
        let listener = TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?;
        let metrics_listener = match state.config.metrics_bind {
            Some(addr) => Some(TcpListener::bind(addr).await.map_err(|source| StartError::Bind { addr, source })?),
            None => None,
        };
        Ok(Self { listener, metrics_listener, router, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The address `/metrics` alone is served on, when one is configured.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `shutdown` completes, then lets requests in flight finish. Also runs the
    /// periodic jobs (issue escalation); they are idempotent, so every instance may run them.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let jobs = tokio::spawn(periodic_jobs(self.state.clone()));
        let webhooks = tokio::spawn(deliver_webhooks(self.state.clone()));
        let key_usage = tokio::spawn(write_key_usage(self.state.clone()));
        let metrics = self.metrics_listener.map(|listener| {
            tokio::spawn(axum::serve(listener, http::metrics_router(self.state.clone())).into_future())
        });
        let served = http::serve(self.listener, self.router, &self.state.config.limits, shutdown).await;
        jobs.abort();
        webhooks.abort();
        key_usage.abort();
        // What the keys were used for in the last second is written before the process goes.
        if let Err(e) = self.state.accounts.key_usage.flush(&self.state.db).await {
            tracing::warn!(error = %e, "integration key use counts were not written");
        }
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        served
    }
}

/// Escalates overdue issues and drops full sign-in buckets at start and then every
/// `jobs.every_secs`; sweeps photo bytes a crash left without a row at start and then every
/// `jobs.orphan_sweep_every_secs`. Every instance runs them: each job settles races in the database
/// (conditional updates, deletes that tolerate a missing object), so running twice is harmless.
async fn periodic_jobs(state: AppState) {
    use std::sync::atomic::Ordering;
    let jobs = state.config.jobs;
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(jobs.every_secs));
    let sweep_every = std::time::Duration::from_secs(jobs.orphan_sweep_every_secs);
    let mut last_sweep: Option<tokio::time::Instant> = None;
    loop {
        tick.tick().await;
        let sweep = last_sweep.is_none_or(|at| at.elapsed() >= sweep_every);
        if sweep {
            last_sweep = Some(tokio::time::Instant::now());
        }
        periodic_round(&state, sweep).await;
        state.job_rounds.fetch_add(1, Ordering::Release);
    }
}

/// One round of the periodic jobs (with the sweep of orphaned photo bytes when `sweep_orphans`). A
/// job that fails is counted in `job_failures`, logged and tried again next round.
pub async fn periodic_round(state: &AppState, sweep_orphans: bool) {
    use std::sync::atomic::Ordering;
    let jobs = state.config.jobs;
    let failed = |job: &str, e: &dyn std::fmt::Display| {
        state.job_failures.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(error = %e, job, "periodic job failed; will retry");
    };
    match service::issue::escalate_overdue(&state.db, state.config.clock.today()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(escalated = n, "escalated overdue issues to their leaders"),
        Err(e) => failed("escalation", &e),
    }
    let clock = state.config.clock;
    match service::meeting::escalate_overdue(&state.db, clock.today(), clock.now()).await {
        Ok(service::meeting::Chased { noticed: 0, escalated: 0 }) => {}
        Ok(c) => tracing::info!(noticed = c.noticed, escalated = c.escalated, "chased overdue action items"),
        Err(e) => failed("action item escalation", &e),
    }
    match service::supervision::propose_once(&state.db, clock.day(), clock.now()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(proposed = n, "proposed supervision for projects red two months running"),
        Err(e) => failed("supervision proposals", &e),
    }
    // A bucket untouched for longer than it takes to refill is full: its row says nothing.
    let login = &state.config.login;
    let refill_ms = login.window_secs.max(login.address_period_secs).saturating_mul(1000);
    let stale_before = chrono::Utc::now().timestamp_millis().saturating_sub(refill_ms);
    if let Err(e) = service::throttle::sweep(&state.db, stale_before).await {
        failed("sign-in buckets", &e);
    }
    match service::noted::note(&state.db, state.config.clock.day()).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(noted = n, "noted overdue issues, missing reports and changed lights"),
        Err(e) => failed("noting events", &e),
    }
    if let Err(e) = service::documents::sweep(&state.db, chrono::Utc::now()).await {
        failed("persisted documents", &e);
    }
    if sea_orm::ConnectionTrait::get_database_backend(&state.db) == sea_orm::DbBackend::Sqlite {
        // SQLite keeps no statistics by itself; this refreshes those the planner would use.
        if let Err(e) = sea_orm::ConnectionTrait::execute_unprepared(&state.db, "PRAGMA optimize").await {
            failed("PRAGMA optimize", &e);
        }
    }
    if sweep_orphans {
        let grace = chrono::Duration::seconds(i64::try_from(jobs.orphan_grace_secs).unwrap_or(i64::MAX));
        match service::photo::sweep_orphans(&state.db, &state.storage, grace).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(removed = n, "removed photo objects that had no row"),
            Err(e) => failed("photo sweep", &e),
        }
    }
}

/// Delivers webhooks every `webhooks.poll_millis`. Every instance runs it: each webhook is worked
/// by one instance at a time, under a lease (see [`service::webhooks::worker`]).
async fn deliver_webhooks(state: AppState) {
    use std::sync::atomic::Ordering;
    let settings = state.config.webhooks;
    let timeout = std::time::Duration::from_secs(settings.timeout_secs);
    let worker = match service::webhooks::worker::Worker::new(state.db.clone(), timeout, settings.allow_private) {
        Ok(worker) => worker,
        Err(e) => {
            state.job_failures.fetch_add(1, Ordering::Relaxed);
            tracing::error!(error = %e, "webhooks cannot be delivered by this instance");
            return;
        }
    };
    // The first round one period after start: work recorded before start is sent then.
    let every = std::time::Duration::from_millis(settings.poll_millis);
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = worker.round().await {
            state.job_failures.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(error = %e, job = "webhooks", "webhook delivery failed; will retry");
        }
    }
}

/// Writes integration keys' use counts every second (only keys used since the last write).
async fn write_key_usage(state: AppState) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tick.tick().await;
        if let Err(e) = state.accounts.key_usage.flush(&state.db).await {
            state.job_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            tracing::warn!(error = %e, job = "key usage", "writing key use counts failed; will retry");
        }
    }
}

/// The shared state of a server: an open, migrated (and, in demo mode, seeded) database.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    // A store that cannot be opened stops the start before anything is written to the database.
    let storage = storage::Storage::open(&config).map_err(StartError::Storage)?;
    let statements = Arc::new(AtomicU64::new(0));
    let db = db::connect(&config, statements.clone()).await?;
    Migrator::up(&db, None).await?;
    let hasher = PasswordHasher::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2));
    let mut demo_loaded = false;
    if config.seed_demo_when_empty
        && let Some(loaded) = seed::demo::load(&db, &hasher, config.clock.today()).await.map_err(StartError::Seed)?
    {
        demo_loaded = true;
        tracing::info!(
            units = loaded.units,
            users = loaded.users,
            projects = loaded.projects,
            issues = loaded.issues,
            cases = loaded.cases,
            templates = loaded.templates,
            "loaded the demo county"
        );
    }
    Ok(AppState {
        demo_loaded,
        photo_workers: Arc::new(tokio::sync::Semaphore::new(config.limits.photo_workers)),
        photo_memory: Arc::new(tokio::sync::Semaphore::new((config.limits.photo_memory_total_bytes >> 20) as usize)),
        storage,
        keys: Arc::new(JwtKeys::from_config(&config)),
        config: Arc::new(config),
        accounts: AccountLookup::new(db.clone()),
        trail: service::trail::TrailWatch::new(db.clone()),
        db,
        hasher,
        statements,
        job_rounds: Arc::new(AtomicU64::new(0)),
        job_failures: Arc::new(AtomicU64::new(0)),
    })
}
