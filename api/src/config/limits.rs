//! The guard rails and the sign-in policy, with their defaults, and secrets kept out of logs.

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

/// How webhooks are delivered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WebhookSettings {
    /// How often each instance looks for events to deliver, in milliseconds.
    pub poll_millis: u64,
    /// How long a receiver has to answer, in seconds.
    pub timeout_secs: u64,
    /// Whether webhooks may target private, loopback and link-local addresses (off: a webhook
    /// could otherwise reach the servers behind the firewall).
    pub allow_private: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self { poll_millis: 1000, timeout_secs: 10, allow_private: false }
    }
}

/// How often the periodic jobs run. Every instance runs them; each job is safe to run from several
/// instances at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Jobs {
    /// Escalation of overdue issues and the sign-in bucket sweep, in seconds.
    pub every_secs: u64,
    /// The sweep of photo objects that have no row, in seconds (it lists every stored object).
    pub orphan_sweep_every_secs: u64,
    /// How old an object without a row must be before the sweep removes it: longer than any upload
    /// takes between storing its bytes and its row.
    pub orphan_grace_secs: u64,
}

impl Default for Jobs {
    fn default() -> Self {
        Self { every_secs: 300, orphan_sweep_every_secs: 3600, orphan_grace_secs: 3600 }
    }
}

/// The pool's size when none is set. PostgreSQL serves each connection with a process of its own:
/// 16. SQLite runs inside this process, each connection on a thread of its own with its own page
/// cache and statement cache, and writes one at a time whatever the pool: more connections than
/// processors only make the threads take turns and keep more memory. Measured on 2 processors (the
/// `versus` bench, 32 clients): 4 connections served the page as fast as 16 and held 10 MiB more
/// than idle instead of 36.
pub fn default_pool(database_url: &str) -> u32 {
    if !database_url.starts_with("sqlite:") {
        return 16;
    }
    let processors = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
    u32::try_from(processors * 2).unwrap_or(16).clamp(4, 16)
}

#[cfg(test)]
mod pool_tests {
    #[test]
    fn sqlite_pools_follow_the_processors_and_postgresql_keeps_sixteen() {
        assert_eq!(super::default_pool("postgres://db/x"), 16);
        let sqlite = super::default_pool("sqlite://data/x.db?mode=rwc");
        let processors = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get) as u32;
        assert_eq!(sqlite, (processors * 2).clamp(4, 16));
    }
}
