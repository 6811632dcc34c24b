//! Integration keys (集成密钥) for third-party systems: made, listed and revoked by ADMIN.

use async_graphql::{Context, InputObject, Object};
use chrono::{DateTime, Utc};
use entity::integration_key::{self, Scope};
use uuid::Uuid;

use super::account::{Unit, User};
use super::context::{ContextExt, load, load_opt};
use super::pagination::{ListSpec, Prefetch, connection, deferred, list};
use super::prefetch::Wanted;
use crate::error::AppResult;
use crate::service::keys::{self, NewKey};
use crate::service::page::PageRequest;

/// A key a third-party system sends as `Authorization: Bearer <secret>`. The secret itself is shown
/// once, when the key is made.
pub struct IntegrationKey(pub integration_key::Model);

/// A key a third-party system sends as `Authorization: Bearer <secret>`. The secret itself is shown
/// once, when the key is made.
#[Object]
impl IntegrationKey {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// What the key is for, e.g. "大数据局 data exchange".
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The secret's first characters (`kpk_` and 8 more), to tell keys apart in logs and lists.
    async fn prefix(&self) -> &str {
        &self.0.prefix
    }

    /// What the key may do.
    async fn scopes(&self) -> Vec<Scope> {
        self.0.scope_list()
    }

    /// The first unit the key is narrowed to (its account's unit). None: it reads everything its
    /// scopes name, as an INTEGRATION account does.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Unit>> {
        Ok(load_opt::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?.map(Unit))
    }

    /// Every unit the key is narrowed to: it sees and does what a user of any of them may. Empty:
    /// not narrowed.
    async fn units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        let ids = ctx.cached::<KeyUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let found = ctx.loader::<entity::unit::Entity>()?.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Unit).collect())
    }

    /// The account the key acts as: the author, in the audit trail, of what the key does.
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.user_id, "user").await?))
    }

    /// Requests a minute the key may make, across every instance of the server.
    async fn rate_limit_per_minute(&self) -> i32 {
        self.0.rate_limit_per_minute
    }

    /// When the key stops working by itself; none when it does not.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at
    }

    /// When the key was revoked.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }

    /// Whether the key works now: neither revoked nor expired.
    async fn active(&self, ctx: &Context<'_>) -> async_graphql::Result<bool> {
        let now = ctx.state()?.config.clock.now();
        Ok(self.0.works_at(now))
    }

    /// When the key was made.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// Who made the key.
    async fn created_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.created_by, "user").await?))
    }

    /// When the key was last used; none if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }

    /// Requests made with the key so far (refused ones included once the key was recognised).
    async fn request_count(&self) -> i64 {
        self.0.request_count
    }
}

crate::graphql::loaders::keyed_loader!(
    /// The units each key is narrowed to.
    KeyUnits, Vec<Uuid>, |db, keys| keys::units_of_keys(db, keys).await
);

connection!(
    IntegrationKeyConnection,
    IntegrationKeyEdge,
    IntegrationKey,
    "A page of integration keys.",
    "An integration key in a page."
);

impl Prefetch for integration_key::Model {
    async fn prefetch(ctx: &Context<'_>, node: async_graphql::Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        let mut users = Wanted::default();
        users.when(node.field("account"), rows.iter().map(|k| k.user_id));
        users.when(node.field("createdBy"), rows.iter().map(|k| k.created_by));
        users.prime::<entity::user::Entity>(ctx).await?;
        let mut units = Wanted::default();
        units.when(node.field("unit"), rows.iter().filter_map(|k| k.unit_id));
        units.prime::<entity::unit::Entity>(ctx).await
    }
}

/// A new key and its secret: keep the secret now, it is never shown again.
pub struct CreatedIntegrationKey {
    key: integration_key::Model,
    secret: String,
}

/// A new key and its secret: keep the secret now, it is never shown again.
#[Object]
impl CreatedIntegrationKey {
    /// The key.
    async fn key(&self) -> IntegrationKey {
        IntegrationKey(self.key.clone())
    }

    /// The secret to send as `Authorization: Bearer <secret>`. Only its hash is stored.
    async fn secret(&self) -> &str {
        &self.secret
    }
}

/// A new integration key.
#[derive(InputObject)]
pub struct CreateIntegrationKeyInput {
    /// What the key is for, 1 to 100 characters.
    pub name: String,
    /// What the key may do; at least one.
    pub scopes: Vec<Scope>,
    /// The units to narrow the key to (at most 8): it then sees and does what a user of any of them
    /// may.
    #[graphql(default)]
    pub unit_ids: Vec<Uuid>,
    /// When the key stops working by itself; never when omitted.
    pub expires_at: Option<DateTime<Utc>>,
    /// Requests a minute, 1 to 1,000,000 (600 when omitted).
    pub rate_limit_per_minute: Option<i32>,
}

#[derive(Default)]
pub struct KeyQuery;

#[Object]
impl KeyQuery {
    /// Integration keys, newest first. ADMIN only.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn integration_keys(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<IntegrationKeyConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let count =
            deferred((state.db.clone(), actor.clone()), |(db, actor)| async move { keys::count(&db, &actor).await });
        let fetch = |page: PageRequest| async move { keys::list(&state.db, &actor, &page).await };
        let key = |k: &integration_key::Model| k.id.to_string();
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: IntegrationKey }).await?)
    }
}

#[derive(Default)]
pub struct KeyMutation;

#[Object]
impl KeyMutation {
    /// Makes an integration key; the answer holds its secret, shown this once. ADMIN only.
    async fn create_integration_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new key.")] input: CreateIntegrationKeyInput,
    ) -> async_graphql::Result<CreatedIntegrationKey> {
        let state = ctx.state()?;
        let new = NewKey {
            name: input.name,
            scopes: input.scopes,
            unit_ids: input.unit_ids,
            expires_at: input.expires_at,
            rate_limit_per_minute: input.rate_limit_per_minute,
        };
        let (key, secret) = keys::create(&state.db, &ctx.actor()?, new, state.config.clock.now()).await?;
        Ok(CreatedIntegrationKey { key, secret })
    }

    /// Revokes a key: it stops working at once, on every instance. ADMIN only.
    async fn revoke_integration_key(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The key.")] id: Uuid,
    ) -> async_graphql::Result<IntegrationKey> {
        let state = ctx.state()?;
        Ok(IntegrationKey(keys::revoke(&state.db, &ctx.actor()?, id, state.config.clock.now()).await?))
    }
}
