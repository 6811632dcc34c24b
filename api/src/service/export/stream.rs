//! A ledger's rows read from the database while the workbook is written: a task walks the query's
//! rows as they arrive and turns each into cells, handing them over a short queue to the thread that
//! writes the workbook. A province's 200,000 issues are never in memory at once, only the queue.

use futures_util::StreamExt;
use sea_orm::{DatabaseConnection, EntityTrait, Select};

use super::{Cell, Rows};
use crate::error::AppError;

/// Rows in flight between the reading task and the writer.
const QUEUE: usize = 512;

/// The rows of `select`, each made into cells by `cells`, read as the writer takes them. The writer
/// must run off the async threads (it waits on the queue). When it stops early the reading stops.
pub fn streamed<E, F>(db: DatabaseConnection, select: Select<E>, mut cells: F) -> Rows
where
    E: EntityTrait,
    E::Model: Send + Sync,
    F: FnMut(E::Model) -> Vec<Cell> + Send + 'static,
{
    let (tx, mut rx) = tokio::sync::mpsc::channel(QUEUE);
    tokio::spawn(async move {
        let rows = match select.stream(&db).await {
            Ok(rows) => rows,
            Err(e) => {
                let _ = tx.send(Err(AppError::from(e))).await;
                return;
            }
        };
        let mut rows = std::pin::pin!(rows);
        while let Some(row) = rows.next().await {
            let failed = row.is_err();
            if tx.send(row.map(&mut cells).map_err(AppError::from)).await.is_err() || failed {
                return;
            }
        }
    });
    Box::new(std::iter::from_fn(move || rx.blocking_recv()))
}
