//! What a request made with an integration key costs besides its own work: no write on the key's
//! row. Uses are counted in this instance and written every second (`requestCount` and `lastUsedAt`
//! are at most that far behind; a crash loses at most that second's count). The rate limit stays
//! shared by every instance — its bucket is in the database — but an instance draws a share of it at
//! once (a twentieth of a minute's limit) and spends that share locally, so a busy key costs one
//! bucket write per share instead of one per request. An instance's unspent share lapses after ten
//! seconds; the most any instance can run ahead of the shared limit is one share.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Statement};
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::throttle::{self, Bucket};

/// How long a share drawn from a key's bucket may be spent.
const SHARE_LIFETIME: Duration = Duration::from_secs(10);

struct Share {
    left: u32,
    drawn: Instant,
}

/// Counts and shares of this instance.
#[derive(Default)]
pub struct KeyUsage {
    uses: Mutex<HashMap<Uuid, (i64, DateTime<Utc>)>>,
    shares: Mutex<HashMap<Uuid, Share>>,
}

impl KeyUsage {
    /// Counts one request made with `key`.
    pub fn count(&self, key: Uuid, now: DateTime<Utc>) {
        let mut uses = self.uses.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = uses.entry(key).or_insert((0, now));
        entry.0 += 1;
        entry.1 = entry.1.max(now);
    }

    /// Takes one request from `key`'s limit of `per_minute`, or answers `RATE_LIMITED`.
    pub async fn take(&self, db: &impl ConnectionTrait, key: Uuid, per_minute: i32, now_ms: i64) -> AppResult<()> {
        {
            let mut shares = self.shares.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(share) = shares.get_mut(&key)
                && share.left > 0
                && share.drawn.elapsed() < SHARE_LIFETIME
            {
                share.left -= 1;
                return Ok(());
            }
        }
        let bucket = Bucket { capacity: f64::from(per_minute.max(1)), period_secs: 60.0 };
        let name = format!("key:{key}");
        let share = u32::try_from(per_minute / 20).unwrap_or(0).clamp(1, 1000);
        // A whole share when the bucket has it, else the one request alone.
        let drawn = if share > 1 && throttle::try_take(db, &name, bucket, share, now_ms).await? {
            share
        } else {
            throttle::take(db, &name, bucket, now_ms).await?;
            1
        };
        let mut shares = self.shares.lock().unwrap_or_else(PoisonError::into_inner);
        shares.insert(key, Share { left: drawn - 1, drawn: Instant::now() });
        Ok(())
    }

    /// Writes the counted uses: one statement a key used since the last flush.
    pub async fn flush(&self, db: &impl ConnectionTrait) -> AppResult<usize> {
        let uses: Vec<(Uuid, (i64, DateTime<Utc>))> =
            self.uses.lock().unwrap_or_else(PoisonError::into_inner).drain().collect();
        let backend = db.get_database_backend();
        let p = |n| throttle::param(backend, n);
        let sql = format!(
            "UPDATE integration_keys SET request_count = request_count + {n}, \
             last_used_at = CASE WHEN last_used_at IS NULL OR last_used_at < {at} THEN {at} ELSE last_used_at END \
             WHERE id = {id}",
            n = p(1),
            at = p(2),
            id = p(3),
        );
        let written = uses.len();
        for (key, (n, at)) in uses {
            db.execute(Statement::from_sql_and_values(backend, &sql, [n.into(), at.into(), key.into()])).await?;
        }
        Ok(written)
    }
}
