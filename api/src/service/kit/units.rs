//! Validation of unit references, answered as the client's mistake rather than a constraint error.

use std::collections::BTreeSet;

use entity::unit;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Fails with `BAD_USER_INPUT` on `field` unless every id in `ids` names a unit.
pub async fn require_units(db: &impl ConnectionTrait, field: &str, ids: &BTreeSet<Uuid>) -> AppResult<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let found = unit::Entity::find().filter(unit::Column::Id.is_in(ids.iter().copied())).count(db).await?;
    if found as usize != ids.len() {
        let message = if ids.len() == 1 { "no unit has this id" } else { "some unit ids match no unit" };
        return Err(AppError::bad_input(field, message));
    }
    Ok(())
}
