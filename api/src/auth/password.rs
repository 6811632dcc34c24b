//! argon2id hashing on a fixed pool of worker threads, each reusing one memory buffer. Each hash
//! needs ~19 MiB; allocated afresh on whatever blocking thread ran it, a burst of sign-ins left
//! hundreds of MiB in glibc's per-thread arenas for good. Here the memory is the workers' and stays
//! the same however many sign-ins come, and the work waits in line instead of piling up threads.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString, rand_core::OsRng};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::{Semaphore, oneshot};

use crate::error::{AppError, AppResult};

const MIN_LEN: usize = 10;
const MAX_LEN: usize = 128;

/// Passwords that guessing lists try first; a new password may not be one of them (nor contain the
/// username). Compared without case.
const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "p@ssw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "0123456789",
    "qwertyuiop",
    "1q2w3e4r5t",
    "1qaz2wsx3edc",
    "qwerty123",
    "qwerty1234",
    "iloveyou",
    "admin123",
    "administrator",
    "welcome1",
    "welcome123",
    "letmein123",
    "abc123456",
    "abcd1234",
    "a123456789",
    "11111111",
    "1111111111",
    "00000000",
    "0000000000",
    "88888888",
    "66666666",
    "5201314520",
    "woaini1314",
    "changeme",
    "changeme123",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "dragon123",
    "monkey123",
    "trustno1",
    "superman",
    "starwars",
    "computer",
    "internet",
    "zaq12wsx",
    "asdfghjkl",
    "zxcvbnm123",
    "1234qwer",
];

/// Refuses passwords a county system should not accept: shorter than 10 or longer than 128
/// characters, only spaces, a commonly guessed one, or one containing the username. Names `field`.
pub fn validate_new_password(field: &str, password: &str, username: &str) -> AppResult<()> {
    let chars = password.chars().count();
    if !(MIN_LEN..=MAX_LEN).contains(&chars) {
        return Err(AppError::bad_input(field, format!("a password has {MIN_LEN} to {MAX_LEN} characters")));
    }
    if password.trim().is_empty() {
        return Err(AppError::bad_input(field, "a password cannot be only spaces"));
    }
    let lower = password.to_lowercase();
    let first = lower.chars().next().unwrap_or_default();
    if COMMON.iter().any(|c| lower == *c) || lower.chars().all(|c| c == first) {
        return Err(AppError::bad_input(field, "this password is among the first that guessers try"));
    }
    let user = username.trim().to_lowercase();
    if user.chars().count() >= 3 && lower.contains(&user) {
        return Err(AppError::bad_input(field, "a password may not contain the username"));
    }
    Ok(())
}

/// Hashes and verifies passwords on the process's hashing workers.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
}

enum Job {
    Hash(String, oneshot::Sender<AppResult<String>>),
    Verify(String, Option<String>, oneshot::Sender<AppResult<bool>>),
}

/// The process's workers: started once, shared by every server in the process (tests run many).
fn workers() -> &'static mpsc::Sender<Job> {
    static WORKERS: OnceLock<mpsc::Sender<Job>> = OnceLock::new();
    WORKERS.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        for i in 0..n {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new().name(format!("argon2-{i}")).spawn(move || {
                let mut memory: Vec<Block> = Vec::new();
                loop {
                    let job = match rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    match job {
                        Ok(Job::Hash(password, reply)) => {
                            let _ = reply.send(hash_with(&password, &mut memory));
                        }
                        Ok(Job::Verify(password, stored, reply)) => {
                            let _ = reply.send(verify_with(&password, stored.as_deref(), &mut memory));
                        }
                        Err(_) => return,
                    }
                }
            });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a password hashing worker");
            }
        }
        tx
    })
}

impl PasswordHasher {
    /// `max_waiting` bounds the hashes queued at once; more wait for a place without a thread.
    pub fn new(max_waiting: usize) -> Self {
        Self { permits: Arc::new(Semaphore::new(max_waiting.max(1))) }
    }

    async fn run<T>(&self, job: impl FnOnce(oneshot::Sender<AppResult<T>>) -> Job) -> AppResult<T> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        let (tx, rx) = oneshot::channel();
        workers().send(job(tx)).map_err(|_| AppError::internal("no hashing worker"))?;
        rx.await.map_err(|_| AppError::internal("a hashing worker stopped"))?
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(|tx| Job::Hash(password, tx)).await
    }

    /// Checks `password` against a stored PHC string. With `None` (no such user) it still does the
    /// full work against a throwaway hash, so timing does not tell whether a username exists.
    pub async fn verify(&self, password: String, stored: Option<String>) -> AppResult<bool> {
        self.run(|tx| Job::Verify(password, stored, tx)).await
    }
}

/// argon2 into the worker's own buffer, grown once to the largest cost seen.
fn argon2_into(
    argon: &Argon2<'_>,
    blocks: usize,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> AppResult<()> {
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    argon.hash_password_into_with_memory(password, salt, out, &mut memory[..blocks]).map_err(AppError::internal)
}

fn hash_with(password: &str, memory: &mut Vec<Block>) -> AppResult<String> {
    let params = Params::default();
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(AppError::internal)?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    argon2_into(&argon, params.block_count(), password.as_bytes(), raw_salt, &mut out, memory)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into().map_err(AppError::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(AppError::internal)?),
    };
    Ok(phc.to_string())
}

fn verify_with(password: &str, stored: Option<&str>, memory: &mut Vec<Block>) -> AppResult<bool> {
    let known = stored.is_some();
    let phc = match stored {
        Some(phc) => phc,
        None => decoy_hash(memory)?,
    };
    let parsed = PasswordHash::new(phc).map_err(AppError::internal)?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(AppError::internal)?;
    let version = parsed.version.map(Version::try_from).transpose().map_err(AppError::internal)?.unwrap_or_default();
    let params = Params::try_from(&parsed).map_err(AppError::internal)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err(AppError::internal("a stored password hash lacks its salt or hash"));
    };
    let mut salt_bytes = [0u8; 64];
    let raw_salt = salt.decode_b64(&mut salt_bytes).map_err(AppError::internal)?;
    let mut out = vec![0u8; expected.len()];
    let argon = Argon2::new(algorithm, version, params.clone());
    argon2_into(&argon, params.block_count(), password.as_bytes(), raw_salt, &mut out, memory)?;
    // `Output`'s equality is constant-time.
    let ok = Output::new(&out).map_err(AppError::internal)? == expected;
    Ok(ok && known)
}

fn decoy_hash(memory: &mut Vec<Block>) -> AppResult<&'static str> {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(h) = DECOY.get() {
        return Ok(h);
    }
    let made = hash_with("decoy password that nobody has", memory)?;
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

    #[tokio::test]
    async fn hashes_made_elsewhere_verify() -> AppResult<()> {
        use argon2::PasswordHasher as _;
        let salt = SaltString::generate(&mut OsRng);
        let phc = Argon2::default().hash_password(b"made by the library", &salt).map_err(AppError::internal)?;
        let hasher = PasswordHasher::new(1);
        assert!(hasher.verify("made by the library".into(), Some(phc.to_string())).await?);
        assert!(!hasher.verify("made by the librarY".into(), Some(phc.to_string())).await?);
        Ok(())
    }

    #[test]
    fn password_rules() {
        assert!(validate_new_password("p", "short-one", "u").is_err(), "9 characters");
        assert!(validate_new_password("p", "            ", "u").is_err());
        assert!(validate_new_password("p", "Password123", "u").is_err(), "common");
        assert!(validate_new_password("p", "aaaaaaaaaaaa", "u").is_err(), "one character repeated");
        assert!(validate_new_password("p", "my-land.clerk-2026", "land.clerk").is_err(), "contains the username");
        assert!(validate_new_password("p", "long enough here", "u").is_ok());
        assert!(validate_new_password("p", &"x".repeat(129), "u").is_err());
    }
}
