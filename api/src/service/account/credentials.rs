//! Passwords, kept in their own table (`user_credentials`): the only code that reads or writes a
//! hash. Reading an account anywhere else cannot load one.

use chrono::{DateTime, Utc};
use entity::{user, user_credential};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;

/// The stored hash of `user`'s password, if the account has one.
pub async fn stored_hash(db: &impl ConnectionTrait, user: Uuid) -> AppResult<Option<String>> {
    Ok(user_credential::Entity::find_by_id(user).one(db).await?.map(|c| c.password_hash))
}

/// The account named `username` and its stored hash, in one statement (sign-in).
pub async fn by_username(
    db: &impl ConnectionTrait,
    username: &str,
) -> AppResult<(Option<user::Model>, Option<String>)> {
    let found = user::Entity::find()
        .filter(user::Column::Username.eq(username))
        .find_also_related(user_credential::Entity)
        .one(db)
        .await?;
    Ok(match found {
        Some((user, credential)) => (Some(user), credential.map(|c| c.password_hash)),
        None => (None, None),
    })
}

/// Sets `user`'s password hash (new accounts and password changes alike).
pub async fn set_hash(
    db: &impl ConnectionTrait,
    user: Uuid,
    password_hash: String,
    at: DateTime<Utc>,
) -> AppResult<()> {
    let row = user_credential::Model { user_id: user, password_hash, changed_at: at }.into_active_model();
    user_credential::Entity::insert(row)
        .on_conflict(
            OnConflict::column(user_credential::Column::UserId)
                .update_columns([user_credential::Column::PasswordHash, user_credential::Column::ChangedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}
