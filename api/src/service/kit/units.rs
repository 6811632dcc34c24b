//! Unit references: validated as the client's mistake rather than a constraint error, and read back
//! from the join tables that tie units to records.

use std::collections::{BTreeSet, HashMap};

use entity::unit;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Every unit's name by id (a county has dozens, a province hundreds): for sheets and feeds that
/// name the units of many rows.
pub async fn unit_names(db: &impl ConnectionTrait) -> AppResult<HashMap<Uuid, String>> {
    Ok(unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name])
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

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

/// The unit ids a join table ties to each of `ids` (co-operating units of issues, participating
/// units of cases): `owner` is the record's column, `unit` the unit's.
pub async fn joined_units<C>(
    db: &impl ConnectionTrait,
    owner: C,
    unit: C,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<Uuid>>>
where
    C: ColumnTrait,
    C::EntityName: EntityTrait,
{
    let rows: Vec<(Uuid, Uuid)> = <C::EntityName as EntityTrait>::find()
        .select_only()
        .column(owner)
        .column(unit)
        .filter(owner.is_in(ids.iter().copied()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows))
}
