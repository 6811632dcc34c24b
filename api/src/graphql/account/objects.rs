use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::unit::{self, UnitKind};
use entity::user::{self, Role};
use uuid::Uuid;

use crate::graphql::children::children;
use crate::graphql::context::{load, load_opt};
use crate::graphql::pagination::connection;
use crate::graphql::project::loaders::{ProjectsOfLeader, ProjectsOfUnit};
use crate::graphql::project::{Project, ProjectConnection, ProjectFilter, ProjectOrder};

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

    /// The projects this leader is linked to (领导联项目), in the root `projects` list's order and with
    /// its filters; empty for accounts that lead none.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ProjectFilter>,
        #[graphql(desc = "Order (NAME ascending when omitted).")] order_by: Option<ProjectOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        let args = (filter, order_by);
        Ok(children::<ProjectsOfLeader, _>(ctx, self.0.id, args, first, after, Project::from).await?)
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

    /// Whether the unit carries funding targets (指标任务) in a year: a target above 0 set for it.
    /// For a year with no targets set at all, the unit's stored designation (有争资口子).
    async fn has_funding_targets(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The year (default: the current one).")] year: Option<i32>,
    ) -> async_graphql::Result<bool> {
        use crate::graphql::context::ContextExt;
        let year = match year {
            Some(year) => year,
            None => chrono::Datelike::year(&ctx.state()?.config.clock.today()),
        };
        let loader = ctx.cached::<crate::graphql::funding::loaders::TargetedIn>()?;
        Ok(loader.load_one((self.0.id, year)).await?.flatten().unwrap_or(self.0.has_funding_targets))
    }

    /// The unit's head (一把手), who reports to the project office every month; null until recorded.
    async fn head(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<User>> {
        Ok(load_opt::<entity::user::Entity>(ctx, self.0.head_user_id, "user").await?.map(User))
    }

    /// The projects this unit is responsible for (部门包项目), in the root `projects` list's order and
    /// with its filters.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ProjectFilter>,
        #[graphql(desc = "Order (NAME ascending when omitted).")] order_by: Option<ProjectOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        let args = (filter, order_by);
        Ok(children::<ProjectsOfUnit, _>(ctx, self.0.id, args, first, after, Project::from).await?)
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
