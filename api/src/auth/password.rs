//! argon2id hashing, off the async threads and with bounded concurrency: each hash takes ~19 MiB and
//! tens of milliseconds, so an unbounded burst of logins must not starve the runtime or the memory.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordVerifier, SaltString, rand_core::OsRng};
use argon2::{Argon2, PasswordHasher as _};
use tokio::sync::Semaphore;

use crate::error::{AppError, AppResult};

const MIN_LEN: usize = 8;
const MAX_LEN: usize = 128;

/// Rejects passwords a county system should not accept; names the input field on failure.
pub fn validate_new_password(field: &str, password: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&chars) {
        return Err(AppError::bad_input(field, format!("a password has {MIN_LEN} to {MAX_LEN} characters")));
    }
    if password.trim().is_empty() {
        return Err(AppError::bad_input(field, "a password cannot be only spaces"));
    }
    Ok(())
}

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

impl PasswordHasher {
    pub fn new(max_concurrent: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_concurrent.max(1))) }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || hash_now(&password)).await?
    }

    /// Checks `password` against a stored PHC string. With `None` (no such user) it still does the
    /// full work against a throwaway hash, so timing does not tell whether a username exists.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(move || {
            let known = stored.is_some();
            let phc = match stored {
                Some(phc) => phc,
                None => decoy_hash()?.to_owned(),
            };
            let parsed = PasswordHash::new(&phc).map_err(AppError::internal)?;
            let ok = Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok();
            Ok(ok && known)
        })
        .await?
    }
}

fn hash_now(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(AppError::internal)
}

fn decoy_hash() -> AppResult<&'static str> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DECOY.get() {
        return Ok(h);
    }
    let made = hash_now("decoy password that nobody has")?;
    Ok(DECOY.get_or_init(|| made))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_differ() -> AppResult<()> {
        let hasher = PasswordHasher::new(2);
        let a = hasher.hash("correct horse".into()).await?;
        let b = hasher.hash("correct horse".into()).await?;
        assert_ne!(a, b, "salts differ");
        assert!(hasher.verify("correct horse".into(), Some(a.clone())).await?);
        assert!(!hasher.verify("wrong horse".into(), Some(a)).await?);
        assert!(!hasher.verify("decoy password that nobody has".into(), None).await?);
        Ok(())
    }

    #[test]
    fn password_rules() {
        assert!(validate_new_password("p", "short").is_err());
        assert!(validate_new_password("p", "          ").is_err());
        assert!(validate_new_password("p", "long enough").is_ok());
        assert!(validate_new_password("p", &"x".repeat(129)).is_err());
    }
}
