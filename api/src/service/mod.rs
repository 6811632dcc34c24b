//! Database work, one module a domain. Services take `&impl ConnectionTrait` (a pool or a
//! transaction), check who may do what in one place per domain, and know nothing of GraphQL.

pub mod account;
pub mod audit;
pub mod case;
pub mod dashboard;
pub mod health;
pub mod inspection;
pub mod issue;
pub mod money;
pub mod page;
pub mod photo;
pub mod project;
pub mod report;
pub mod schedule;

use entity::user::Role;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};

/// On whose behalf a change is made; recorded in the audit trail.
#[derive(Debug, Clone)]
pub enum Actor {
    /// A signed-in user, through the API.
    User { caller: Caller, request_id: Option<String> },
    /// The server itself or an operator at the command line (seeding, `user create`).
    System,
}

impl Actor {
    pub fn user_id(&self) -> Option<uuid::Uuid> {
        match self {
            Self::User { caller, .. } => Some(caller.id()),
            Self::System => None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Self::User { request_id, .. } => request_id.as_deref(),
            Self::System => None,
        }
    }

    /// The caller, or `FORBIDDEN` for a system actor where a person is required.
    pub fn caller(&self) -> AppResult<&Caller> {
        match self {
            Self::User { caller, .. } => Ok(caller),
            Self::System => Err(AppError::Forbidden("this action needs a signed-in user".into())),
        }
    }

    /// Passes for the system and for users holding one of `roles`.
    pub fn require_role(&self, roles: &[Role], action: &str) -> AppResult<()> {
        match self {
            Self::User { caller, .. } => caller.require_role(roles, action),
            Self::System => Ok(()),
        }
    }
}
