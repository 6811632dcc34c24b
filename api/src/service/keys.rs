//! Integration keys (集成密钥): scoped, revocable bearer credentials for third-party systems. A key
//! acts through an account of its own, made with it: INTEGRATION (reads everything its scopes name)
//! or, narrowed to units (up to 8), DEPARTMENT of the first (sees and does what a user of any of them
//! may: the caller's units, `Caller::units`, are the key's). Only
//! the SHA-256 of the secret is kept, so a leaked database holds no usable key; every use is checked
//! against the stored row, so a revocation or an expiry holds at once on every instance.

use chrono::{DateTime, Utc};
use entity::integration_key::{self, Scope};
use entity::integration_key_unit;
use entity::user::{self, Role};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder, QuerySelect, Statement,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::db::among;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::key_usage::KeyUsage;
use crate::service::page::{Page, PageRequest};
use crate::service::throttle;

/// What every key's secret starts with, so that scanners and people recognise one.
pub const SECRET_PREFIX: &str = "kpk_";
/// Characters of the secret shown with the key (the prefix and 8 more).
const SHOWN: usize = SECRET_PREFIX.len() + 8;
/// The longest name a key may have.
pub const MAX_NAME_CHARS: usize = 100;
/// Requests a minute a key may make when its creator sets no limit, and the most that may be set.
pub const DEFAULT_RATE_PER_MINUTE: i32 = 600;
pub const MAX_RATE_PER_MINUTE: i32 = 1_000_000;

/// What [`create`] needs.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub scopes: Vec<Scope>,
    pub unit_ids: Vec<Uuid>,
    pub expires_at: Option<DateTime<Utc>>,
    pub rate_limit_per_minute: Option<i32>,
}

/// What a request made with a key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub key_id: Uuid,
    pub user_id: Uuid,
    pub scopes: Vec<Scope>,
    /// The units the key is narrowed to (none: not narrowed).
    pub units: Vec<Uuid>,
}

/// `FORBIDDEN` naming the scope a key lacks.
pub fn missing(scope: Scope) -> AppError {
    AppError::Forbidden(format!("this integration key lacks the scope {}", scope.name()))
}

impl Grant {
    /// Whether the key holds `scope` (or the scope that includes it).
    pub fn allows(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope) || scope.implied_by().is_some_and(|s| self.scopes.contains(&s))
    }
}

fn hash(secret: &str) -> String {
    crate::service::text::hex(&Sha256::digest(secret.as_bytes()))
}

/// A new secret: the prefix and 64 hex digits from two random (v4) UUIDs, 244 random bits.
fn new_secret() -> String {
    format!("{SECRET_PREFIX}{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

/// Makes a key and its account; returns the key and its secret, which is never shown again. ADMIN.
pub async fn create(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewKey,
    now: DateTime<Utc>,
) -> AppResult<(integration_key::Model, String)> {
    actor.require_role(&[Role::Admin], "manage integration keys")?;
    let creator = actor.caller()?;
    let name = crate::service::text::required("name", &input.name, 1, MAX_NAME_CHARS)?;
    if input.scopes.is_empty() {
        return Err(AppError::bad_input("scopes", "name at least one scope"));
    }
    let max = crate::service::kit::Units::MAX;
    if input.unit_ids.len() > max {
        return Err(AppError::bad_input("unitIds", format!("a key is narrowed to at most {max} units")));
    }
    if input.expires_at.is_some_and(|at| at <= now) {
        return Err(AppError::bad_input("expiresAt", "must be in the future"));
    }
    let rate = input.rate_limit_per_minute.unwrap_or(DEFAULT_RATE_PER_MINUTE);
    if !(1..=MAX_RATE_PER_MINUTE).contains(&rate) {
        return Err(AppError::bad_input("rateLimitPerMinute", format!("between 1 and {MAX_RATE_PER_MINUTE}")));
    }
    let units: std::collections::BTreeSet<Uuid> = input.unit_ids.iter().copied().collect();
    crate::service::kit::require_units(db, "unitIds", &units).await?;
    // The key's account belongs to the first unit named; the key acts for all of them.
    let unit_id = input.unit_ids.first().copied();
    let mut scopes: Vec<Scope> = input.scopes;
    scopes.sort();
    scopes.dedup();
    let secret = new_secret();
    let prefix = secret[..SHOWN].to_owned();
    let account = user::Model {
        id: Uuid::now_v7(),
        username: format!("key-{}", &prefix[SECRET_PREFIX.len()..]),
        display_name: format!("{name} (key)"),
        role: if unit_id.is_some() { Role::Department } else { Role::Integration },
        unit_id: unit_id.unwrap_or(creator.unit_id()),
        active: true,
        session_epoch: 0,
        created_at: now,
        updated_at: now,
    };
    let key = integration_key::Model {
        id: Uuid::now_v7(),
        name,
        prefix,
        secret_hash: hash(&secret),
        scopes: scopes.iter().map(|s| s.name()).collect::<Vec<_>>().join(","),
        user_id: account.id,
        unit_id,
        rate_limit_per_minute: rate,
        expires_at: input.expires_at,
        revoked_at: None,
        created_by: creator.id(),
        created_at: now,
        last_used_at: None,
        request_count: 0,
    };
    let txn = crate::db::begin_write(db).await?;
    user::Entity::insert(account.clone().into_active_model()).exec_without_returning(&txn).await?;
    integration_key::Entity::insert(key.clone().into_active_model()).exec_without_returning(&txn).await?;
    if !units.is_empty() {
        let rows = units.iter().map(|u| integration_key_unit::ActiveModel { key_id: Set(key.id), unit_id: Set(*u) });
        integration_key_unit::Entity::insert_many(rows).exec_without_returning(&txn).await?;
    }
    let made = serde_json::json!({
        "name": key.name, "prefix": key.prefix, "scopes": key.scopes, "unit_ids": units,
        "expires_at": key.expires_at, "rate_limit_per_minute": key.rate_limit_per_minute, "user_id": account.id,
    });
    let changes = audit::diff(None, Some(&made))?;
    let change = Change {
        action: "integration_key.create",
        entity_type: "integration_key",
        entity_id: key.id.to_string(),
        changes,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok((key, secret))
}

/// Keys, newest first. ADMIN.
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    page: &PageRequest,
) -> AppResult<Page<integration_key::Model>> {
    actor.require_role(&[Role::Admin], "manage integration keys")?;
    let mut q = integration_key::Entity::find();
    if let Some(after) = &page.after {
        let id: Uuid = after.parse().map_err(|_| AppError::bad_input("after", "not a cursor of this list"))?;
        q = q.filter(integration_key::Column::Id.lt(id));
    }
    let rows = q.order_by_desc(integration_key::Column::Id).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// How many keys there are. ADMIN.
pub async fn count(db: &DatabaseConnection, actor: &Actor) -> AppResult<u64> {
    use sea_orm::PaginatorTrait;
    actor.require_role(&[Role::Admin], "manage integration keys")?;
    Ok(integration_key::Entity::find().count(db).await?)
}

/// Revokes a key at once, everywhere, and turns its account off. Revoking a revoked key changes
/// nothing. ADMIN.
pub async fn revoke(
    db: &DatabaseConnection,
    actor: &Actor,
    id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<integration_key::Model> {
    actor.require_role(&[Role::Admin], "manage integration keys")?;
    let txn = crate::db::begin_write(db).await?;
    let key = integration_key::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("integration key"))?;
    if key.revoked_at.is_some() {
        return Ok(key);
    }
    let mut active = key.clone().into_active_model();
    active.revoked_at = Set(Some(now));
    let key = active.update(&txn).await?;
    if let Some(account) = user::Entity::find_by_id(key.user_id).one(&txn).await? {
        let epoch = account.session_epoch + 1;
        let mut account = account.into_active_model();
        account.active = Set(false);
        account.session_epoch = Set(epoch);
        account.updated_at = Set(now);
        account.update(&txn).await?;
    }
    let changes =
        audit::diff(Some(&serde_json::json!({ "revoked_at": null })), Some(&serde_json::json!({ "revoked_at": now })))?;
    let change = Change {
        action: "integration_key.revoke",
        entity_type: "integration_key",
        entity_id: key.id.to_string(),
        changes,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(key)
}

/// The grant of the key whose secret is `secret`, counting the use; `UNAUTHENTICATED` for an unknown,
/// revoked or expired key (alike, so a caller learns nothing of which), `RATE_LIMITED` past the key's
/// limit. The stored key is read on every request, so a revocation committed on another instance is
/// seen by the next request; the use is counted and the limit drawn on as [`KeyUsage`] does, without
/// a write on the key's row.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    usage: &KeyUsage,
    secret: &str,
    now: DateTime<Utc>,
) -> AppResult<Grant> {
    const REFUSED: AppError = AppError::Unauthenticated(crate::auth::BAD_TOKEN_MESSAGE);
    // A secret is the prefix and 64 hex digits; anything else is not looked up at all.
    let body = secret.strip_prefix(SECRET_PREFIX).ok_or(REFUSED)?;
    if body.len() != 64 || !body.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(REFUSED);
    }
    let backend = db.get_database_backend();
    let p = |n| throttle::param(backend, n);
    let sql = format!(
        "SELECT id, user_id, unit_id, scopes, rate_limit_per_minute FROM integration_keys \
         WHERE secret_hash = {hash} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > {now})",
        hash = p(1),
        now = p(2),
    );
    let row = db
        .query_one(Statement::from_sql_and_values(backend, sql, [hash(secret).into(), now.into()]))
        .await?
        .ok_or(REFUSED)?;
    let key_id: Uuid = row.try_get("", "id")?;
    let scopes: String = row.try_get("", "scopes")?;
    let rate: i32 = row.try_get("", "rate_limit_per_minute")?;
    let narrowed: Option<Uuid> = row.try_get("", "unit_id")?;
    usage.count(key_id, now);
    usage.take(db, key_id, rate, now.timestamp_millis()).await?;
    let units = match narrowed {
        Some(_) => units_of(db, key_id).await?,
        None => Vec::new(),
    };
    Ok(Grant {
        key_id,
        user_id: row.try_get("", "user_id")?,
        scopes: scopes.split(',').filter_map(Scope::parse).collect(),
        units,
    })
}

/// The units key `key_id` is narrowed to (none: it is not).
pub async fn units_of(db: &impl ConnectionTrait, key_id: Uuid) -> AppResult<Vec<Uuid>> {
    Ok(integration_key_unit::Entity::find()
        .select_only()
        .column(integration_key_unit::Column::UnitId)
        .filter(integration_key_unit::Column::KeyId.eq(key_id))
        .into_tuple()
        .all(db)
        .await?)
}

/// The units each of `key_ids` is narrowed to, for a page of keys.
pub async fn units_of_keys(
    db: &impl ConnectionTrait,
    key_ids: &[Uuid],
) -> AppResult<std::collections::HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = integration_key_unit::Entity::find()
        .select_only()
        .columns([integration_key_unit::Column::KeyId, integration_key_unit::Column::UnitId])
        .filter(among(integration_key_unit::Column::KeyId, key_ids.iter().copied(), db.get_database_backend()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows))
}
