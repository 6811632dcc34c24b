//! Accounts: sign-in, the caller, users and units.

pub(crate) mod columns;
pub(crate) mod inputs;
mod objects;
mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::{CreateUserInput, UnitFilter, UserFilter};
pub use objects::{LoginPayload, Unit, UnitConnection, User, UserConnection};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::account::{self, NewUser, UnitFilter as UnitFilterArgs, UserFilter as UserFilterArgs};
use crate::service::page::PageRequest;

#[derive(Default)]
pub struct AccountQuery;

#[Object]
impl AccountQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(ctx.caller()?.user.clone()))
    }

    /// One account by id. ADMIN, or the account's owner.
    async fn user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account's id.")] id: Uuid,
    ) -> async_graphql::Result<User> {
        let state = ctx.state()?;
        Ok(User(account::find_user(&state.db, &ctx.actor()?, id).await?))
    }

    /// Accounts ordered by username. ADMIN only.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UserFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<UserConnection> {
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let f = filter.unwrap_or_default();
        let filter = UserFilterArgs { role: f.role, unit_id: f.unit_id, active: f.active, search: f.search };
        let count = deferred((state.db.clone(), actor.clone(), filter.clone()), |(db, actor, filter)| async move {
            account::count_users(&db, &actor, &filter).await
        });
        let fetch = |page: PageRequest| async move { account::list_users(&state.db, &actor, &filter, &page).await };
        Ok(list(
            ctx,
            first,
            after,
            ListSpec { fetch, count, key: |u: &entity::user::Model| u.username.clone(), node: User },
        )
        .await?)
    }

    /// One unit by id. Any signed-in user.
    async fn unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit's id.")] id: Uuid,
    ) -> async_graphql::Result<Unit> {
        ctx.caller()?;
        Ok(Unit(account::find_unit(&ctx.state()?.db, id).await?))
    }

    /// Units ordered by name: the county's organisation chart. Any signed-in user.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn units(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<UnitFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<UnitConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let f = filter.unwrap_or_default();
        let funding_year = chrono::Datelike::year(&state.config.clock.today());
        let filter =
            UnitFilterArgs { kind: f.kind, has_funding_targets: f.has_funding_targets, funding_year, search: f.search };
        let count = deferred((state.db.clone(), filter.clone()), |(db, filter)| async move {
            account::count_units(&db, &filter).await
        });
        let fetch = |page: PageRequest| async move { account::list_units(&state.db, &filter, &page).await };
        Ok(list(
            ctx,
            first,
            after,
            ListSpec { fetch, count, key: |u: &entity::unit::Model| u.name.clone(), node: Unit },
        )
        .await?)
    }
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Signs in. A wrong username or password gets `UNAUTHENTICATED` without saying which; after 5
    /// failures for one username within 15 minutes, `RATE_LIMITED` until the window has passed.
    async fn login(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Sign-in name (case does not matter), at most 64 characters.",
            validator(custom = "super::scalars::MaxChars(64)")
        )]
        username: String,
        #[graphql(
            desc = "The account's password, at most 128 characters.",
            validator(custom = "super::scalars::MaxChars(128)")
        )]
        password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let s = ctx.state()?;
        let from = ctx.data_opt::<account::ClientAddr>().cloned().unwrap_or_default();
        let session = account::login(&s.db, &s.hasher, &s.keys, &s.config.login, &username, password, &from).await?;
        Ok(session.into())
    }

    /// Changes the caller's password. Every other session of the caller ends; the returned token
    /// replaces the one used for this request.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The password in use now.", validator(custom = "super::scalars::MaxChars(128)"))]
        current_password: String,
        #[graphql(
            desc = "The new password: 10 to 128 characters, not a commonly guessed one, not containing the username.",
            validator(custom = "super::scalars::MaxChars(128)")
        )]
        new_password: String,
    ) -> async_graphql::Result<LoginPayload> {
        let s = ctx.state()?;
        let actor = ctx.actor()?;
        let from = ctx.data_opt::<account::ClientAddr>().cloned().unwrap_or_default();
        let policy = &s.config.login;
        let session =
            account::change_password(&s.db, &s.hasher, &s.keys, policy, &actor, current_password, new_password, &from)
                .await?;
        Ok(session.into())
    }

    /// Creates an account. ADMIN only.
    async fn create_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new account.")] input: CreateUserInput,
    ) -> async_graphql::Result<User> {
        let s = ctx.state()?;
        let actor = ctx.actor()?;
        let new = NewUser {
            username: input.username,
            display_name: input.display_name,
            password: input.password,
            role: input.role,
            unit_id: input.unit_id,
        };
        Ok(User(account::create_user(&s.db, &s.hasher, &actor, new).await?))
    }

    /// Records a unit's head (一把手), an active account of the unit; null clears it. ADMIN only.
    async fn set_unit_head(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The unit.")] unit_id: Uuid,
        #[graphql(desc = "The head's account, of that unit; null to clear.")] user_id: Option<Uuid>,
    ) -> async_graphql::Result<Unit> {
        let actor = ctx.actor()?;
        Ok(Unit(account::set_unit_head(&ctx.state()?.db, &actor, unit_id, user_id).await?))
    }

    /// Deactivates an account and ends its sessions at once. ADMIN only; not your own account.
    async fn deactivate_user(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The account to deactivate.")] id: Uuid,
    ) -> async_graphql::Result<User> {
        let s = ctx.state()?;
        let actor = ctx.actor()?;
        Ok(User(account::deactivate_user(&s.db, &actor, id).await?))
    }
}
