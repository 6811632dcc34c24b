use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::unit::{self, UnitKind};
use entity::user::{self, Role};
use uuid::Uuid;

use crate::graphql::context::{load, load_opt};
use crate::graphql::pagination::connection;

/// A person or system that signs in. Belongs to exactly one unit.
pub struct User(pub user::Model);

/// A person or system that signs in. Belongs to exactly one unit.
#[Object]
impl User {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Sign-in name, lower case.
    async fn username(&self) -> &str {
        &self.0.username
    }

    /// Name shown to other users.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    /// What the account may do.
    async fn role(&self) -> Role {
        self.0.role
    }

    /// Whether the account may sign in.
    async fn active(&self) -> bool {
        self.0.active
    }

    /// The unit the account belongs to.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// When the account was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// A unit (单位): a responsible department, a township, an enterprise, the project office or the
/// leading group.
pub struct Unit(pub unit::Model);

/// A unit (单位): a responsible department, a township, an enterprise, the project office or the
/// leading group.
#[Object]
impl Unit {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// Official short name, e.g. `自然资源局`.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// What kind of body the unit is.
    async fn kind(&self) -> UnitKind {
        self.0.kind
    }

    /// Whether the unit carries yearly funding targets (指标任务).
    async fn has_funding_targets(&self) -> bool {
        self.0.has_funding_targets
    }

    /// The unit's head (一把手), who reports to the project office every month; null until recorded.
    async fn head(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.head_user_id, "user").await?.map(User))
    }
}

connection!(UserConnection, UserEdge, User, "A page of accounts, ordered by username.", "An account and its cursor.");
connection!(UnitConnection, UnitEdge, Unit, "A page of units, ordered by name.", "A unit and its cursor.");

/// A signed-in session.
#[derive(async_graphql::SimpleObject)]
pub struct LoginPayload {
    /// Bearer token for the `Authorization` header.
    pub token: String,
    /// When the token stops working (UTC).
    pub expires_at: DateTime<Utc>,
    /// The signed-in user.
    pub user: User,
}

impl From<crate::service::account::Session> for LoginPayload {
    fn from(s: crate::service::account::Session) -> Self {
        Self { token: s.token, expires_at: s.expires_at, user: User(s.user) }
    }
}
