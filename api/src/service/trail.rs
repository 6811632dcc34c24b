//! Where the audit trail has got to, for what follows it live (subscriptions): a watch of the newest
//! sequence number. On PostgreSQL every recording transaction notifies `kp_audit` with its number
//! (delivered at commit, to every instance listening), and a poll every few seconds catches a
//! notification a dropped connection lost; on SQLite, one process alone writes, and a short poll of
//! the trail's head serves. The watcher runs only while someone follows the trail. The number is
//! only a wake-up: followers read the trail itself from their own position, so a missed or merged
//! notification loses nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, QuerySelect};
use tokio::sync::watch;

use crate::error::{AppError, AppResult};

/// The channel every recording transaction notifies on PostgreSQL.
pub const CHANNEL: &str = "kp_audit";
/// How often the head is read when no notification can be had (SQLite).
const POLL_SQLITE: Duration = Duration::from_millis(25);
/// How often the head is read besides notifications (PostgreSQL): what a lost notification costs.
const POLL_POSTGRES: Duration = Duration::from_secs(2);

/// The newest sequence number of the trail, as this instance last learned it.
pub struct TrailWatch {
    db: DatabaseConnection,
    head: watch::Sender<i64>,
    running: AtomicBool,
}

impl TrailWatch {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self { db, head: watch::Sender::new(0), running: AtomicBool::new(false) })
    }

    /// A receiver of the head; starts the watcher if nobody was following.
    pub fn follow(self: &Arc<Self>) -> watch::Receiver<i64> {
        let rx = self.head.subscribe();
        if !self.running.swap(true, Ordering::AcqRel) {
            tokio::spawn(self.clone().run());
        }
        rx
    }

    async fn run(self: Arc<Self>) {
        loop {
            if let Err(e) = self.watch().await {
                tracing::warn!(error = %e, "watching the audit trail failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                if self.head.receiver_count() > 0 {
                    continue;
                }
            }
            // Nobody follows: stop, unless somebody started following meanwhile.
            self.running.store(false, Ordering::Release);
            if self.head.receiver_count() == 0 || self.running.swap(true, Ordering::AcqRel) {
                return;
            }
        }
    }

    /// Watches until nobody follows.
    async fn watch(&self) -> AppResult<()> {
        self.publish(self.read_head().await?);
        if self.db.get_database_backend() != DbBackend::Postgres {
            loop {
                tokio::select! {
                    () = self.head.closed() => return Ok(()),
                    () = tokio::time::sleep(POLL_SQLITE) => self.publish(self.read_head().await?),
                }
            }
        }
        let pool = self.db.get_postgres_connection_pool();
        let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await.map_err(AppError::internal)?;
        listener.listen(CHANNEL).await.map_err(AppError::internal)?;
        // Whatever was committed before listening began is read once more.
        self.publish(self.read_head().await?);
        loop {
            tokio::select! {
                () = self.head.closed() => return Ok(()),
                note = listener.recv() => {
                    let note = note.map_err(AppError::internal)?;
                    match note.payload().parse::<i64>() {
                        Ok(seq) => self.publish(seq),
                        Err(_) => self.publish(self.read_head().await?),
                    }
                }
                () = tokio::time::sleep(POLL_POSTGRES) => self.publish(self.read_head().await?),
            }
        }
    }

    fn publish(&self, seq: i64) {
        self.head.send_if_modified(|head| {
            let newer = seq > *head;
            if newer {
                *head = seq;
            }
            newer
        });
    }

    pub async fn read_head(&self) -> AppResult<i64> {
        head(&self.db).await
    }
}

/// The trail's newest sequence number (0 for an empty trail).
pub async fn head(db: &impl ConnectionTrait) -> AppResult<i64> {
    use entity::audit_event::{Column, Entity};
    let max: Option<Option<i64>> =
        Entity::find().select_only().column_as(Column::Seq.max(), "seq").into_tuple().one(db).await?;
    Ok(max.flatten().unwrap_or(0))
}
