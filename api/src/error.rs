//! The one error type. Each variant has a stable machine code that clients branch on
//! (`extensions.code`); database and I/O details are logged, never sent.

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// Stable codes, as they appear in `extensions.code`.
pub mod code {
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const CONFLICT: &str = "CONFLICT";
    pub const PAYLOAD_TOO_LARGE: &str = "PAYLOAD_TOO_LARGE";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const INTERNAL: &str = "INTERNAL";
    pub const PERSISTED_QUERY_NOT_FOUND: &str = "PERSISTED_QUERY_NOT_FOUND";
    pub const UNTRUSTED_DOCUMENT: &str = "UNTRUSTED_DOCUMENT";
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// No valid credentials. The message never says which part was wrong.
    #[error("{0}")]
    Unauthenticated(&'static str),
    #[error("{0}")]
    Forbidden(String),
    /// Also what a caller gets for something that exists but that it may not see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// Invalid input; `field` names the offending input field when there is one.
    #[error("{message}")]
    BadUserInput { field: Option<String>, message: String },
    /// Answers that break a checklist's rules: every violation, each with the item's key.
    #[error("{}", describe_violations(.0))]
    Violations(Vec<Violation>),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("too many attempts; try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: i64 },
    #[error("the service is temporarily unavailable")]
    ServiceUnavailable,
    /// A request named a persisted document by a hash this server does not know: send the text too.
    /// The message is Apollo's, which clients look for.
    #[error("PersistedQueryNotFound")]
    PersistedQueryNotFound,
    /// Only documents registered as trusted run on this server.
    #[error("this server runs only registered (trusted) documents; this one is not registered")]
    UntrustedDocument,
    /// Anything unexpected. The text is for the log only.
    #[error("internal error")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

/// One broken rule of a checklist, at one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub item_key: String,
    pub message: String,
}

fn describe_violations(v: &[Violation]) -> String {
    let parts: Vec<String> = v.iter().map(|v| format!("{}: {}", v.item_key, v.message)).collect();
    format!("the answers break the checklist's rules: {}", parts.join("; "))
}

impl AppError {
    pub fn bad_input(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput { field: Some(field.into()), message: message.into() }
    }

    pub fn internal(context: impl std::fmt::Display) -> Self {
        Self::Internal(context.to_string())
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated(_) => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::BadUserInput { .. } | Self::Violations(_) => code::BAD_USER_INPUT,
            Self::Conflict(_) => code::CONFLICT,
            Self::PayloadTooLarge(_) => code::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::ServiceUnavailable => code::SERVICE_UNAVAILABLE,
            Self::Internal(_) => code::INTERNAL,
            Self::PersistedQueryNotFound => code::PERSISTED_QUERY_NOT_FOUND,
            Self::UntrustedDocument => code::UNTRUSTED_DOCUMENT,
        }
    }
}

/// The database's own code for an error, when it gave one.
fn database_code(err: &DbErr) -> Option<String> {
    use sea_orm::RuntimeErr;
    let runtime = match err {
        DbErr::Exec(e) | DbErr::Query(e) | DbErr::Conn(e) => e,
        _ => return None,
    };
    match runtime {
        RuntimeErr::SqlxError(sea_orm::sqlx::Error::Database(e)) => e.code().map(|c| c.into_owned()),
        _ => None,
    }
}

/// A write that lost a race to another: SQLite busy or locked (5, 6 and their extended codes),
/// PostgreSQL serialization failure, deadlock or lock not available.
fn lost_race(err: &DbErr) -> bool {
    database_code(err).is_some_and(|code| code_lost_race(&code))
}

/// PostgreSQL's SQLSTATEs are checked first: `40001` also parses as a number, and SQLite's codes
/// (extended codes included) stay far below it.
fn code_lost_race(code: &str) -> bool {
    matches!(code, "40001" | "40P01" | "55P03")
        || code.parse::<i32>().is_ok_and(|n| n < 10_000 && matches!(n & 0xff, 5 | 6))
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if lost_race(&err) {
            tracing::info!(error = %err, "a write lost a race");
            return Self::Conflict("another change to the same records came first; read them again and retry".into());
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                Self::Conflict("a record with the same key already exists".into())
            }
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => Self::BadUserInput {
                field: None,
                message: "a referenced record does not exist or is still in use".into(),
            },
            _ => match err {
                DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
                    tracing::error!(error = %err, "database unavailable");
                    Self::ServiceUnavailable
                }
                other => Self::Internal(format!("database: {other}")),
            },
        }
    }
}

impl From<tokio::task::JoinError> for AppError {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Internal(format!("blocking task: {err}"))
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(detail) = &err {
            // The request span carries the request id, so this line and the client's error meet.
            tracing::error!(detail = %detail, "internal error");
        }
        let message = err.to_string();
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", err.code());
            match &err {
                AppError::BadUserInput { field: Some(field), .. } => ext.set("field", field.as_str()),
                AppError::RateLimited { retry_after_secs } => ext.set("retryAfterSecs", *retry_after_secs),
                AppError::Violations(violations) => {
                    ext.set("field", "answers");
                    let list: Vec<async_graphql::Value> = violations
                        .iter()
                        .map(|v| {
                            let mut o = async_graphql::indexmap::IndexMap::new();
                            o.insert(
                                async_graphql::Name::new("itemKey"),
                                async_graphql::Value::from(v.item_key.as_str()),
                            );
                            o.insert(
                                async_graphql::Name::new("message"),
                                async_graphql::Value::from(v.message.as_str()),
                            );
                            async_graphql::Value::Object(o)
                        })
                        .collect();
                    ext.set("violations", async_graphql::Value::List(list));
                }
                _ => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lost_races_are_known_on_both_databases() {
        for code in ["5", "6", "517", "261", "40001", "40P01", "55P03"] {
            assert!(super::code_lost_race(code), "{code}");
        }
        for code in ["19", "2067", "787", "23505", "23503", "42P01"] {
            assert!(!super::code_lost_race(code), "{code}");
        }
    }
}
