//! Reading items of funding work: lists, an item's units, stages and money, a project's items.

use std::collections::HashMap;

use entity::funding_item::{self, FundingKind, FundingStage};
use entity::{funding_entry, funding_item_unit, funding_stage};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::service::page::{Page, PageRequest, Under, after_newest, newest_first, time_id_key};
use crate::service::text;

/// Which items a list shows.
#[derive(Debug, Clone, Default)]
pub struct ItemFilter {
    pub kind: Option<FundingKind>,
    pub unit_id: Option<Uuid>,
    pub project_id: Option<Uuid>,
    pub campaign_id: Option<Uuid>,
    pub stage: Option<FundingStage>,
    /// Found in the name or the counterpart.
    pub search: Option<String>,
}

fn matching(reach: Reach, f: &ItemFilter) -> Select<funding_item::Entity> {
    use funding_item::Column as C;
    let mut q = funding_item::Entity::find().filter(item_visibility(reach));
    if let Some(kind) = f.kind {
        q = q.filter(C::Kind.eq(kind));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(C::Id.in_subquery(items_of_unit(unit)));
    }
    if let Some(project) = f.project_id {
        q = q.filter(C::ProjectId.eq(project));
    }
    if let Some(campaign) = f.campaign_id {
        q = q.filter(C::CampaignId.eq(campaign));
    }
    if let Some(stage) = f.stage {
        q = q.filter(C::Stage.eq(stage));
    }
    if let Some(search) = f.search.as_deref().map(text::trimmed).filter(|s| !s.is_empty()) {
        q = q.filter(
            sea_orm::Condition::any().add(text::contains(C::Name, search)).add(text::contains(C::Counterpart, search)),
        );
    }
    q
}

/// Items the caller sees, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &ItemFilter,
    page: &PageRequest,
) -> AppResult<Page<funding_item::Model>> {
    use funding_item::Column as C;
    let rows = newest_first(matching(reach, f), C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(item: &funding_item::Model) -> String {
    time_id_key(item.created_at, item.id)
}

pub async fn count(db: &impl ConnectionTrait, reach: Reach, f: &ItemFilter) -> AppResult<u64> {
    Ok(matching(reach, f).count(db).await?)
}

/// What [`list`] shows of each of `projects`' items, one page each, in one statement.
pub async fn pages_of_projects(
    db: &impl ConnectionTrait,
    reach: Reach,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<funding_item::Model>>> {
    use funding_item::Column as C;
    let q = after_newest(matching(reach, &ItemFilter::default()), C::CreatedAt, C::Id, page)?;
    let under =
        Under::newest(C::ProjectId, C::CreatedAt, C::Id, |m: &funding_item::Model| m.project_id.unwrap_or_default());
    crate::service::page::per_parent(db, q, &under, projects, page).await
}

/// How many items each of `projects` has that the caller sees.
pub async fn count_per_project(
    db: &impl ConnectionTrait,
    reach: Reach,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    let q = matching(reach, &ItemFilter::default());
    crate::service::page::count_per_parent(db, q, funding_item::Column::ProjectId, projects).await
}

/// The units credited with each of `items` and their shares, the largest first.
pub async fn shares_of(
    db: &impl ConnectionTrait,
    items: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<funding_item_unit::Model>>> {
    use funding_item_unit::Column as C;
    let rows = funding_item_unit::Entity::find()
        .filter(among(C::ItemId, items.iter().copied(), db.get_database_backend()))
        .order_by_desc(C::ShareBp)
        .order_by_asc(C::UnitId)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.item_id, r))))
}

/// The money of each of `items` in the order it moved: current entries, or every entry with the
/// ones corrections replaced.
pub async fn entries_of(
    db: &impl ConnectionTrait,
    items: &[Uuid],
    history: bool,
) -> AppResult<HashMap<Uuid, Vec<funding_entry::Model>>> {
    use funding_entry::Column as C;
    let mut q =
        funding_entry::Entity::find().filter(among(C::ItemId, items.iter().copied(), db.get_database_backend()));
    if !history {
        q = q.filter(C::IsCurrent.eq(true));
    }
    let rows = q.order_by_asc(C::MovedOn).order_by_asc(C::Id).all(db).await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.item_id, r))))
}

/// The stages each of `items` reached, in the order reached.
pub async fn stages_of(
    db: &impl ConnectionTrait,
    items: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<funding_stage::Model>>> {
    use funding_stage::Column as C;
    let rows = funding_stage::Entity::find()
        .filter(among(C::ItemId, items.iter().copied(), db.get_database_backend()))
        .order_by_asc(C::ReachedOn)
        .order_by_asc(C::RecordedAt)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|r| (r.item_id, r))))
}
