//! Sweeping stored objects that a crash left without a photo row.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::photo;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::AppResult;
use crate::storage::Storage;

/// Removes stored objects that have no photo row and are older than `grace` (left by a crash between
/// storing the bytes and the row), however old they are. Returns how many went.
pub async fn sweep_orphans(db: &impl ConnectionTrait, storage: &Storage, grace: Duration) -> AppResult<usize> {
    let now = Utc::now();
    let listed = storage.list("photos").await?;
    let old: Vec<(String, Uuid)> = listed
        .into_iter()
        .filter(|(_, at)| now - *at > grace)
        .filter_map(|(key, _)| {
            let name = key.rsplit('/').next()?;
            let id = name.get(..36)?.parse::<Uuid>().ok()?;
            Some((key, id))
        })
        .collect();
    let mut removed = 0;
    // Bounded batches keep each lookup's parameter list within what every database takes.
    for batch in old.chunks(500) {
        let ids: Vec<Uuid> = batch.iter().map(|(_, id)| *id).collect();
        // A row owns the objects under its own key; anything else (no row, or a lost race) goes.
        let owned: HashMap<Uuid, String> = photo::Entity::find()
            .select_only()
            .column(photo::Column::Id)
            .column(photo::Column::ObjectKey)
            .filter(photo::Column::Id.is_in(ids))
            .into_tuple::<(Uuid, String)>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (key, id) in batch {
            let kept = owned.get(id).is_some_and(|k| key == k || key.starts_with(&format!("{k}.")));
            if !kept {
                storage.delete(key).await?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}
