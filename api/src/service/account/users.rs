//! Accounts: creating, deactivating, listing and reading them.

use chrono::Utc;
use entity::unit;
use entity::user::{self, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, SqlErr,
};
use uuid::Uuid;

use super::*;
use crate::auth::{PasswordHasher, validate_new_password};
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

/// What [`create_user`] needs.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub unit_id: Uuid,
}

/// Creates an account. ADMIN only (or the command line).
pub async fn create_user(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    actor: &Actor,
    input: NewUser,
) -> AppResult<user::Model> {
    actor.require_role(&[Role::Admin], "create users")?;
    let username = normalize_username(&input.username);
    validate_username(&username)?;
    let display_name = crate::service::text::required("displayName", &input.display_name, 1, 100)?;
    validate_new_password("password", &input.password, &username)?;
    if unit::Entity::find_by_id(input.unit_id).one(db).await?.is_none() {
        return Err(AppError::bad_input("unitId", "no unit has this id"));
    }
    let password_hash = hasher.hash(input.password).await?;
    let now = Utc::now();
    let model = user::Model {
        id: Uuid::now_v7(),
        username: username.clone(),
        display_name,
        role: input.role,
        unit_id: input.unit_id,
        active: true,
        session_epoch: 0,
        created_at: now,
        updated_at: now,
    };
    let txn = crate::db::begin_write(db).await?;
    user::Entity::insert(model.clone().into_active_model())
        .exec_without_returning(&txn)
        .await
        .map_err(|e| username_conflict(e, &username))?;
    super::credentials::set_hash(&txn, model.id, password_hash, now).await?;
    let inserted = model;
    let changes = audit::diff(None, Some(&inserted))?;
    audit::record(
        &txn,
        actor,
        Change { action: "user.create", entity_type: "user", entity_id: inserted.id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(inserted)
}

fn username_conflict(err: DbErr, username: &str) -> AppError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(format!("username `{username}` is taken")),
        _ => err.into(),
    }
}

/// Turns an account off and ends its sessions. ADMIN only; nobody deactivates themselves.
/// Deactivating an inactive account changes nothing and records nothing.
pub async fn deactivate_user(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<user::Model> {
    actor.require_role(&[Role::Admin], "deactivate users")?;
    if actor.user_id() == Some(id) {
        return Err(AppError::bad_input("id", "you cannot deactivate your own account"));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = user::Entity::find_by_id(id).one(&txn).await?.ok_or(AppError::NotFound("user"))?;
    if !before.active {
        return Ok(before);
    }
    let mut active = before.clone().into_active_model();
    active.active = Set(false);
    active.session_epoch = Set(before.session_epoch + 1);
    active.updated_at = Set(Utc::now());
    let after = active.update(&txn).await?;
    let changes = audit::diff(Some(&before), Some(&after))?;
    audit::record(
        &txn,
        actor,
        Change { action: "user.deactivate", entity_type: "user", entity_id: id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Filters for [`list_users`].
#[derive(Debug, Default, Clone)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub unit_id: Option<Uuid>,
    pub active: Option<bool>,
    /// Part of the username or display name.
    pub search: Option<String>,
}

fn users_matching(filter: &UserFilter) -> Select<user::Entity> {
    use user::Column as C;
    let mut q = user::Entity::find();
    if let Some(role) = filter.role {
        q = q.filter(C::Role.eq(role));
    }
    if let Some(unit) = filter.unit_id {
        q = q.filter(C::UnitId.eq(unit));
    }
    if let Some(active) = filter.active {
        q = q.filter(C::Active.eq(active));
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(crate::service::text::contains(C::Username, text))
                .add(crate::service::text::contains(C::DisplayName, text)),
        );
    }
    q
}

/// Only the project office lists and reads accounts other than its own.
fn authorize_user_reads(actor: &Actor) -> AppResult<()> {
    actor.require_role(&[Role::Admin], "list users")
}

/// Accounts ordered by username.
pub async fn list_users(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &UserFilter,
    page: &PageRequest,
) -> AppResult<Page<user::Model>> {
    authorize_user_reads(actor)?;
    let mut q = users_matching(filter);
    if let Some(after) = &page.after {
        q = q.filter(user::Column::Username.gt(after.as_str()));
    }
    let rows = q.order_by_asc(user::Column::Username).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_users(db: &DatabaseConnection, actor: &Actor, filter: &UserFilter) -> AppResult<u64> {
    authorize_user_reads(actor)?;
    Ok(users_matching(filter).count(db).await?)
}

/// One account; the caller's own is always readable.
pub async fn find_user(db: &DatabaseConnection, actor: &Actor, id: Uuid) -> AppResult<user::Model> {
    if actor.user_id() != Some(id) {
        authorize_user_reads(actor)?;
    }
    user::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("user"))
}
