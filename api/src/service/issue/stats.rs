//! How each unit handles the issues assigned to it (办结率).

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::issue::{self, IssueStatus};
use entity::issue_event::{self, IssueEventKind};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use super::*;
use crate::error::AppResult;

/// One unit's record with the issues assigned to it.
#[derive(Debug, Clone, Default)]
pub struct UnitIssueStats {
    pub unit_id: Uuid,
    pub assigned: i64,
    pub open: i64,
    /// Resolved, verified or closed.
    pub resolved: i64,
    pub overdue: i64,
    /// Issues whose deadline has come (or that were resolved with one): the close-off rate's base.
    pub due: i64,
    /// Of those, resolved on or before their deadline, by the county's date.
    pub closed_on_time: i64,
    /// Median days from raising to the unit's resolution.
    pub median_days_to_resolve: Option<f64>,
}

/// (issue, assigned unit, status, due date, raised at), for [`unit_stats`].
type StatsRow = (Uuid, Option<Uuid>, IssueStatus, Option<NaiveDate>, chrono::DateTime<Utc>);

/// Per unit: issues assigned, still open, resolved (办结) and overdue, and the median days to resolve.
/// Units with no assigned issue are left out.
pub async fn unit_stats(db: &DatabaseConnection, clock: &crate::clock::Clock) -> AppResult<Vec<UnitIssueStats>> {
    let today = clock.today();
    use issue::Column as C;
    let rows: Vec<StatsRow> = issue::Entity::find()
        .select_only()
        .column(C::Id)
        .column(C::AssignedUnitId)
        .column(C::Status)
        .column(C::DueDate)
        .column(C::CreatedAt)
        .filter(C::AssignedUnitId.is_not_null())
        .into_tuple()
        .all(db)
        .await?;
    let resolved_at: HashMap<Uuid, chrono::DateTime<Utc>> = issue_event::Entity::find()
        .select_only()
        .column(issue_event::Column::IssueId)
        .column(issue_event::Column::At)
        .filter(issue_event::Column::Kind.eq(IssueEventKind::Resolved))
        .order_by_asc(issue_event::Column::Id)
        .into_tuple::<(Uuid, chrono::DateTime<Utc>)>()
        .all(db)
        .await?
        .into_iter()
        .rev()
        .collect();
    let mut by_unit: HashMap<Uuid, (UnitIssueStats, Vec<f64>)> = HashMap::new();
    for (id, unit, status, due, created) in rows {
        let Some(unit) = unit else { continue };
        let (s, days) =
            by_unit.entry(unit).or_insert_with(|| (UnitIssueStats { unit_id: unit, ..Default::default() }, Vec::new()));
        s.assigned += 1;
        if FINISHED.contains(&status) {
            s.resolved += 1;
            if let Some(at) = resolved_at.get(&id) {
                days.push((*at - created).num_seconds() as f64 / 86_400.0);
            }
            if let Some(due) = due {
                s.due += 1;
                let on = resolved_at.get(&id).map(|at| at.with_timezone(&clock.zone()).date_naive());
                s.closed_on_time += i64::from(on.is_some_and(|on| on <= due));
            }
        } else {
            s.due += i64::from(due.is_some_and(|d| d <= today));
            s.open += 1;
            if due.is_some_and(|d| d < today) {
                s.overdue += 1;
            }
        }
    }
    let mut out: Vec<UnitIssueStats> = by_unit
        .into_values()
        .map(|(mut s, mut days)| {
            days.sort_by(f64::total_cmp);
            s.median_days_to_resolve = match days.len() {
                0 => None,
                n if n % 2 == 1 => Some(days[n / 2]),
                n => Some((days[n / 2 - 1] + days[n / 2]) / 2.0),
            };
            s
        })
        .collect();
    out.sort_by(|a, b| b.assigned.cmp(&a.assigned).then(a.unit_id.cmp(&b.unit_id)));
    Ok(out)
}
