//! The authenticated caller, resolved once per request from the bearer token.

use axum::http::{HeaderMap, header};
use entity::user::{self, Role};
use std::sync::Arc;

use uuid::Uuid;

use super::{AccountLookup, JwtKeys};
use crate::error::{AppError, AppResult};
use crate::service::keys::{self as integration_keys, Grant};

pub(crate) const BAD_TOKEN: &str = "invalid or expired token";

/// Marks a request whose `Authorization` header held a token that was refused. The request goes on
/// without a caller, so operations that need none (`login` above all: a phone that kept a stale
/// header must be able to sign in again) still work; whatever needs a caller answers
/// `UNAUTHENTICATED` saying the token was bad.
#[derive(Debug, Clone, Copy)]
pub struct TokenRejected;

/// A signed-in user, as the database says it is now; for a request made with an integration key,
/// the key's own account and what the key may do.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: user::Model,
    pub key: Option<Arc<Grant>>,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn unit_id(&self) -> Uuid {
        self.user.unit_id
    }

    pub fn is_admin(&self) -> bool {
        self.user.role == Role::Admin
    }

    /// The units the caller acts for: those of an integration key narrowed to several, else the
    /// account's own.
    pub fn units(&self) -> crate::service::kit::Units {
        self.key
            .as_ref()
            .and_then(|k| crate::service::kit::Units::of(&k.units))
            .unwrap_or_else(|| crate::service::kit::Units::one(self.user.unit_id))
    }

    /// Whether the caller acts for `unit`.
    pub fn acts_for(&self, unit: Uuid) -> bool {
        self.units().contains(unit)
    }

    /// `FORBIDDEN` unless the caller holds one of `roles`.
    pub fn require_role(&self, roles: &[Role], action: &str) -> AppResult<()> {
        if roles.contains(&self.user.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(format!("your role may not {action}")))
        }
    }
}

/// Turns the `Authorization` header into a caller. No header is anonymous; a header that does not
/// hold a valid token for an active user, or a valid integration key, is an error, never anonymous.
pub async fn authenticate(
    accounts: &Arc<AccountLookup>,
    keys: &JwtKeys,
    headers: &HeaderMap,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<Option<Caller>> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthenticated(BAD_TOKEN))?;
    if token.starts_with(integration_keys::SECRET_PREFIX) {
        let grant = integration_keys::authenticate(accounts.db(), &accounts.key_usage, token, now).await?;
        return match accounts.get(grant.user_id).await? {
            Some(user) if user.active => Ok(Some(Caller { user, key: Some(Arc::new(grant)) })),
            _ => Err(AppError::Unauthenticated(BAD_TOKEN)),
        };
    }
    let claims = keys.verify(token)?;
    let user = accounts.get(claims.sub).await?;
    match user {
        Some(user) if user.active && user.session_epoch == claims.ver => Ok(Some(Caller { user, key: None })),
        _ => Err(AppError::Unauthenticated(BAD_TOKEN)),
    }
}
