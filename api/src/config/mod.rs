//! One typed configuration, read once at start: built-in defaults, then an optional TOML file, then
//! environment variables prefixed `KP_` (plus the conventional `DATABASE_URL`). Anything invalid stops
//! the process before it binds a port.

mod limits;
mod sources;

pub use limits::{Jobs, Limits, LoginPolicy, Secret, WebhookSettings};
use sources::{Overrides, apply_env, persistent_dev_secret};

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Environment variable prefix for every setting.
pub const ENV_PREFIX: &str = "KP_";
const MIN_SECRET_BYTES: usize = 32;

/// The whole configuration of one server process.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub storage_dir: PathBuf,
    /// Where photos are kept: unset for the local folder `storage_dir`, `memory://` for a store that
    /// lives as long as the process (tests), `s3://bucket/prefix` for S3-compatible storage configured
    /// by the usual `AWS_*` variables.
    pub storage_url: Option<String>,
    pub jwt_secret: Secret,
    pub jwt_issuer: String,
    pub jwt_audience: String,
    pub token_ttl_secs: i64,
    /// Seconds a token is still accepted after it expires (clock skew between servers).
    pub token_leeway_secs: u64,
    pub production: bool,
    pub introspection: bool,
    pub graphiql: bool,
    pub field_suggestions: bool,
    /// Load the demo county when the database holds no units yet.
    pub seed_demo_when_empty: bool,
    /// Largest number of database connections in the pool (by default 16 on PostgreSQL; on SQLite
    /// two per processor, 4 to 16, see [`limits::default_pool`]).
    pub db_max_connections: u32,
    /// How often the periodic jobs run.
    pub jobs: Jobs,
    /// How webhooks are delivered.
    pub webhooks: WebhookSettings,
    pub limits: Limits,
    pub login: LoginPolicy,
    /// A bearer token `/metrics` asks for; unset, `/metrics` is served only on `metrics_bind`.
    pub metrics_token: Option<Secret>,
    /// A separate address (e.g. `127.0.0.1:9090`) that serves `/metrics` alone, without a token.
    pub metrics_bind: Option<SocketAddr>,
    /// Origins (`https://host[:port]`) whose pages may call the API from a browser; none by default.
    /// Bearer tokens only: no cookies, so no credentials are allowed across origins.
    pub cors_origins: Vec<String>,
    /// The county's clock: its time zone, and an instant it stands at when fixed (tests, demos).
    pub clock: crate::clock::Clock,
    /// Which GraphQL documents run: any (`off`), or only those registered as trusted (`only`).
    pub trusted_documents: crate::service::documents::Policy,
    /// Tell each response's count of SQL statements in its `x-sql-statements` header (tests). Off
    /// outside tests: the count says something of what a request touched.
    pub statement_counts: bool,
    /// How long a request's loaders gather keys before they load (1 ms; none in tests, so that a
    /// relation a page does not prime shows as the extra statements it can cost).
    pub loader_delay: std::time::Duration,
}

/// Why the configuration was refused.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("config file {path} is not valid: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("environment variable {name} is not valid: {message}")]
    Env { name: String, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot prepare the data folder {path}: {source}")]
    DataDir { path: PathBuf, source: std::io::Error },
}

impl Config {
    /// Reads the optional file and the environment. `production` from the command line wins.
    pub fn load(file: Option<&Path>, production_flag: bool) -> Result<Self, ConfigError> {
        let mut overrides = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|source| ConfigError::File { path: path.to_owned(), source })?;
                toml::from_str(&text)
                    .map_err(|e| ConfigError::Toml { path: path.to_owned(), message: e.to_string() })?
            }
            None => Overrides::default(),
        };
        apply_env(&mut overrides, |name| std::env::var(name).ok())?;
        if production_flag {
            overrides.production = Some(true);
        }
        Self::from_overrides(overrides)
    }

    fn from_overrides(o: Overrides) -> Result<Self, ConfigError> {
        let production = o.production.unwrap_or(false);
        let data_dir = o.data_dir.unwrap_or_else(|| PathBuf::from("data"));
        let database_url = o
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("keyprojects.db").display()));
        let jwt_secret = match o.jwt_secret {
            Some(s) if s.len() >= MIN_SECRET_BYTES => Secret::new(s),
            Some(_) => {
                return Err(ConfigError::Invalid(format!(
                    "{ENV_PREFIX}JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes"
                )));
            }
            None if production => {
                return Err(ConfigError::Invalid(format!(
                    "production mode needs {ENV_PREFIX}JWT_SECRET (at least {MIN_SECRET_BYTES} bytes)"
                )));
            }
            None => persistent_dev_secret(&data_dir)?,
        };
        let defaults = Limits::default();
        let limits = Limits {
            max_body_bytes: o.max_body_bytes.unwrap_or(defaults.max_body_bytes),
            max_depth: o.max_depth.unwrap_or(defaults.max_depth),
            max_complexity: o.max_complexity.unwrap_or(defaults.max_complexity),
            max_root_fields: o.max_root_fields.unwrap_or(defaults.max_root_fields),
            max_aliases: o.max_aliases.unwrap_or(defaults.max_aliases),
            max_batch: o.max_batch.unwrap_or(defaults.max_batch),
            max_page_size: o.max_page_size.unwrap_or(defaults.max_page_size),
            max_photo_bytes: o.max_photo_bytes.unwrap_or(defaults.max_photo_bytes),
            max_photo_files: o.max_photo_files.unwrap_or(defaults.max_photo_files),
            max_photo_pixels: o.max_photo_pixels.unwrap_or(defaults.max_photo_pixels),
            photo_workers: o.photo_workers.unwrap_or(defaults.photo_workers),
            photo_memory_bytes: o.photo_memory_bytes.unwrap_or(defaults.photo_memory_bytes),
            photo_memory_total_bytes: o.photo_memory_total_bytes.unwrap_or(defaults.photo_memory_total_bytes),
            max_selections: o.max_selections.unwrap_or(defaults.max_selections),
            max_string_chars: o.max_string_chars.unwrap_or(defaults.max_string_chars),
            header_timeout_secs: o.header_timeout_secs.unwrap_or(defaults.header_timeout_secs),
            body_idle_timeout_secs: o.body_idle_timeout_secs.unwrap_or(defaults.body_idle_timeout_secs),
            max_connections: o.max_connections.unwrap_or(defaults.max_connections),
        };
        let login_defaults = LoginPolicy::default();
        let webhooks = sources::webhooks(o.webhook_poll_millis, o.webhook_timeout_secs, o.webhook_allow_private);
        let zone = match o.time_zone.as_deref() {
            Some(raw) => crate::clock::parse_zone(raw).ok_or_else(|| {
                ConfigError::Invalid(format!("time_zone `{raw}` is not Asia/Shanghai, UTC or an offset like +08:00"))
            })?,
            None => crate::clock::china(),
        };
        let db_max_connections = o.db_max_connections.unwrap_or_else(|| limits::default_pool(&database_url));
        let config = Self {
            storage_dir: o.storage_dir.unwrap_or_else(|| data_dir.join("objects")),
            storage_url: o.storage_url,
            database_url,
            bind: o.bind.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir,
            jwt_secret,
            jwt_issuer: o.jwt_issuer.unwrap_or_else(|| "keyprojects".into()),
            jwt_audience: o.jwt_audience.unwrap_or_else(|| "keyprojects-api".into()),
            token_ttl_secs: o.token_ttl_secs.unwrap_or(8 * 3600),
            token_leeway_secs: o.token_leeway_secs.unwrap_or(5),
            production,
            introspection: o.introspection.unwrap_or(!production),
            graphiql: o.graphiql.unwrap_or(!production),
            field_suggestions: o.field_suggestions.unwrap_or(!production),
            seed_demo_when_empty: o.seed_demo.unwrap_or(!production),
            db_max_connections,
            jobs: Jobs {
                every_secs: o.jobs_every_secs.unwrap_or(Jobs::default().every_secs),
                orphan_sweep_every_secs: o.orphan_sweep_every_secs.unwrap_or(Jobs::default().orphan_sweep_every_secs),
                orphan_grace_secs: o.orphan_grace_secs.unwrap_or(Jobs::default().orphan_grace_secs),
            },
            webhooks,
            limits,
            login: LoginPolicy {
                max_failures: o.login_max_failures.unwrap_or(login_defaults.max_failures),
                window_secs: o.login_window_secs.unwrap_or(login_defaults.window_secs),
                address_burst: o.login_address_burst.unwrap_or(login_defaults.address_burst),
                address_period_secs: o.login_address_period_secs.unwrap_or(login_defaults.address_period_secs),
                client_ip_header: o.client_ip_header.map(|h| h.trim().to_ascii_lowercase()).filter(|h| !h.is_empty()),
            },
            metrics_token: o.metrics_token.map(Secret::new),
            metrics_bind: o.metrics_bind,
            cors_origins: o
                .cors_origins
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().trim_end_matches('/').to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            clock: crate::clock::Clock::new(zone, o.fixed_now),
            trusted_documents: sources::trusted_documents(o.trusted_documents.as_deref())?,
            statement_counts: false,
            loader_delay: std::time::Duration::from_millis(1),
        };
        config.validate()?;
        Ok(config)
    }

    /// A configuration for tests and tools: defaults with the given database and secret, nothing read
    /// from the environment or the disk.
    pub fn for_tests(database_url: impl Into<String>, data_dir: PathBuf) -> Self {
        Self {
            database_url: database_url.into(),
            bind: SocketAddr::from(([127, 0, 0, 1], 0)),
            storage_dir: data_dir.join("objects"),
            storage_url: Some("memory://".into()),
            data_dir,
            jwt_secret: Secret::new("test-secret-test-secret-test-secret-0123"),
            jwt_issuer: "keyprojects".into(),
            jwt_audience: "keyprojects-api".into(),
            token_ttl_secs: 3600,
            token_leeway_secs: 5,
            production: false,
            introspection: true,
            graphiql: true,
            field_suggestions: true,
            seed_demo_when_empty: true,
            db_max_connections: 5,
            jobs: Jobs::default(),
            // Tests receive webhooks on loopback. Delivery rounds would fall into the statement counts
            // of other tests: the webhook tests poll often, the rest not at all within a test.
            webhooks: WebhookSettings { poll_millis: 60_000, timeout_secs: 2, allow_private: true },
            limits: Limits::default(),
            login: LoginPolicy::default(),
            metrics_token: Some(Secret::new("test-metrics-token")),
            metrics_bind: None,
            cors_origins: Vec::new(),
            clock: crate::clock::Clock::default(),
            trusted_documents: crate::service::documents::Policy::Open,
            statement_counts: true,
            loader_delay: std::time::Duration::ZERO,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        const DAY: u64 = 86_400;
        const GIB: u64 = 1 << 30;
        let (l, j) = (&self.limits, &self.jobs);
        let n = |v: usize| v as u64;
        let ttl = u64::try_from(self.token_ttl_secs).unwrap_or(0);
        // (setting, value, lowest, highest): every number a server starts with is in a range that
        // leaves it usable (a depth of 0 would refuse even `login`).
        let ranges: [(&str, u64, u64, u64); 30] = [
            ("token_ttl_secs", ttl, 1, 30 * DAY),
            ("token_leeway_secs", self.token_leeway_secs, 0, 60),
            ("login_window_secs", u64::try_from(self.login.window_secs).unwrap_or(0), 1, DAY),
            ("login_max_failures", u64::from(self.login.max_failures), 1, 1000),
            ("login_address_burst", u64::from(self.login.address_burst), 1, 100_000),
            ("login_address_period_secs", u64::try_from(self.login.address_period_secs).unwrap_or(0), 1, DAY),
            ("db_max_connections", u64::from(self.db_max_connections), 1, 1000),
            ("jobs_every_secs", j.every_secs, 1, DAY),
            ("orphan_sweep_every_secs", j.orphan_sweep_every_secs, 1, 7 * DAY),
            ("orphan_grace_secs", j.orphan_grace_secs, 0, 30 * DAY),
            ("webhook_poll_millis", self.webhooks.poll_millis, 50, 60_000),
            ("webhook_timeout_secs", self.webhooks.timeout_secs, 1, 60),
            ("max_body_bytes", n(l.max_body_bytes), 1024, GIB),
            ("max_depth", n(l.max_depth), 4, 64),
            ("max_complexity", n(l.max_complexity), 100, 1_000_000),
            ("max_root_fields", n(l.max_root_fields), 1, 100),
            ("max_aliases", n(l.max_aliases), 1, 1000),
            ("max_batch", n(l.max_batch), 1, 100),
            ("max_page_size", l.max_page_size, 1, 1000),
            ("max_selections", n(l.max_selections), 100, 1_000_000),
            ("max_string_chars", n(l.max_string_chars), 100, 10_000_000),
            ("max_photo_bytes", n(l.max_photo_bytes), 1024, GIB),
            ("max_photo_files", n(l.max_photo_files), 1, 100),
            ("max_photo_pixels", l.max_photo_pixels, 1, 1_000_000_000),
            ("photo_workers", n(l.photo_workers), 1, 256),
            ("photo_memory_bytes", l.photo_memory_bytes, 16 << 20, 64 * GIB),
            ("photo_memory_total_bytes", l.photo_memory_total_bytes, l.photo_memory_bytes, 64 * GIB),
            ("header_timeout_secs", l.header_timeout_secs, 1, 600),
            ("body_idle_timeout_secs", l.body_idle_timeout_secs, 1, 600),
            ("max_connections", n(l.max_connections), 1, 1_000_000),
        ];
        for (name, value, low, high) in ranges {
            if !(low..=high).contains(&value) {
                return Err(ConfigError::Invalid(format!("{} is {value}; it must be {low} to {high}", setting(name))));
            }
        }
        if let Some(token) = &self.metrics_token
            && !(16..=4096).contains(&token.expose().chars().count())
        {
            return Err(ConfigError::Invalid(format!(
                "{} must be 16 to 4096 characters long",
                setting("metrics_token")
            )));
        }
        if ttl <= self.token_leeway_secs {
            return Err(ConfigError::Invalid(format!(
                "{} must be more than token_leeway_secs",
                setting("token_ttl_secs")
            )));
        }
        for origin in &self.cors_origins {
            let (scheme, rest) = origin.split_once("://").unwrap_or_default();
            let plain = !rest.is_empty() && !rest.contains(['/', '?', '#', '*', ' ']);
            if !(matches!(scheme, "http" | "https") && plain) {
                return Err(ConfigError::Invalid(format!(
                    "{ENV_PREFIX}CORS_ORIGINS (`cors_origins` in the file): `{origin}` is not an origin like https://console.example.gov.cn"
                )));
            }
        }
        if !(self.database_url.starts_with("sqlite:") || self.database_url.starts_with("postgres")) {
            return Err(ConfigError::Invalid("database_url must be sqlite:… or postgres://…".into()));
        }
        Ok(())
    }

    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// A setting as both places name it: the variable and the file's key.
fn setting(key: &str) -> String {
    format!("{ENV_PREFIX}{} (`{key}` in the file)", key.to_ascii_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_requires_a_long_secret() {
        let o = Overrides { production: Some(true), ..Default::default() };
        assert!(matches!(Config::from_overrides(o), Err(ConfigError::Invalid(_))));
        let o = Overrides { production: Some(true), jwt_secret: Some("short".into()), ..Default::default() };
        assert!(matches!(Config::from_overrides(o), Err(ConfigError::Invalid(_))));
    }

    #[test]
    fn production_turns_introspection_off_unless_asked() -> Result<(), ConfigError> {
        let secret = "x".repeat(40);
        let o = Overrides { production: Some(true), jwt_secret: Some(secret.clone()), ..Default::default() };
        let c = Config::from_overrides(o)?;
        assert!(!c.introspection && !c.graphiql && !c.field_suggestions && !c.seed_demo_when_empty);
        let o = Overrides {
            production: Some(true),
            jwt_secret: Some(secret),
            introspection: Some(true),
            ..Default::default()
        };
        assert!(Config::from_overrides(o)?.introspection);
        Ok(())
    }

    #[test]
    fn settings_out_of_range_are_refused_by_their_variable_with_the_range() {
        let cases = [
            (
                Overrides { max_depth: Some(0), ..Default::default() },
                "KP_MAX_DEPTH (`max_depth` in the file) is 0; it must be 4 to 64",
            ),
            (Overrides { max_complexity: Some(0), ..Default::default() }, "KP_MAX_COMPLEXITY"),
            (Overrides { token_leeway_secs: Some(600), ..Default::default() }, "KP_TOKEN_LEEWAY_SECS"),
            (Overrides { max_page_size: Some(0), ..Default::default() }, "must be 1 to 1000"),
        ];
        for (o, expected) in cases {
            match Config::from_overrides(o) {
                Err(ConfigError::Invalid(message)) => assert!(message.contains(expected), "{message}"),
                other => panic!("expected a refusal naming {expected}: {other:?}"),
            }
        }
        assert!(Config::from_overrides(Overrides { max_depth: Some(4), ..Default::default() }).is_ok());
    }

    #[test]
    fn env_overrides_and_rejects_garbage() {
        let mut o = Overrides::default();
        let env = |name: &str| match name {
            "KP_MAX_DEPTH" => Some("7".to_string()),
            "DATABASE_URL" => Some("postgres://x/y".to_string()),
            _ => None,
        };
        assert!(apply_env(&mut o, env).is_ok());
        assert_eq!(o.max_depth, Some(7));
        assert_eq!(o.database_url.as_deref(), Some("postgres://x/y"));
        let bad = |name: &str| (name == "KP_BIND").then(|| "not an address".to_string());
        assert!(matches!(apply_env(&mut o, bad), Err(ConfigError::Env { .. })));
    }

    #[test]
    fn a_toml_file_sets_values_and_rejects_unknown_keys() -> Result<(), Box<dyn std::error::Error>> {
        let dir = std::env::temp_dir().join(format!("kp-config-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir)?;
        let path = dir.join("kp.toml");
        let secret = "s".repeat(32);
        std::fs::write(&path, format!("bind = \"0.0.0.0:9000\"\nmax_batch = 3\njwt_secret = \"{secret}\"\n"))?;
        let c = Config::load(Some(&path), false)?;
        assert_eq!(c.bind.port(), 9000);
        assert_eq!(c.limits.max_batch, 3);
        std::fs::write(&path, "no_such_setting = 1\n")?;
        assert!(matches!(Config::load(Some(&path), false), Err(ConfigError::Toml { .. })));
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
