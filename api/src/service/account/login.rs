//! Signing in, throttled per address and per account, and changing one's password.

use chrono::Utc;
use entity::known_sign_in_address;
use entity::user;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, DatabaseConnection, EntityTrait, IntoActiveModel};

use super::*;
use crate::auth::{JwtKeys, PasswordHasher, validate_new_password};
use crate::config::LoginPolicy;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::throttle::{self, Bucket};

/// The allowance of one client address (all usernames together).
fn address_bucket(policy: &LoginPolicy) -> Bucket {
    Bucket { capacity: f64::from(policy.address_burst), period_secs: policy.address_period_secs as f64 }
}

/// What [`guard_attempt`] reserved: which buckets to settle once the password is checked.
struct Attempt {
    account_key: String,
    address_key: Option<String>,
}

/// Counts a password attempt for `username` from `from` before any hashing: one token from the
/// address's bucket (many usernames from one place) and one from the account's bucket. An address
/// this account has signed in from before has an account bucket of its own, so strangers' failures
/// slow strangers down without locking the owner out.
async fn guard_attempt(
    db: &DatabaseConnection,
    policy: &LoginPolicy,
    username: &str,
    from: &ClientAddr,
) -> AppResult<Attempt> {
    let now_ms = Utc::now().timestamp_millis();
    let address_key = from.0.as_ref().map(|a| format!("addr:{a}"));
    if let Some(key) = &address_key {
        throttle::take(db, key, address_bucket(policy), now_ms).await?;
    }
    let known = match &from.0 {
        Some(address) => {
            known_sign_in_address::Entity::find_by_id((username.to_owned(), address.clone())).one(db).await?.is_some()
        }
        None => false,
    };
    let account_key = match (&from.0, known) {
        (Some(address), true) => format!("user:{username}@{address}"),
        _ => format!("user:{username}"),
    };
    let bucket = Bucket { capacity: f64::from(policy.max_failures), period_secs: policy.window_secs as f64 };
    throttle::take(db, &account_key, bucket, now_ms).await?;
    Ok(Attempt { account_key, address_key })
}

impl Attempt {
    /// The password was right: the account's bucket fills again, the address's token comes back,
    /// and the address is remembered for this account.
    async fn succeeded(
        self,
        db: &DatabaseConnection,
        policy: &LoginPolicy,
        username: &str,
        from: &ClientAddr,
    ) -> AppResult<()> {
        throttle::reset(db, &self.account_key).await?;
        if let (Some(key), Some(address)) = (&self.address_key, &from.0) {
            throttle::give_back(db, key, address_bucket(policy)).await?;
            let row = known_sign_in_address::ActiveModel {
                username: Set(username.to_owned()),
                address: Set(address.clone()),
                last_success_at: Set(Utc::now()),
            };
            known_sign_in_address::Entity::insert(row)
                .on_conflict(
                    sea_orm::sea_query::OnConflict::columns([
                        known_sign_in_address::Column::Username,
                        known_sign_in_address::Column::Address,
                    ])
                    .update_column(known_sign_in_address::Column::LastSuccessAt)
                    .to_owned(),
                )
                .exec_without_returning(db)
                .await?;
        }
        Ok(())
    }
}

/// Signs in. Every failure says only that the credentials are wrong. Each attempt is counted before
/// the password is checked ([`guard_attempt`]); past the limits the answer is `RATE_LIMITED` with
/// when to try again, and no password is hashed. The counts live in the database, so all instances
/// share them.
pub async fn login(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    keys: &JwtKeys,
    policy: &LoginPolicy,
    username: &str,
    password: String,
    from: &ClientAddr,
) -> AppResult<Session> {
    if username.len() > 200 || password.len() > 1024 {
        return Err(AppError::Unauthenticated(BAD_CREDENTIALS));
    }
    let username = normalize_username(username);
    if validate_username(&username).is_err() {
        // No account can have this name: nothing to count or look up.
        return Err(AppError::Unauthenticated(BAD_CREDENTIALS));
    }
    let attempt = guard_attempt(db, policy, &username, from).await?;
    let (user, stored) = super::credentials::by_username(db, &username).await?;
    let password_ok = hasher.verify(password, stored).await?;
    match user {
        Some(user) if password_ok && user.active => {
            attempt.succeeded(db, policy, &username, from).await?;
            let (token, expires_at) = keys.issue(&user)?;
            Ok(Session { token, expires_at, user })
        }
        _ => Err(AppError::Unauthenticated(BAD_CREDENTIALS)),
    }
}

/// Changes the caller's own password and ends every other session of theirs.
#[expect(clippy::too_many_arguments, reason = "the sign-in context: store, hasher, keys, policy, caller, address")]
pub async fn change_password(
    db: &DatabaseConnection,
    hasher: &PasswordHasher,
    keys: &JwtKeys,
    policy: &LoginPolicy,
    actor: &Actor,
    current: String,
    new: String,
    from: &ClientAddr,
) -> AppResult<Session> {
    let caller = actor.caller()?;
    validate_new_password("newPassword", &new, &caller.user.username)?;
    if current == new {
        return Err(AppError::bad_input("newPassword", "the new password must differ from the current one"));
    }
    // A stolen token must not become a way to guess the password: count like a sign-in.
    let attempt = guard_attempt(db, policy, &caller.user.username, from).await?;
    let before = user::Entity::find_by_id(caller.id()).one(db).await?.ok_or(AppError::NotFound("user"))?;
    let stored = super::credentials::stored_hash(db, before.id).await?;
    if !hasher.verify(current, stored).await? {
        return Err(AppError::bad_input("currentPassword", "the current password is wrong"));
    }
    attempt.succeeded(db, policy, &caller.user.username, from).await?;
    let hash = hasher.hash(new).await?;
    let txn = crate::db::begin_write(db).await?;
    let now = Utc::now();
    super::credentials::set_hash(&txn, before.id, hash, now).await?;
    let mut active = before.clone().into_active_model();
    active.session_epoch = Set(before.session_epoch + 1);
    active.updated_at = Set(now);
    let after = active.update(&txn).await?;
    let changes = audit::diff(Some(&before), Some(&after))?;
    audit::record(
        &txn,
        actor,
        Change { action: "user.change_password", entity_type: "user", entity_id: after.id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    let (token, expires_at) = keys.issue(&after)?;
    Ok(Session { token, expires_at, user: after })
}
