//! Reading action items: the filtered list (a unit's or a chair's queue), its count, and the batch
//! lookups behind the loaders.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::action_item::{self, ActionItemStatus};
use entity::action_item_event;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::error::{AppError, AppResult};
use crate::service::page::{Page, PageRequest};

/// Filters for [`list_items`].
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub owner_unit_id: Option<Uuid>,
    pub status: Option<ActionItemStatus>,
    /// OPEN and past the deadline on `today` (true), or not (false).
    pub overdue: Option<bool>,
    pub meeting_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    /// Items escalated to this person: a chair's queue.
    pub escalated_to: Option<Uuid>,
    /// The county's today, for `overdue`.
    pub today: NaiveDate,
}

/// Whether `item` is overdue on `today`: OPEN past its deadline.
pub fn overdue(item: &action_item::Model, today: NaiveDate) -> bool {
    item.status == ActionItemStatus::Open && item.deadline < today
}

fn matching_items(reach: Reach, f: &ItemFilter) -> Select<action_item::Entity> {
    use action_item::Column as C;
    let mut q = action_item::Entity::find().filter(item_visibility(reach));
    if let Some(unit) = f.owner_unit_id {
        q = q.filter(C::OwnerUnitId.eq(unit));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = f.meeting_id {
        q = q.filter(C::MeetingId.eq(v));
    }
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.escalated_to {
        q = q.filter(C::EscalatedTo.eq(v));
    }
    let late = Condition::all().add(C::Status.eq(ActionItemStatus::Open)).add(C::Deadline.lt(f.today));
    match f.overdue {
        Some(true) => q = q.filter(late),
        Some(false) => q = q.filter(late.not()),
        None => {}
    }
    q
}

/// Action items the caller can see, nearest deadline first (a unit's queue).
pub async fn list_items(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &ItemFilter,
    page: &PageRequest,
) -> AppResult<Page<action_item::Model>> {
    use action_item::Column as C;
    let mut q = matching_items(reach, f);
    if let Some(after) = &page.after {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let (d, i) = after.split_once('|').ok_or_else(bad)?;
        let d: NaiveDate = d.parse().map_err(|_| bad())?;
        let i: Uuid = i.parse().map_err(|_| bad())?;
        q = q.filter(
            Condition::any().add(C::Deadline.gt(d)).add(Condition::all().add(C::Deadline.eq(d)).add(C::Id.gt(i))),
        );
    }
    let rows = q.order_by_asc(C::Deadline).order_by_asc(C::Id).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn item_cursor(item: &action_item::Model) -> String {
    format!("{}|{}", item.deadline, item.id)
}

pub async fn count_items(db: &impl ConnectionTrait, reach: Reach, f: &ItemFilter) -> AppResult<u64> {
    Ok(matching_items(reach, f).count(db).await?)
}

/// Co-unit ids of many items.
pub async fn co_units_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    super::actions::co_units(db, ids).await
}

/// Timelines of many items, oldest first.
pub async fn events_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<action_item_event::Model>>> {
    let rows = action_item_event::Entity::find()
        .filter(among(action_item_event::Column::ItemId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(action_item_event::Column::Id)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|e| (e.item_id, e))))
}
