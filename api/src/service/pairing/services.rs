//! Service a paired unit logs for its project, and the lists of logs.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{pairing_service, photo};
use sea_orm::{ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Select};
use serde_json::json;
use uuid::Uuid;

use super::{MAX_PHOTOS, duties_of, pairing_of, service_visibility};
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::kit::{self, Insert, Units};
use crate::service::page::{Page, PageRequest, newest_first, time_id_key};
use crate::service::text;

/// How far back a log may date its service, in days.
const MAX_DAYS_BACK: i64 = 366;

/// What [`log`] needs.
#[derive(Debug, Clone)]
pub struct NewService {
    /// Chosen by the client, so a retry is not logged twice.
    pub id: Option<Uuid>,
    pub served_on: NaiveDate,
    pub duty: String,
    pub text: String,
    pub photo_ids: Vec<Uuid>,
}

/// Logs service the caller's unit gave `project` as a paired unit: the day (today or up to a year
/// back), one of the pairing's duties (any active duty for a pairing made before duties were named),
/// what was done, and up to [`MAX_PHOTOS`] photos of the project. A department paired with the
/// project; anyone else is `FORBIDDEN`. The same log again answers the stored one.
pub async fn log(
    db: &DatabaseConnection,
    actor: &Actor,
    project: Uuid,
    input: NewService,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> AppResult<pairing_service::Model> {
    let caller = actor.caller()?;
    let body = text::required("text", &input.text, 2, 2000)?;
    let duty = text::trimmed(&input.duty).to_owned();
    if duty.is_empty() || duty.chars().count() > 32 {
        return Err(AppError::bad_input("duty", "name a duty of the pairing by its code"));
    }
    if input.served_on > today || (today - input.served_on).num_days() > MAX_DAYS_BACK {
        return Err(AppError::bad_input("date", format!("a day from {MAX_DAYS_BACK} days ago to today")));
    }
    let mut photos = input.photo_ids.clone();
    photos.sort_unstable();
    photos.dedup();
    if photos.len() > MAX_PHOTOS {
        return Err(AppError::bad_input("photoIds", format!("at most {MAX_PHOTOS} photos")));
    }
    let project = crate::service::project::find(db, project).await?;
    let Some(pairing) = pairing_of(db, caller, project.id).await? else {
        return Err(AppError::Forbidden("only a unit paired with this project logs service for it".into()));
    };
    let unit = pairing.unit_id;
    let named = duties_of(&pairing);
    let allowed =
        if named.is_empty() { super::duties(db, false).await?.into_iter().map(|d| d.code).collect() } else { named };
    if !allowed.contains(&duty) {
        return Err(AppError::bad_input("duty", format!("this pairing's duties are {allowed:?}")));
    }
    if !photos.is_empty() {
        let of_project = photo::Entity::find()
            .filter(photo::Column::Id.is_in(photos.iter().copied()))
            .filter(photo::Column::ProjectId.eq(project.id))
            .count(db)
            .await?;
        if of_project != photos.len() as u64 {
            return Err(AppError::bad_input("photoIds", "every photo must be one of this project's"));
        }
    }
    let payload = json!({
        "project_id": project.id, "unit_id": unit, "duty": duty, "served_on": input.served_on,
        "text": body, "photo_ids": photos, "recorded_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) = kit::find_replay::<pairing_service::Entity>(db, id, &payload, "a service log").await? {
        return Ok(stored);
    }
    let model = pairing_service::Model {
        id,
        project_id: project.id,
        unit_id: unit,
        duty,
        served_on: input.served_on,
        text: body,
        photo_ids: json!(photos).to_string(),
        recorded_by: caller.id(),
        recorded_at: now,
    };
    let txn = crate::db::begin_write(db).await?;
    let txn =
        match kit::insert_or_replay::<pairing_service::Entity>(db, txn, id, model.clone(), &payload, "a service log")
            .await?
        {
            Insert::Inserted(txn) => txn,
            Insert::Replayed(stored) => return Ok(stored),
        };
    let changes = json!({ "pairing_service": { "after": payload } });
    let change = Change {
        action: "project.log_pairing_service",
        entity_type: "project",
        entity_id: project.id.to_string(),
        changes,
    };
    audit::record(&txn, actor, change).await?;
    txn.commit().await?;
    Ok(model)
}

/// The photo ids a log names.
pub fn photo_ids_of(log: &pairing_service::Model) -> Vec<Uuid> {
    serde_json::from_str(&log.photo_ids).unwrap_or_default()
}

/// Which logs a list shows.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub project_id: Option<Uuid>,
    pub unit_id: Option<Uuid>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn matching(scope: Option<Units>, f: &ServiceFilter) -> Select<pairing_service::Entity> {
    use pairing_service::Column as C;
    let mut q = pairing_service::Entity::find().filter(service_visibility(scope));
    if let Some(project) = f.project_id {
        q = q.filter(C::ProjectId.eq(project));
    }
    if let Some(unit) = f.unit_id {
        q = q.filter(C::UnitId.eq(unit));
    }
    if let Some(from) = f.from {
        q = q.filter(C::ServedOn.gte(from));
    }
    if let Some(to) = f.to {
        q = q.filter(C::ServedOn.lte(to));
    }
    q
}

/// Logs the caller sees, newest first.
pub async fn list(
    db: &impl ConnectionTrait,
    scope: Option<Units>,
    f: &ServiceFilter,
    page: &PageRequest,
) -> AppResult<Page<pairing_service::Model>> {
    use pairing_service::Column as C;
    let rows = newest_first(matching(scope, f), C::RecordedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(log: &pairing_service::Model) -> String {
    time_id_key(log.recorded_at, log.id)
}

pub async fn count(db: &impl ConnectionTrait, scope: Option<Units>, f: &ServiceFilter) -> AppResult<u64> {
    Ok(matching(scope, f).count(db).await?)
}
