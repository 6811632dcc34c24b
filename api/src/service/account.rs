//! Units, users and sign-in. Who may do what with accounts is decided here and nowhere else.

use chrono::{DateTime, Utc};
use entity::known_sign_in_address;
use entity::unit::{self, UnitKind};
use entity::user::{self, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, SqlErr,
};
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::page::{Page, PageRequest};
use super::throttle::{self, Bucket};
use crate::auth::{JwtKeys, PasswordHasher, validate_new_password};
use crate::config::LoginPolicy;
use crate::error::{AppError, AppResult};

const BAD_CREDENTIALS: &str = "wrong username or password";

/// A successful sign-in.
#[derive(Debug)]
pub struct Session {
    pub token: String,
    pub expires_at: DateTime<Utc>,
    pub user: user::Model,
}

/// Usernames are compared without case and surrounding spaces.
pub fn normalize_username(raw: &str) -> String {
    raw.trim().to_lowercase()
}

fn validate_username(username: &str) -> AppResult<()> {
    let ok_len = (3..=64).contains(&username.len());
    let ok_chars = username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    if ok_len && ok_chars {
        Ok(())
    } else {
        Err(AppError::bad_input("username", "a username has 3 to 64 characters: a-z, 0-9, '.', '_' or '-'"))
    }
}

/// Where a sign-in comes from: the client's address (from the socket, or from the header a trusted
/// proxy sets), or `None` when unknown (the command line).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientAddr(pub Option<String>);

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
    let user = user::Entity::find().filter(user::Column::Username.eq(username.as_str())).one(db).await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
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
    if !hasher.verify(current, Some(before.password_hash.clone())).await? {
        return Err(AppError::bad_input("currentPassword", "the current password is wrong"));
    }
    attempt.succeeded(db, policy, &caller.user.username, from).await?;
    let hash = hasher.hash(new).await?;
    let txn = crate::db::begin_write(db).await?;
    let mut active = before.clone().into_active_model();
    active.password_hash = Set(hash);
    active.session_epoch = Set(before.session_epoch + 1);
    active.updated_at = Set(Utc::now());
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
    let display_name = super::text::required("displayName", &input.display_name, 1, 100)?;
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
        password_hash,
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
                .add(super::text::contains(C::Username, text))
                .add(super::text::contains(C::DisplayName, text)),
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

/// Filters for [`list_units`].
#[derive(Debug, Default, Clone)]
pub struct UnitFilter {
    pub kind: Option<UnitKind>,
    pub has_funding_targets: Option<bool>,
    pub search: Option<String>,
}

fn units_matching(filter: &UnitFilter) -> Select<unit::Entity> {
    use unit::Column as C;
    let mut q = unit::Entity::find();
    if let Some(kind) = filter.kind {
        q = q.filter(C::Kind.eq(kind));
    }
    if let Some(v) = filter.has_funding_targets {
        q = q.filter(C::HasFundingTargets.eq(v));
    }
    if let Some(text) = filter.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(super::text::contains(C::Name, text));
    }
    q
}

/// Units are the county's public organisation chart: every signed-in user may read them, because
/// every role has to name units (assigning, co-operating, reporting).
pub async fn list_units(
    db: &DatabaseConnection,
    filter: &UnitFilter,
    page: &PageRequest,
) -> AppResult<Page<unit::Model>> {
    let mut q = units_matching(filter);
    if let Some(after) = &page.after {
        q = q.filter(unit::Column::Name.gt(after.as_str()));
    }
    let rows = q.order_by_asc(unit::Column::Name).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_units(db: &DatabaseConnection, filter: &UnitFilter) -> AppResult<u64> {
    Ok(units_matching(filter).count(db).await?)
}

/// A unit to create.
#[derive(Debug, Clone)]
pub struct NewUnit {
    pub name: String,
    pub kind: UnitKind,
    pub has_funding_targets: bool,
}

/// Creates units, all or none, each in the audit trail. ADMIN only (or the command line). A name
/// already taken is `CONFLICT`.
pub async fn create_units(db: &DatabaseConnection, actor: &Actor, units: Vec<NewUnit>) -> AppResult<Vec<unit::Model>> {
    actor.require_role(&[Role::Admin], "create units")?;
    let mut made = Vec::with_capacity(units.len());
    let mut names = std::collections::HashSet::new();
    for u in units {
        let name = super::text::required("name", &u.name, 2, 100)?;
        if !names.insert(name.clone()) {
            return Err(AppError::bad_input("name", format!("`{name}` is listed twice")));
        }
        made.push(unit::Model {
            id: Uuid::now_v7(),
            name,
            kind: u.kind,
            has_funding_targets: u.has_funding_targets,
            created_at: Utc::now(),
        });
    }
    let txn = crate::db::begin_write(db).await?;
    for model in &made {
        if unit::Entity::find().filter(unit::Column::Name.eq(model.name.as_str())).one(&txn).await?.is_some() {
            return Err(AppError::Conflict(format!("a unit named `{}` exists", model.name)));
        }
        unit::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await?;
        let changes = audit::diff(None, Some(model))?;
        audit::record(
            &txn,
            actor,
            Change { action: "unit.create", entity_type: "unit", entity_id: model.id.to_string(), changes },
        )
        .await?;
    }
    txn.commit().await?;
    Ok(made)
}

pub async fn find_unit(db: &DatabaseConnection, id: Uuid) -> AppResult<unit::Model> {
    unit::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("unit"))
}

pub async fn find_unit_by_name(db: &DatabaseConnection, name: &str) -> AppResult<unit::Model> {
    unit::Entity::find().filter(unit::Column::Name.eq(name.trim())).one(db).await?.ok_or(AppError::NotFound("unit"))
}
