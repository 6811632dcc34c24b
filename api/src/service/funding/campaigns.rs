//! Campaigns investment leads belong to (e.g. 百日集中招商, August to November).

use chrono::{DateTime, NaiveDate, Utc};
use entity::funding_campaign;
use entity::user::Role;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use uuid::Uuid;

use super::*;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest, newest_first};
use crate::service::text;

/// What [`create_campaign`] needs.
#[derive(Debug, Clone)]
pub struct NewCampaign {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
}

/// Starts a campaign. ADMIN.
pub async fn create_campaign(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewCampaign,
    now: DateTime<Utc>,
) -> AppResult<funding_campaign::Model> {
    let caller = actor.caller()?.clone();
    caller.require_role(&[Role::Admin], "start campaigns")?;
    let name = text::required("name", &input.name, 2, 200)?;
    let years = 2000..=2100;
    if !years.contains(&chrono::Datelike::year(&input.starts_on))
        || !years.contains(&chrono::Datelike::year(&input.ends_on))
    {
        return Err(AppError::bad_input("startsOn", "days from the year 2000 to 2100"));
    }
    if input.ends_on < input.starts_on {
        return Err(AppError::bad_input("endsOn", "a campaign ends on or after the day it starts"));
    }
    let model = funding_campaign::Model {
        id: Uuid::now_v7(),
        name,
        starts_on: input.starts_on,
        ends_on: input.ends_on,
        created_by: caller.id(),
        created_at: now,
    };
    let txn = crate::db::begin_write(db).await?;
    model.clone().into_active_model().insert(&txn).await?;
    let changes = audit::diff(None, Some(&model))?;
    let change = Change {
        action: "funding_campaign.create",
        entity_type: "funding_campaign",
        entity_id: model.id.to_string(),
        changes,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// Campaigns, newest first. Everyone who reads funding work sees them.
pub async fn campaigns(db: &impl ConnectionTrait, page: &PageRequest) -> AppResult<Page<funding_campaign::Model>> {
    use funding_campaign::Column as C;
    let rows = newest_first(funding_campaign::Entity::find(), C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub async fn count_campaigns(db: &impl ConnectionTrait) -> AppResult<u64> {
    Ok(funding_campaign::Entity::find().count(db).await?)
}
