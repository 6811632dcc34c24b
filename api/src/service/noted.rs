//! Events that time causes rather than a write: an issue passing its deadline (`issue.overdue`), a
//! month's report not in by its due day (`report.missing`), a project's light changing as the days
//! pass or its inputs change (`project.light_changed`). The periodic jobs note each in the audit
//! trail once — so webhooks, subscriptions and the change feed see them like any change — keeping
//! in `noted_facts` what they noted: a conditional write per fact lets exactly one instance note it,
//! and a fact is noted again only when it changes (a deadline moved and passed again, a new light).

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{issue, noted_fact, project_light};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::clock::Day;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::{self, Change};

/// Events of one kind noted in one round at most (each is a transaction): the first round after an
/// upgrade, or on a province's database, notes the backlog over several rounds instead of holding the
/// jobs up for minutes.
const PER_ROUND: usize = 500;

/// Notes what has happened by `day` and was not noted yet; returns how many events it recorded.
pub async fn note(db: &DatabaseConnection, day: Day) -> AppResult<usize> {
    Ok(overdue(db, day.date).await? + missing_reports(db, day).await? + lights(db, day).await?)
}

/// The noted facts whose keys start with `prefix`, key → value.
async fn facts(db: &impl ConnectionTrait, prefix: &str) -> AppResult<HashMap<String, String>> {
    let rows: Vec<(String, String)> = noted_fact::Entity::find()
        .select_only()
        .columns([noted_fact::Column::Key, noted_fact::Column::Value])
        .filter(noted_fact::Column::Key.starts_with(prefix))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Sets fact `key` from `before` (none: not noted yet) to `value`; false when another instance
/// changed it first.
async fn set(db: &impl ConnectionTrait, key: &str, before: Option<&String>, value: &str) -> AppResult<bool> {
    let done = match before {
        None => {
            let row = noted_fact::ActiveModel {
                key: Set(key.to_owned()),
                value: Set(value.to_owned()),
                noted_at: Set(Utc::now()),
            };
            let conflict = OnConflict::column(noted_fact::Column::Key).do_nothing().to_owned();
            noted_fact::Entity::insert(row).on_conflict(conflict).exec_without_returning(db).await?
        }
        Some(before) => {
            noted_fact::Entity::update_many()
                .col_expr(noted_fact::Column::Value, Expr::value(value))
                .col_expr(noted_fact::Column::NotedAt, Expr::value(Utc::now()))
                .filter(noted_fact::Column::Key.eq(key))
                .filter(noted_fact::Column::Value.eq(before.as_str()))
                .exec(db)
                .await?
                .rows_affected
        }
    };
    Ok(done == 1)
}

/// Sets the fact and records `change` in one transaction, if this instance wins the fact.
async fn note_once(
    db: &DatabaseConnection,
    key: &str,
    before: Option<&String>,
    value: &str,
    change: Change<'_>,
) -> AppResult<usize> {
    let txn = crate::db::begin_write(db).await?;
    if !set(&txn, key, before, value).await? {
        return Ok(0);
    }
    audit::record(&txn, &Actor::System, change).await?;
    txn.commit().await?;
    Ok(1)
}

/// Open issues past their deadline, once per deadline.
async fn overdue(db: &DatabaseConnection, today: NaiveDate) -> AppResult<usize> {
    use issue::Column as C;
    let due: Vec<(Uuid, Option<NaiveDate>)> = issue::Entity::find()
        .select_only()
        .columns([C::Id, C::DueDate])
        .filter(C::DueDate.lt(today))
        .filter(C::Status.is_not_in(crate::service::issue::FINISHED))
        .into_tuple()
        .all(db)
        .await?;
    let noted = facts(db, "issue.overdue:").await?;
    let mut recorded = 0;
    for (id, due) in due {
        if recorded >= PER_ROUND {
            break;
        }
        let Some(due) = due else { continue };
        let (key, value) = (format!("issue.overdue:{id}"), due.to_string());
        let before = noted.get(&key);
        if before == Some(&value) {
            continue;
        }
        let changes = json!({ "overdue_since": { "before": null, "after": due } });
        let change = Change { action: "issue.overdue", entity_type: "issue", entity_id: id.to_string(), changes };
        recorded += note_once(db, &key, before, &value, change).await?;
    }
    Ok(recorded)
}

/// Projects that owe the last closed month's report and have none, once per month.
async fn missing_reports(db: &DatabaseConnection, day: Day) -> AppResult<usize> {
    let rules = crate::service::settings::rules(db).await?;
    let period = crate::service::report::last_closed_period(day.date, rules.report_due_day);
    let prefix = format!("report.missing:{}:", period.key());
    let noted = facts(db, &prefix).await?;
    let mut recorded = 0;
    for project in crate::service::report::missing_ids(db, period, day.zone).await? {
        if recorded >= PER_ROUND {
            break;
        }
        let key = format!("{prefix}{project}");
        if noted.contains_key(&key) {
            continue;
        }
        let changes = json!({ "period": { "before": null, "after": period.key() } });
        let change =
            Change { action: "report.missing", entity_type: "project", entity_id: project.to_string(), changes };
        recorded += note_once(db, &key, None, "", change).await?;
    }
    Ok(recorded)
}

/// Projects whose light differs from the one last noted. A light seen for the first time (a new
/// project, or the first run) is noted without an event: nothing changed.
async fn lights(db: &DatabaseConnection, day: Day) -> AppResult<usize> {
    crate::service::health::refresh(db, day).await?;
    let shown: Vec<(Uuid, Option<entity::project::Light>)> = project_light::Entity::find()
        .select_only()
        .columns([project_light::Column::ProjectId, project_light::Column::Light])
        .into_tuple()
        .all(db)
        .await?;
    let noted = facts(db, "project.light:").await?;
    let mut first_seen = Vec::new();
    let mut recorded = 0;
    for (project, light) in shown {
        let Some(light) = light else { continue };
        let (key, value) = (format!("project.light:{project}"), sea_orm::ActiveEnum::to_value(&light));
        match noted.get(&key) {
            None => {
                first_seen.push(noted_fact::ActiveModel { key: Set(key), value: Set(value), noted_at: Set(Utc::now()) })
            }
            Some(before) if *before == value => {}
            Some(_) if recorded >= PER_ROUND => {}
            Some(before) => {
                let changes = json!({ "light": { "before": before, "after": value } });
                let change = Change {
                    action: "project.light_changed",
                    entity_type: "project",
                    entity_id: project.to_string(),
                    changes,
                };
                recorded += note_once(db, &key, Some(before), &value, change).await?;
            }
        }
    }
    for chunk in first_seen.chunks(500) {
        let txn = db.begin().await?;
        let conflict = OnConflict::column(noted_fact::Column::Key).do_nothing().to_owned();
        noted_fact::Entity::insert_many(chunk.to_vec()).on_conflict(conflict).exec_without_returning(&txn).await?;
        txn.commit().await?;
    }
    Ok(recorded)
}
