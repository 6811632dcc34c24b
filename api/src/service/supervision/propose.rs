//! Supervision that forces progress (倒逼): a project RED at the end of both of the last two closed
//! months gets a TRACKING task proposed to the office, once, with an event on the project that the
//! change feed, webhooks and subscriptions carry.

use chrono::{DateTime, Utc};
use entity::inspection::InspectionKind;
use entity::project::Light;
use entity::supervision_task::{self, Model as Task, TaskOrigin};
use entity::{project, supervision_task_project};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::service::audit::{self, Change};
use crate::service::period::{Period, reporting_statuses};

/// Days a proposed task's window runs from the day it is proposed.
const WINDOW_DAYS: i64 = 14;

/// The month a proposal answers and the one before it: the last two months that have ended.
fn months(day: Day) -> (Period, Period) {
    let last = Period::of(day.date).previous();
    (last.previous(), last)
}

/// Proposes a task for each reporting project whose light was RED on the last day of both of the
/// last two months that have ended (computed from its rows as they stand), unless one was proposed
/// for those months already. Safe on several instances at once: a proposal's id derives from the
/// project and the months, and the insert that loses the race does nothing. Returns how many it
/// proposed.
pub async fn propose(db: &DatabaseConnection, day: Day, now: DateTime<Utc>) -> AppResult<usize> {
    let (first, last) = months(day);
    // A project that did not exist when the first month began was not RED through it.
    let ids: Vec<Uuid> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .filter(project::Column::Status.is_in(reporting_statuses()))
        .filter(project::Column::CreatedAt.lt(crate::clock::midnight(first.first_day(), day.zone)))
        .into_tuple()
        .all(db)
        .await?;
    let at_end = |p: Period| Day { date: p.last_day(), zone: day.zone };
    let before = crate::service::health::compute(db, &ids, at_end(first)).await?;
    let red_twice: Vec<Uuid> = {
        let red_first: Vec<Uuid> =
            ids.iter().copied().filter(|id| before.get(id).is_some_and(|h| h.light == Light::Red)).collect();
        let after = crate::service::health::compute(db, &red_first, at_end(last)).await?;
        red_first.into_iter().filter(|id| after.get(id).is_some_and(|h| h.light == Light::Red)).collect()
    };
    let mut proposed = 0;
    for project in red_twice {
        let key = format!("{project}|{}|{}", first.key(), last.key());
        let id = Uuid::new_v5(&project, key.as_bytes());
        let task = Task {
            id,
            kind: InspectionKind::Tracking,
            origin: TaskOrigin::Proposed,
            title: format!("连续两月红灯倒逼督导（{}、{}）", first.key(), last.key()),
            window_from: day.date,
            window_to: day.date + chrono::Duration::days(WINDOW_DAYS),
            done_at: None,
            summary: None,
            closed_at: None,
            closed_by: None,
            draw_seed: None,
            draw_candidates: None,
            proposed_for: Some(key),
            created_by: None,
            created_at: now,
            updated_at: now,
        };
        let txn = crate::db::begin_write(db).await?;
        let on_id = OnConflict::column(supervision_task::Column::Id).do_nothing().to_owned();
        let inserted = supervision_task::Entity::insert(task.clone().into_active_model())
            .on_conflict(on_id)
            .exec_without_returning(&txn)
            .await?;
        if inserted == 0 {
            continue;
        }
        supervision_task_project::Entity::insert(supervision_task_project::ActiveModel {
            task_id: sea_orm::Set(id),
            project_id: sea_orm::Set(project),
            position: sea_orm::Set(0),
        })
        .exec_without_returning(&txn)
        .await?;
        audit::record(
            &txn,
            &Actor::System,
            Change {
                action: "project.supervision_proposed",
                entity_type: "project",
                entity_id: project.to_string(),
                changes: json!({ "supervision_task": { "before": null, "after": id }, "red_months": [first.key(), last.key()] }),
            },
        )
        .await?;
        txn.commit().await?;
        proposed += 1;
    }
    Ok(proposed)
}

/// [`propose`] once for each pair of months, on the first round of the periodic jobs after the
/// later month ends: a fact noted after it ran keeps later rounds from computing the lights again.
/// Two instances racing both propose; the proposals' ids keep the tasks single.
pub async fn propose_once(db: &DatabaseConnection, day: Day, now: DateTime<Utc>) -> AppResult<usize> {
    use entity::noted_fact;
    let (first, last) = months(day);
    let key = format!("supervision.proposed:{}|{}", first.key(), last.key());
    if noted_fact::Entity::find_by_id(key.clone()).one(db).await?.is_some() {
        return Ok(0);
    }
    let proposed = propose(db, day, now).await?;
    let fact = noted_fact::ActiveModel {
        key: sea_orm::Set(key),
        value: sea_orm::Set(proposed.to_string()),
        noted_at: sea_orm::Set(now),
    };
    let on_key = OnConflict::column(noted_fact::Column::Key).do_nothing().to_owned();
    noted_fact::Entity::insert(fact).on_conflict(on_key).exec_without_returning(db).await?;
    Ok(proposed)
}
