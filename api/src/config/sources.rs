//! Where settings come from besides the defaults: a TOML file, `KP_*` variables, and the data folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::*;

/// Everything a TOML file or the environment may set; unset fields keep their defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Overrides {
    pub(super) database_url: Option<String>,
    pub(super) bind: Option<SocketAddr>,
    pub(super) data_dir: Option<PathBuf>,
    pub(super) storage_dir: Option<PathBuf>,
    pub(super) storage_url: Option<String>,
    pub(super) jwt_secret: Option<String>,
    pub(super) jwt_issuer: Option<String>,
    pub(super) jwt_audience: Option<String>,
    pub(super) token_ttl_secs: Option<i64>,
    pub(super) token_leeway_secs: Option<u64>,
    pub(super) production: Option<bool>,
    pub(super) introspection: Option<bool>,
    pub(super) graphiql: Option<bool>,
    pub(super) field_suggestions: Option<bool>,
    pub(super) seed_demo: Option<bool>,
    pub(super) db_max_connections: Option<u32>,
    pub(super) jobs_every_secs: Option<u64>,
    pub(super) orphan_sweep_every_secs: Option<u64>,
    pub(super) orphan_grace_secs: Option<u64>,
    pub(super) webhook_poll_millis: Option<u64>,
    pub(super) webhook_timeout_secs: Option<u64>,
    pub(super) webhook_allow_private: Option<bool>,
    pub(super) max_body_bytes: Option<usize>,
    pub(super) max_depth: Option<usize>,
    pub(super) max_complexity: Option<usize>,
    pub(super) max_root_fields: Option<usize>,
    pub(super) max_aliases: Option<usize>,
    pub(super) max_batch: Option<usize>,
    pub(super) max_page_size: Option<u64>,
    pub(super) max_photo_bytes: Option<usize>,
    pub(super) max_photo_files: Option<usize>,
    pub(super) max_photo_pixels: Option<u64>,
    pub(super) photo_workers: Option<usize>,
    pub(super) login_max_failures: Option<u32>,
    pub(super) login_window_secs: Option<i64>,
    pub(super) login_address_burst: Option<u32>,
    pub(super) login_address_period_secs: Option<i64>,
    pub(super) client_ip_header: Option<String>,
    pub(super) photo_memory_bytes: Option<u64>,
    pub(super) photo_memory_total_bytes: Option<u64>,
    pub(super) max_selections: Option<usize>,
    pub(super) max_string_chars: Option<usize>,
    pub(super) header_timeout_secs: Option<u64>,
    pub(super) body_idle_timeout_secs: Option<u64>,
    pub(super) max_connections: Option<usize>,
    pub(super) metrics_token: Option<String>,
    pub(super) metrics_bind: Option<SocketAddr>,
    /// Comma-separated origins browsers may call the API from.
    pub(super) cors_origins: Option<String>,
    pub(super) time_zone: Option<String>,
    pub(super) fixed_now: Option<chrono::DateTime<chrono::Utc>>,
    /// `off` (the default) or `only`.
    pub(super) trusted_documents: Option<String>,
}

/// Fills `o` from `KP_*` variables (and `DATABASE_URL`); `get` is the environment, injectable for tests.
pub(super) fn apply_env(o: &mut Overrides, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
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
    env_field!(token_leeway_secs, "TOKEN_LEEWAY_SECS");
    env_field!(production, "PRODUCTION");
    env_field!(introspection, "INTROSPECTION");
    env_field!(graphiql, "GRAPHIQL");
    env_field!(field_suggestions, "FIELD_SUGGESTIONS");
    env_field!(seed_demo, "SEED_DEMO");
    env_field!(db_max_connections, "DB_MAX_CONNECTIONS");
    env_field!(jobs_every_secs, "JOBS_EVERY_SECS");
    env_field!(orphan_sweep_every_secs, "ORPHAN_SWEEP_EVERY_SECS");
    env_field!(orphan_grace_secs, "ORPHAN_GRACE_SECS");
    env_field!(webhook_poll_millis, "WEBHOOK_POLL_MILLIS");
    env_field!(webhook_timeout_secs, "WEBHOOK_TIMEOUT_SECS");
    env_field!(webhook_allow_private, "WEBHOOK_ALLOW_PRIVATE");
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
    env_field!(cors_origins, "CORS_ORIGINS");
    env_field!(time_zone, "TIME_ZONE");
    env_field!(fixed_now, "FIXED_NOW");
    env_field!(trusted_documents, "TRUSTED_DOCUMENTS");
    Ok(())
}

/// In the embedded default the signing secret is made once and kept in the data folder, so tokens
/// survive restarts without anyone having to configure a secret.
pub(super) fn persistent_dev_secret(data_dir: &Path) -> Result<Secret, ConfigError> {
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

/// The webhook settings given, defaults for the rest.
pub(super) fn webhooks(
    poll_millis: Option<u64>,
    timeout_secs: Option<u64>,
    allow_private: Option<bool>,
) -> WebhookSettings {
    let d = WebhookSettings::default();
    WebhookSettings {
        poll_millis: poll_millis.unwrap_or(d.poll_millis),
        timeout_secs: timeout_secs.unwrap_or(d.timeout_secs),
        allow_private: allow_private.unwrap_or(d.allow_private),
    }
}

/// `trusted_documents`: `off` (the default) or `only`.
pub(super) fn trusted_documents(raw: Option<&str>) -> Result<crate::service::documents::Policy, ConfigError> {
    use crate::service::documents::Policy;
    match raw.map(str::trim) {
        None | Some("off") => Ok(Policy::Open),
        Some("only") => Ok(Policy::TrustedOnly),
        Some(other) => {
            Err(ConfigError::Invalid(format!("{ENV_PREFIX}TRUSTED_DOCUMENTS is `{other}`; it must be `off` or `only`")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::documents::Policy;

    #[test]
    fn trusted_documents_are_off_or_only() {
        assert_eq!(trusted_documents(None).ok(), Some(Policy::Open));
        assert_eq!(trusted_documents(Some("off")).ok(), Some(Policy::Open));
        assert_eq!(trusted_documents(Some(" only ")).ok(), Some(Policy::TrustedOnly));
        let refused = trusted_documents(Some("sometimes"));
        assert!(matches!(&refused, Err(ConfigError::Invalid(m)) if m.contains("KP_TRUSTED_DOCUMENTS")), "{refused:?}");
    }

    #[test]
    fn the_dev_secret_survives_a_restart() -> Result<(), super::ConfigError> {
        let dir = std::env::temp_dir().join(format!("kp-secret-{}", uuid::Uuid::new_v4()));
        let first = persistent_dev_secret(&dir)?;
        let second = persistent_dev_secret(&dir)?;
        assert_eq!(first, second);
        assert!(first.expose().len() >= super::MIN_SECRET_BYTES);
        let _ = std::fs::remove_dir_all(&dir);
        Ok(())
    }
}
