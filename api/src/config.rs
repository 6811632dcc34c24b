//! One typed configuration, read once at start: built-in defaults, then an optional TOML file, then
//! environment variables prefixed `KP_` (plus the conventional `DATABASE_URL`). Anything invalid stops
//! the process before it binds a port.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Environment variable prefix for every setting.
pub const ENV_PREFIX: &str = "KP_";
const MIN_SECRET_BYTES: usize = 32;

/// A value that must not appear in logs or debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Guard rails applied to every GraphQL request.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest accepted request body, in bytes.
    pub max_body_bytes: usize,
    /// Deepest accepted selection nesting.
    pub max_depth: usize,
    /// Largest accepted static complexity (list fields count `first` times their children).
    pub max_complexity: usize,
    /// Most fields at the root of one operation.
    pub max_root_fields: usize,
    /// Most aliased fields in one document.
    pub max_aliases: usize,
    /// Most operations in one batched request.
    pub max_batch: usize,
    /// Largest `first` a list accepts.
    pub max_page_size: u64,
    /// Largest photo file, in bytes.
    pub max_photo_bytes: usize,
    /// Most files in one request.
    pub max_photo_files: usize,
    /// Most pixels a photo may have, read from its header before anything is decoded.
    pub max_photo_pixels: u64,
    /// Photos processed (hashed, read, thumbnailed) at once; the rest wait.
    pub photo_workers: usize,
    /// Memory one photo's decoding may use, in bytes, judged from its header before decoding.
    pub photo_memory_bytes: u64,
    /// Memory all photos being decoded at once may use together, in bytes.
    pub photo_memory_total_bytes: u64,
    /// Most fields an operation may select once its fragments are expanded.
    pub max_selections: usize,
    /// Longest string argument or variable, in characters.
    pub max_string_chars: usize,
    /// Longest wait for a request's headers, in seconds.
    pub header_timeout_secs: u64,
    /// Longest pause while a request body arrives, in seconds.
    pub body_idle_timeout_secs: u64,
    /// Most connections open at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 1024 * 1024,
            max_depth: 16,
            max_complexity: 5_000,
            max_root_fields: 20,
            max_aliases: 30,
            max_batch: 10,
            max_page_size: 100,
            max_photo_bytes: 25 * 1024 * 1024,
            max_photo_files: 10,
            max_photo_pixels: 100_000_000,
            photo_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            photo_memory_bytes: 256 * 1024 * 1024,
            photo_memory_total_bytes: 512 * 1024 * 1024,
            max_selections: 10_000,
            max_string_chars: 20_000,
            header_timeout_secs: 10,
            body_idle_timeout_secs: 20,
            max_connections: 1024,
        }
    }
}

/// Sign-in policy.
#[derive(Debug, Clone)]
pub struct LoginPolicy {
    /// Failed attempts for one username that trigger the lockout.
    pub max_failures: u32,
    /// Time in which an account's allowance of attempts refills completely, in seconds.
    pub window_secs: i64,
    /// Attempts one client address may make at once (all usernames together).
    pub address_burst: u32,
    /// Time in which an address's allowance refills completely, in seconds.
    pub address_period_secs: i64,
    /// The header a trusted reverse proxy puts the client's address in (e.g. `x-forwarded-for`, whose
    /// last entry is taken). Unset: the connection's peer address. Never set it without such a proxy:
    /// clients could then choose their own address.
    pub client_ip_header: Option<String>,
}

impl Default for LoginPolicy {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_secs: 15 * 60,
            address_burst: 20,
            address_period_secs: 60,
            client_ip_header: None,
        }
    }
}

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
    pub production: bool,
    pub introspection: bool,
    pub graphiql: bool,
    pub field_suggestions: bool,
    /// Load the demo county when the database holds no units yet.
    pub seed_demo_when_empty: bool,
    /// Largest number of database connections in the pool.
    pub db_max_connections: u32,
    pub limits: Limits,
    pub login: LoginPolicy,
    /// A bearer token `/metrics` asks for; unset, `/metrics` is served only on `metrics_bind`.
    pub metrics_token: Option<Secret>,
    /// A separate address (e.g. `127.0.0.1:9090`) that serves `/metrics` alone, without a token.
    pub metrics_bind: Option<SocketAddr>,
    /// The county's clock: its time zone, and an instant it stands at when fixed (tests, demos).
    pub clock: crate::clock::Clock,
}

/// Everything a TOML file or the environment may set; unset fields keep their defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    database_url: Option<String>,
    bind: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    storage_dir: Option<PathBuf>,
    storage_url: Option<String>,
    jwt_secret: Option<String>,
    jwt_issuer: Option<String>,
    jwt_audience: Option<String>,
    token_ttl_secs: Option<i64>,
    production: Option<bool>,
    introspection: Option<bool>,
    graphiql: Option<bool>,
    field_suggestions: Option<bool>,
    seed_demo: Option<bool>,
    db_max_connections: Option<u32>,
    max_body_bytes: Option<usize>,
    max_depth: Option<usize>,
    max_complexity: Option<usize>,
    max_root_fields: Option<usize>,
    max_aliases: Option<usize>,
    max_batch: Option<usize>,
    max_page_size: Option<u64>,
    max_photo_bytes: Option<usize>,
    max_photo_files: Option<usize>,
    max_photo_pixels: Option<u64>,
    photo_workers: Option<usize>,
    login_max_failures: Option<u32>,
    login_window_secs: Option<i64>,
    login_address_burst: Option<u32>,
    login_address_period_secs: Option<i64>,
    client_ip_header: Option<String>,
    photo_memory_bytes: Option<u64>,
    photo_memory_total_bytes: Option<u64>,
    max_selections: Option<usize>,
    max_string_chars: Option<usize>,
    header_timeout_secs: Option<u64>,
    body_idle_timeout_secs: Option<u64>,
    max_connections: Option<usize>,
    metrics_token: Option<String>,
    metrics_bind: Option<SocketAddr>,
    time_zone: Option<String>,
    fixed_now: Option<chrono::DateTime<chrono::Utc>>,
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
        let zone = match o.time_zone.as_deref() {
            Some(raw) => crate::clock::parse_zone(raw).ok_or_else(|| {
                ConfigError::Invalid(format!("time_zone `{raw}` is not Asia/Shanghai, UTC or an offset like +08:00"))
            })?,
            None => crate::clock::china(),
        };
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
            production,
            introspection: o.introspection.unwrap_or(!production),
            graphiql: o.graphiql.unwrap_or(!production),
            field_suggestions: o.field_suggestions.unwrap_or(!production),
            seed_demo_when_empty: o.seed_demo.unwrap_or(!production),
            db_max_connections: o.db_max_connections.unwrap_or(16),
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
            clock: crate::clock::Clock::new(zone, o.fixed_now),
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
            production: false,
            introspection: true,
            graphiql: true,
            field_suggestions: true,
            seed_demo_when_empty: true,
            db_max_connections: 5,
            limits: Limits::default(),
            login: LoginPolicy::default(),
            metrics_token: Some(Secret::new("test-metrics-token")),
            metrics_bind: None,
            clock: crate::clock::Clock::default(),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let positive = [
            ("token_ttl_secs", self.token_ttl_secs > 0),
            ("login_window_secs", self.login.window_secs > 0),
            ("login_max_failures", self.login.max_failures > 0),
            ("max_batch", self.limits.max_batch > 0),
            ("max_page_size", self.limits.max_page_size > 0),
            ("max_body_bytes", self.limits.max_body_bytes >= 1024),
            ("db_max_connections", self.db_max_connections > 0),
            ("max_photo_bytes", self.limits.max_photo_bytes >= 1024),
            ("max_photo_files", self.limits.max_photo_files > 0),
            ("max_photo_pixels", self.limits.max_photo_pixels > 0),
            ("photo_workers", self.limits.photo_workers > 0),
            ("photo_memory_bytes", self.limits.photo_memory_bytes >= 16 * 1024 * 1024),
            ("photo_memory_total_bytes", self.limits.photo_memory_total_bytes >= self.limits.photo_memory_bytes),
            ("max_selections", self.limits.max_selections > 0),
            ("max_string_chars", self.limits.max_string_chars >= 100),
            ("header_timeout_secs", self.limits.header_timeout_secs > 0),
            ("body_idle_timeout_secs", self.limits.body_idle_timeout_secs > 0),
            ("max_connections", self.limits.max_connections > 0),
            ("login_address_burst", self.login.address_burst > 0),
            ("login_address_period_secs", self.login.address_period_secs > 0),
            ("metrics_token", self.metrics_token.as_ref().is_none_or(|t| t.expose().len() >= 16)),
        ];
        for (name, ok) in positive {
            if !ok {
                return Err(ConfigError::Invalid(format!("{name} is out of range")));
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

/// Fills `o` from `KP_*` variables (and `DATABASE_URL`); `get` is the environment, injectable for tests.
fn apply_env(o: &mut Overrides, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
    fn parse<T: std::str::FromStr>(name: &str, raw: String) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        raw.trim().parse().map_err(|e: T::Err| ConfigError::Env { name: name.into(), message: e.to_string() })
    }
    macro_rules! env_field {
        ($field:ident, $name:literal) => {
            let name = concat!("KP_", $name);
            if let Some(raw) = get(name) {
                o.$field = Some(parse(name, raw)?);
            }
        };
    }
    if let Some(url) = get("DATABASE_URL") {
        o.database_url = Some(url);
    }
    env_field!(database_url, "DATABASE_URL");
    env_field!(bind, "BIND");
    env_field!(data_dir, "DATA_DIR");
    env_field!(storage_dir, "STORAGE_DIR");
    env_field!(storage_url, "STORAGE_URL");
    env_field!(jwt_secret, "JWT_SECRET");
    env_field!(jwt_issuer, "JWT_ISSUER");
    env_field!(jwt_audience, "JWT_AUDIENCE");
    env_field!(token_ttl_secs, "TOKEN_TTL_SECS");
    env_field!(production, "PRODUCTION");
    env_field!(introspection, "INTROSPECTION");
    env_field!(graphiql, "GRAPHIQL");
    env_field!(field_suggestions, "FIELD_SUGGESTIONS");
    env_field!(seed_demo, "SEED_DEMO");
    env_field!(db_max_connections, "DB_MAX_CONNECTIONS");
    env_field!(max_body_bytes, "MAX_BODY_BYTES");
    env_field!(max_depth, "MAX_DEPTH");
    env_field!(max_complexity, "MAX_COMPLEXITY");
    env_field!(max_root_fields, "MAX_ROOT_FIELDS");
    env_field!(max_aliases, "MAX_ALIASES");
    env_field!(max_batch, "MAX_BATCH");
    env_field!(max_page_size, "MAX_PAGE_SIZE");
    env_field!(max_photo_bytes, "MAX_PHOTO_BYTES");
    env_field!(max_photo_files, "MAX_PHOTO_FILES");
    env_field!(max_photo_pixels, "MAX_PHOTO_PIXELS");
    env_field!(photo_workers, "PHOTO_WORKERS");
    env_field!(login_max_failures, "LOGIN_MAX_FAILURES");
    env_field!(login_window_secs, "LOGIN_WINDOW_SECS");
    env_field!(login_address_burst, "LOGIN_ADDRESS_BURST");
    env_field!(login_address_period_secs, "LOGIN_ADDRESS_PERIOD_SECS");
    env_field!(client_ip_header, "CLIENT_IP_HEADER");
    env_field!(photo_memory_bytes, "PHOTO_MEMORY_BYTES");
    env_field!(photo_memory_total_bytes, "PHOTO_MEMORY_TOTAL_BYTES");
    env_field!(max_selections, "MAX_SELECTIONS");
    env_field!(max_string_chars, "MAX_STRING_CHARS");
    env_field!(header_timeout_secs, "HEADER_TIMEOUT_SECS");
    env_field!(body_idle_timeout_secs, "BODY_IDLE_TIMEOUT_SECS");
    env_field!(max_connections, "MAX_CONNECTIONS");
    env_field!(metrics_token, "METRICS_TOKEN");
    env_field!(metrics_bind, "METRICS_BIND");
    env_field!(time_zone, "TIME_ZONE");
    env_field!(fixed_now, "FIXED_NOW");
    Ok(())
}

/// In the embedded default the signing secret is made once and kept in the data folder, so tokens
/// survive restarts without anyone having to configure a secret.
fn persistent_dev_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
    use argon2::password_hash::rand_core::{OsRng, RngCore};
    use std::io::Write;

    let io_err = |source| ConfigError::DataDir { path: data_dir.to_owned(), source };
    std::fs::create_dir_all(data_dir).map_err(io_err)?;
    let path = data_dir.join("jwt-secret");
    match std::fs::read_to_string(&path) {
        Ok(existing) if existing.trim().len() >= MIN_SECRET_BYTES => {
            return Ok(Secret::new(existing.trim()));
        }
        Ok(_) => {
            return Err(ConfigError::Invalid(format!("{} is too short; delete it", path.display())));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(e)),
    }
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path).map_err(io_err)?;
    file.write_all(secret.as_bytes()).map_err(io_err)?;
    Ok(Secret::new(secret))
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

    #[test]
    fn the_dev_secret_survives_a_restart() -> Result<(), ConfigError> {
        let dir = std::env::temp_dir().join(format!("kp-secret-{}", uuid::Uuid::new_v4()));
        let first = persistent_dev_secret(&dir)?;
        let second = persistent_dev_secret(&dir)?;
        assert_eq!(first, second);
        assert!(first.expose().len() >= MIN_SECRET_BYTES);
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
