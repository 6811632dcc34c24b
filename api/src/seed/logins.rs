//! Which demo accounts still open with the published demo password.

use sea_orm::{DatabaseConnection, EntityTrait};

use super::demo::{DEMO_PASSWORD, USERS};
use crate::auth::PasswordHasher;

/// The demo accounts (as `username (ROLE)`) that still have the published demo password and are
/// active, so that the start-up log stops advertising a password once it no longer works.
pub async fn logins_with_demo_password(db: &DatabaseConnection, hasher: &PasswordHasher) -> Vec<String> {
    use sea_orm::{ActiveEnum, ColumnTrait, QueryFilter};
    let names = USERS.iter().map(|u| u.username);
    let Ok(users) = entity::user::Entity::find()
        .filter(entity::user::Column::Username.is_in(names))
        .filter(entity::user::Column::Active.eq(true))
        .all(db)
        .await
    else {
        return Vec::new();
    };
    let checks = users.into_iter().map(|u| async move {
        let stored = crate::service::account::stored_hash(db, u.id).await.ok().flatten();
        let valid = hasher.verify(DEMO_PASSWORD.to_owned(), stored).await.unwrap_or(false);
        valid.then(|| format!("{} ({})", u.username, u.role.to_value()))
    });
    let mut logins: Vec<String> = futures_util::future::join_all(checks).await.into_iter().flatten().collect();
    logins.sort();
    logins
}
