//! How urgent an issue's deadline has become, and escalation to the linked leader (提级督办).

use std::collections::{BTreeSet, HashMap};

use chrono::{NaiveDate, Utc};
use entity::issue::{self};
use entity::issue_event::IssueEventKind;
use entity::project;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::transition::event;
use super::*;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::audit::{self, Change};

/// How urgent an issue's deadline has become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum Escalation {
    /// Not due soon, no due date, or already resolved.
    None,
    /// Due within the office's "due soon" days (临期).
    Yellow,
    /// Overdue (逾期).
    Red,
    /// Overdue beyond the office's limit: escalated to the project's linked leader (提级督办).
    Leader,
}

/// The escalation level of `issue` on `today` under `rules`.
pub fn escalation(issue: &issue::Model, today: NaiveDate, rules: &entity::office_setting::Model) -> Escalation {
    if FINISHED.contains(&issue.status) {
        return Escalation::None;
    }
    match issue.due_date {
        Some(due) if (today - due).num_days() > i64::from(rules.issue_leader_after_days) => Escalation::Leader,
        Some(due) if today > due => Escalation::Red,
        Some(due) if (due - today).num_days() <= i64::from(rules.issue_due_soon_days) => Escalation::Yellow,
        _ => Escalation::None,
    }
}

pub(super) fn escalation_condition(
    level: Escalation,
    today: NaiveDate,
    rules: &entity::office_setting::Model,
) -> Condition {
    use issue::Column as C;
    let open = C::Status.is_not_in(FINISHED);
    let leader_cutoff = today - chrono::Duration::days(i64::from(rules.issue_leader_after_days));
    let soon = today + chrono::Duration::days(i64::from(rules.issue_due_soon_days));
    match level {
        Escalation::Leader => Condition::all().add(open).add(C::DueDate.lt(leader_cutoff)),
        Escalation::Red => Condition::all().add(open).add(C::DueDate.lt(today)).add(C::DueDate.gte(leader_cutoff)),
        Escalation::Yellow => Condition::all().add(open).add(C::DueDate.gte(today)).add(C::DueDate.lte(soon)),
        Escalation::None => {
            Condition::any().add(C::Status.is_in(FINISHED)).add(C::DueDate.is_null()).add(C::DueDate.gt(soon))
        }
    }
}

/// Escalates every issue overdue beyond the office's limit to its project's linked leader, once:
/// sets `escalated_to` and writes an ESCALATED timeline entry. Safe to run from several instances
/// at once: the conditional update lets exactly one of them record each escalation.
pub async fn escalate_overdue(db: &DatabaseConnection, today: NaiveDate) -> AppResult<usize> {
    use issue::Column as C;
    let rules = crate::service::settings::rules(db).await?;
    let cutoff = today - chrono::Duration::days(i64::from(rules.issue_leader_after_days));
    let due: Vec<issue::Model> = issue::Entity::find()
        .filter(C::EscalatedAt.is_null())
        .filter(C::DueDate.lt(cutoff))
        .filter(C::Status.is_not_in(FINISHED))
        .all(db)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let project_ids: BTreeSet<Uuid> = due.iter().map(|i| i.project_id).collect();
    let leaders: HashMap<Uuid, Uuid> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::LeaderId)
        .filter(project::Column::Id.is_in(project_ids))
        .into_tuple::<(Uuid, Uuid)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut escalated = 0;
    for issue in due {
        let Some(leader) = leaders.get(&issue.project_id).copied() else { continue };
        let now = Utc::now();
        let txn = crate::db::begin_write(db).await?;
        let won = issue::Entity::update_many()
            .col_expr(C::EscalatedAt, Expr::value(now))
            .col_expr(C::EscalatedTo, Expr::value(leader))
            .filter(C::Id.eq(issue.id))
            .filter(C::EscalatedAt.is_null())
            .exec(&txn)
            .await?;
        if won.rows_affected == 1 {
            let days = issue.due_date.map_or(0, |d| (today - d).num_days());
            event(
                &txn,
                issue.id,
                IssueEventKind::Escalated,
                None,
                Some(format!("逾期{days}天，提级至联系领导督办")),
                None,
            )
            .await?;
            let changes = json!({ "escalated_to": { "before": null, "after": leader } });
            audit::record(
                &txn,
                &Actor::System,
                Change { action: "issue.escalate", entity_type: "issue", entity_id: issue.id.to_string(), changes },
            )
            .await?;
            escalated += 1;
        }
        txn.commit().await?;
    }
    Ok(escalated)
}
