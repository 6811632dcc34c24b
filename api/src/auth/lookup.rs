//! The per-request account check, coalesced. Every request must see the account as the database
//! has it *after* the request arrived (so a deactivation applies at once). Under load, one query per
//! request spends most of its time handing work to and from the database driver; instead, requests
//! that arrive while a check is running wait for the next one, which looks up all of their accounts
//! in one `IN (...)` query. At most one check runs at a time per instance; nothing is cached, and
//! nothing here is needed by another instance.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use entity::user;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

type Reply = oneshot::Sender<AppResult<Option<user::Model>>>;

#[derive(Default)]
struct Queue {
    running: bool,
    waiting: Vec<(Uuid, Reply)>,
}

pub struct AccountLookup {
    db: DatabaseConnection,
    queue: Mutex<Queue>,
    /// Integration keys' uses and rate-limit shares on this instance.
    pub key_usage: crate::service::key_usage::KeyUsage,
}

impl AccountLookup {
    pub fn new(db: DatabaseConnection) -> Arc<Self> {
        Arc::new(Self { db, queue: Mutex::new(Queue::default()), key_usage: Default::default() })
    }

    /// The pool the lookups use.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        // The lock guards plain data and is never held across an await or a panic point.
        self.queue.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The account `id` as stored now, or `None` if there is none.
    pub async fn get(self: &Arc<Self>, id: Uuid) -> AppResult<Option<user::Model>> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut q = self.queue();
            q.waiting.push((id, tx));
            !std::mem::replace(&mut q.running, true)
        };
        if start {
            let this = Arc::clone(self);
            tokio::spawn(async move { this.drain().await });
        }
        let found = rx.await.map_err(|_| AppError::internal("account check dropped"))?;
        // The check ran on the drain's task; it is this request's statement all the same.
        crate::db::count_for_request();
        found
    }

    async fn drain(&self) {
        loop {
            let batch = {
                let mut q = self.queue();
                if q.waiting.is_empty() {
                    q.running = false;
                    return;
                }
                std::mem::take(&mut q.waiting)
            };
            let ids: BTreeSet<Uuid> = batch.iter().map(|(id, _)| *id).collect();
            match user::Entity::find().filter(user::Column::Id.is_in(ids)).all(&self.db).await {
                Ok(rows) => {
                    let found: HashMap<Uuid, user::Model> = rows.into_iter().map(|u| (u.id, u)).collect();
                    for (id, reply) in batch {
                        let _ = reply.send(Ok(found.get(&id).cloned()));
                    }
                }
                Err(e) => {
                    let err = AppError::from(e);
                    for (_, reply) in batch {
                        let _ = reply.send(Err(err.clone()));
                    }
                }
            }
        }
    }
}
