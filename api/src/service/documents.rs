//! Persisted documents (automatic persisted queries) and trusted documents. A client may send a
//! document's SHA-256 instead of its text (Apollo's `persistedQuery` extension); the server answers
//! `PERSISTED_QUERY_NOT_FOUND` when it does not know the hash, the client sends both once, and every
//! instance knows it from then on (the store is the database). With trusted documents on, only
//! documents registered beforehand (`keyprojects documents register`, or `registerTrustedDocuments`)
//! run: anything else is `UNTRUSTED_DOCUMENT`. What a hash names never changes, so each instance
//! keeps the documents it has seen in a bounded cache without asking the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};
use entity::persisted_document;
use entity::user::Role;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use sha2::{Digest, Sha256};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;

/// Documents one instance keeps in memory.
const CACHED: usize = 2000;
/// Documents one registration may carry.
pub const MAX_PER_REGISTRATION: usize = 100;
/// Persisted (untrusted) documents unused this long are dropped by the periodic jobs.
pub const UNUSED_DAYS: i64 = 30;

/// Which documents run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Policy {
    /// Any document, sent as text or, once persisted, by its hash.
    #[default]
    Open,
    /// Only documents registered as trusted.
    TrustedOnly,
}

/// The lower-case hex SHA-256 of a document's text: its id.
pub fn hash(text: &str) -> String {
    crate::service::text::hex(&Sha256::digest(text.as_bytes()))
}

/// Documents this instance has read, by hash: (text, trusted).
#[derive(Default)]
pub struct DocumentCache {
    known: Mutex<HashMap<String, (Arc<str>, bool)>>,
}

impl DocumentCache {
    fn get(&self, hash: &str) -> Option<(Arc<str>, bool)> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner).get(hash).cloned()
    }

    fn put(&self, hash: String, body: Arc<str>, trusted: bool) {
        let mut known = self.known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.len() >= CACHED {
            known.clear();
        }
        known.insert(hash, (body, trusted));
    }
}

/// The persisted-query hash a request names, if any: `extensions.persistedQuery.sha256Hash`.
fn named_hash(request: &async_graphql::Request) -> AppResult<Option<String>> {
    let Some(value) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let refuse = || AppError::bad_input("extensions.persistedQuery", "{ version: 1, sha256Hash: <64 hex digits> }");
    let json = value.clone().into_json().map_err(|_| refuse())?;
    if json.get("version").and_then(serde_json::Value::as_i64) != Some(1) {
        return Err(refuse());
    }
    let hash = json.get("sha256Hash").and_then(serde_json::Value::as_str).ok_or_else(refuse)?;
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(refuse());
    }
    Ok(Some(hash.to_ascii_lowercase()))
}

/// Fills in the text of a request that names a persisted document, persists a document sent with
/// its hash (for a signed-in caller), and under [`Policy::TrustedOnly`] refuses what is not trusted.
pub async fn resolve(
    db: &impl ConnectionTrait,
    cache: &DocumentCache,
    policy: Policy,
    request: &mut async_graphql::Request,
    caller: Option<&Caller>,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let named = named_hash(request)?;
    let sent = !request.query.trim().is_empty();
    let hash = match (&named, sent) {
        (None, false) => return Ok(()),
        (Some(h), true) if *h != hash(&request.query) => {
            return Err(AppError::bad_input("extensions.persistedQuery", "sha256Hash is not the hash of the query"));
        }
        (Some(h), _) => h.clone(),
        (None, true) if policy == Policy::Open => return Ok(()),
        (None, true) => hash(&request.query),
    };
    let found = match cache.get(&hash) {
        Some((body, true)) => Some((body, true)),
        Some((body, false)) if policy == Policy::Open => Some((body, false)),
        _ => {
            let row = persisted_document::Entity::find_by_id(hash.clone()).one(db).await?;
            if let Some(row) = &row
                && now - row.last_used_at > chrono::Duration::days(1)
            {
                persisted_document::Entity::update_many()
                    .col_expr(persisted_document::Column::LastUsedAt, sea_orm::sea_query::Expr::value(now))
                    .filter(persisted_document::Column::Hash.eq(hash.clone()))
                    .exec(db)
                    .await?;
            }
            row.map(|row| {
                let body: Arc<str> = row.body.into();
                cache.put(hash.clone(), body.clone(), row.trusted);
                (body, row.trusted)
            })
        }
    };
    match (found, policy) {
        (Some((_, false)), Policy::TrustedOnly) | (None, Policy::TrustedOnly) => Err(AppError::UntrustedDocument),
        (Some((body, _)), Policy::Open) if !sent => {
            request.query = body.to_string();
            Ok(())
        }
        (Some((body, true)), Policy::TrustedOnly) => {
            if !sent {
                request.query = body.to_string();
            }
            Ok(())
        }
        (Some(_), Policy::Open) => Ok(()),
        (None, Policy::Open) if !sent => Err(AppError::PersistedQueryNotFound),
        (None, Policy::Open) => {
            // Only a signed-in caller's documents are kept: nobody fills the store anonymously.
            if let Some(caller) = caller {
                store(db, &request.query, false, Some(caller.id()), now).await?;
            }
            Ok(())
        }
    }
}

/// Keeps `body` under its hash (`trusted` marks it so, even if it was kept before untrusted).
async fn store(
    db: &impl ConnectionTrait,
    body: &str,
    trusted: bool,
    by: Option<uuid::Uuid>,
    now: DateTime<Utc>,
) -> AppResult<String> {
    let hash = hash(body);
    let row = persisted_document::ActiveModel {
        hash: sea_orm::Set(hash.clone()),
        body: sea_orm::Set(body.to_owned()),
        trusted: sea_orm::Set(trusted),
        created_by: sea_orm::Set(by),
        created_at: sea_orm::Set(now),
        last_used_at: sea_orm::Set(now),
    };
    let mut conflict = OnConflict::column(persisted_document::Column::Hash);
    if trusted {
        conflict.update_column(persisted_document::Column::Trusted);
    } else {
        conflict.do_nothing();
    }
    persisted_document::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?;
    Ok(hash)
}

/// Registers documents as trusted; returns their hashes. Each must parse as GraphQL and be at most
/// `max_bytes` long. ADMIN (or the command line, as the system).
pub async fn register(
    db: &impl ConnectionTrait,
    actor: &Actor,
    documents: &[String],
    max_bytes: usize,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    actor.require_role(&[Role::Admin], "register trusted documents")?;
    if documents.is_empty() || documents.len() > MAX_PER_REGISTRATION {
        return Err(AppError::bad_input("documents", format!("1 to {MAX_PER_REGISTRATION} documents at once")));
    }
    for (i, document) in documents.iter().enumerate() {
        if document.len() > max_bytes {
            return Err(AppError::bad_input(format!("documents[{i}]"), format!("at most {max_bytes} bytes")));
        }
        async_graphql::parser::parse_query(document)
            .map_err(|e| AppError::bad_input(format!("documents[{i}]"), format!("not a GraphQL document: {e}")))?;
    }
    let mut hashes = Vec::with_capacity(documents.len());
    for document in documents {
        hashes.push(store(db, document, true, actor.user_id(), now).await?);
    }
    Ok(hashes)
}

/// Drops persisted documents nobody has used for [`UNUSED_DAYS`] (trusted ones stay).
pub async fn sweep(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<u64> {
    let done = persisted_document::Entity::delete_many()
        .filter(persisted_document::Column::Trusted.eq(false))
        .filter(persisted_document::Column::LastUsedAt.lt(now - chrono::Duration::days(UNUSED_DAYS)))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The documents in `path`: a `.json` manifest of hash to text, or one document.
pub fn from_file(path: &std::path::Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    if path.extension().is_none_or(|e| e != "json") {
        return Ok(vec![text]);
    }
    let manifest: std::collections::BTreeMap<String, String> = serde_json::from_str(&text)
        .map_err(|e| format!("{}: not a manifest of hash to document: {e}", path.display()))?;
    let mut documents = Vec::with_capacity(manifest.len());
    for (named, document) in manifest {
        if hash(&document) != named.to_ascii_lowercase() {
            return Err(format!("{}: {named} is not the SHA-256 of its document", path.display()));
        }
        documents.push(document);
    }
    Ok(documents)
}
