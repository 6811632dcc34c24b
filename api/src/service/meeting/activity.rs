//! The leaders' own record (领导履职): for each leader and a year or quarter, the meetings they
//! chaired, the projects they dispatched and visited, their instructions on issues, the issues
//! escalated to them and how fast those closed, and how the action items of their meetings fared.
//! Each figure is a count over stored rows, aggregated in the database where it is a plain count.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::issue_event::{self, IssueEventKind};
use entity::meeting::{self, MeetingKind, MeetingStatus};
use entity::user::{self, Role};
use entity::{inspection, issue, meeting_agenda};
use sea_orm::sea_query::{Alias, Asterisk, Expr, Func, IntoTableRef, SimpleExpr};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait};
use uuid::Uuid;

use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::Actor;

/// A year, or one quarter of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quarter {
    pub year: i32,
    /// 1 to 4; `None` for the whole year.
    pub quarter: Option<u32>,
}

impl Quarter {
    /// Checks the year (2000 to 2100) and quarter (1 to 4).
    pub fn new(year: i32, quarter: Option<i32>) -> AppResult<Self> {
        if !(2000..=2100).contains(&year) {
            return Err(AppError::bad_input("year", "a year from 2000 to 2100"));
        }
        let quarter = match quarter {
            None => None,
            Some(q @ 1..=4) => Some(q as u32),
            Some(_) => return Err(AppError::bad_input("quarter", "a quarter from 1 to 4")),
        };
        Ok(Self { year, quarter })
    }

    /// The first day and the first day after, in the county.
    pub fn days(self) -> (NaiveDate, NaiveDate) {
        let (from, months) = match self.quarter {
            Some(q) => (3 * (q - 1) + 1, 3),
            None => (1, 12),
        };
        let first = NaiveDate::from_ymd_opt(self.year, from, 1).unwrap_or_default();
        (first, first.checked_add_months(chrono::Months::new(months)).unwrap_or(first))
    }
}

/// Meetings of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindCount {
    pub kind: MeetingKind,
    pub count: u64,
}

/// One leader's record over a period.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Activity {
    pub leader: Uuid,
    /// Meetings chaired and held (HELD or MINUTES_PUBLISHED), by kind.
    pub meetings: Vec<KindCount>,
    /// Distinct projects on the agendas of those meetings.
    pub projects_dispatched: u64,
    /// Distinct projects the leader inspected on site (their inspections completed in the period).
    pub projects_visited: u64,
    /// Instructions (批示) the leader wrote on issues.
    pub instructions: u64,
    /// Issues escalated to the leader in the period, and how many of them are closed.
    pub issues_escalated: u64,
    pub escalated_closed: u64,
    /// Median days from escalation to close-off of those closed.
    pub median_days_to_close: Option<f64>,
    /// Action items handed out at the leader's meetings of the period, and where they stand today.
    pub items: u64,
    pub items_done_on_time: u64,
    pub items_done_late: u64,
    pub items_overdue: u64,
    pub items_open: u64,
}

/// Every leader's record for `period`, by name. ADMIN and LEADER.
pub async fn leader_activity(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Quarter,
    day: Day,
) -> AppResult<Vec<Activity>> {
    actor.require_role(&[Role::Admin, Role::Leader], "read the leaders' record")?;
    let (first, after) = period.days();
    let (from, until) = (crate::clock::midnight(first, day.zone), crate::clock::midnight(after, day.zone));
    let leaders: Vec<Uuid> = user::Entity::find()
        .select_only()
        .column(user::Column::Id)
        .filter(user::Column::Role.eq(Role::Leader))
        .order_by_asc(user::Column::DisplayName)
        .order_by_asc(user::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let held = [MeetingStatus::Held, MeetingStatus::MinutesPublished];
    let in_period = |q: sea_orm::Select<meeting::Entity>| {
        q.filter(meeting::Column::Status.is_in(held))
            .filter(meeting::Column::StartsAt.gte(from))
            .filter(meeting::Column::StartsAt.lt(until))
            .filter(meeting::Column::ChairId.is_in(leaders.iter().copied()))
    };
    let by_kind: Vec<(Uuid, MeetingKind, i64)> = in_period(meeting::Entity::find())
        .select_only()
        .columns([meeting::Column::ChairId, meeting::Column::Kind])
        .column_as(Expr::col(meeting::Column::Id).count(), "n")
        .group_by(meeting::Column::ChairId)
        .group_by(meeting::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let joined = |q: sea_orm::Select<meeting::Entity>, table: sea_orm::sea_query::TableRef, on: SimpleExpr| {
        let mut q = q.select_only().into_query();
        q.inner_join(table, on);
        q
    };
    let mut q = joined(
        in_period(meeting::Entity::find()),
        meeting_agenda::Entity.into_table_ref(),
        Expr::col((meeting_agenda::Entity, meeting_agenda::Column::MeetingId))
            .equals((meeting::Entity, meeting::Column::Id)),
    );
    q.column((meeting::Entity, meeting::Column::ChairId))
        .expr_as(
            Func::count_distinct(Expr::col((meeting_agenda::Entity, meeting_agenda::Column::ProjectId))),
            Alias::new("n"),
        )
        .group_by_col((meeting::Entity, meeting::Column::ChairId));
    let mut dispatched: Vec<(Uuid, i64)> = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        dispatched.push((row.try_get("", "chair_id")?, row.try_get("", "n")?));
    }
    let visited: Vec<(Uuid, i64)> = inspection::Entity::find()
        .select_only()
        .column(inspection::Column::InspectorId)
        .column_as(SimpleExpr::from(Func::count_distinct(Expr::col(inspection::Column::ProjectId))), "n")
        .filter(inspection::Column::IsCurrent.eq(true))
        .filter(inspection::Column::InspectorId.is_in(leaders.iter().copied()))
        .filter(inspection::Column::CompletedAt.gte(from))
        .filter(inspection::Column::CompletedAt.lt(until))
        .group_by(inspection::Column::InspectorId)
        .into_tuple()
        .all(db)
        .await?;
    let instructions: Vec<(Uuid, i64)> = issue_event::Entity::find()
        .select_only()
        .column(issue_event::Column::ActorId)
        .column_as(Expr::col(issue_event::Column::Id).count(), "n")
        .filter(issue_event::Column::Kind.eq(IssueEventKind::Instruction))
        .filter(issue_event::Column::ActorId.is_in(leaders.iter().copied()))
        .filter(issue_event::Column::At.gte(from))
        .filter(issue_event::Column::At.lt(until))
        .group_by(issue_event::Column::ActorId)
        .into_tuple()
        .all(db)
        .await?;
    let escalated: Vec<(Uuid, DateTime<Utc>, Option<DateTime<Utc>>)> = issue::Entity::find()
        .select_only()
        .columns([issue::Column::EscalatedTo, issue::Column::EscalatedAt, issue::Column::ClosedAt])
        .filter(issue::Column::EscalatedTo.is_in(leaders.iter().copied()))
        .filter(issue::Column::EscalatedAt.gte(from))
        .filter(issue::Column::EscalatedAt.lt(until))
        .into_tuple()
        .all(db)
        .await?;
    let mut q = joined(
        in_period(meeting::Entity::find()),
        action_item::Entity.into_table_ref(),
        Expr::col((action_item::Entity, action_item::Column::MeetingId)).equals((meeting::Entity, meeting::Column::Id)),
    );
    // Each item counted once, in the state it stands in today: done on time, done late, overdue, open.
    let item = |c: action_item::Column| Expr::col((action_item::Entity, c));
    let done = item(action_item::Column::Status).is_in([ActionItemStatus::Done, ActionItemStatus::Verified]);
    let on_time = Condition::all()
        .add(done.clone())
        .add(item(action_item::Column::DoneOn).lte(item(action_item::Column::Deadline)));
    let overdue = Condition::all()
        .add(item(action_item::Column::Status).eq(ActionItemStatus::Open))
        .add(item(action_item::Column::Deadline).lt(day.date));
    let tally = |c: Condition| -> SimpleExpr {
        Func::cast_as(Func::sum(SimpleExpr::Case(Box::new(Expr::case(c, 1).finally(0)))), Alias::new("BIGINT")).into()
    };
    q.column((meeting::Entity, meeting::Column::ChairId))
        .expr_as(Expr::col(Asterisk).count(), Alias::new("n"))
        .expr_as(tally(on_time.clone()), Alias::new("on_time"))
        .expr_as(tally(Condition::all().add(done).add(on_time.not())), Alias::new("late"))
        .expr_as(tally(overdue), Alias::new("overdue"))
        .group_by_col((meeting::Entity, meeting::Column::ChairId));
    let mut items: Vec<(Uuid, [i64; 4])> = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let n = |c: &str| row.try_get::<i64>("", c);
        items.push((row.try_get("", "chair_id")?, [n("n")?, n("on_time")?, n("late")?, n("overdue")?]));
    }
    let mut out: Vec<Activity> = leaders.iter().map(|id| Activity { leader: *id, ..Activity::default() }).collect();
    let order: HashMap<Uuid, usize> = leaders.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let at = |id: Uuid| order.get(&id).copied();
    for (chair, kind, n) in by_kind {
        if let Some(a) = at(chair).map(|i| &mut out[i]) {
            a.meetings.push(KindCount { kind, count: count(n) });
        }
    }
    for (leader, n) in dispatched {
        if let Some(a) = at(leader).map(|i| &mut out[i]) {
            a.projects_dispatched = count(n);
        }
    }
    for (leader, n) in visited {
        if let Some(a) = at(leader).map(|i| &mut out[i]) {
            a.projects_visited = count(n);
        }
    }
    for (leader, n) in instructions {
        if let Some(a) = at(leader).map(|i| &mut out[i]) {
            a.instructions = count(n);
        }
    }
    let mut days_to_close: HashMap<Uuid, Vec<f64>> = HashMap::new();
    for (leader, escalated_at, closed) in escalated {
        if let Some(a) = at(leader).map(|i| &mut out[i]) {
            a.issues_escalated += 1;
            if let Some(closed) = closed {
                a.escalated_closed += 1;
                days_to_close.entry(leader).or_default().push((closed - escalated_at).num_seconds() as f64 / 86_400.0);
            }
        }
    }
    for (chair, [n, on_time, late, overdue]) in items {
        let Some(a) = at(chair).map(|i| &mut out[i]) else { continue };
        (a.items, a.items_done_on_time, a.items_done_late, a.items_overdue) =
            (count(n), count(on_time), count(late), count(overdue));
        a.items_open = a.items.saturating_sub(a.items_done_on_time + a.items_done_late + a.items_overdue);
    }
    for (leader, mut days) in days_to_close {
        if let Some(a) = at(leader).map(|i| &mut out[i]) {
            a.median_days_to_close = median(&mut days);
        }
    }
    for a in &mut out {
        a.meetings.sort_by_key(|k| kind_order(k.kind));
    }
    Ok(out)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn kind_order(kind: MeetingKind) -> usize {
    use sea_orm::Iterable;
    MeetingKind::iter().position(|k| k == kind).unwrap_or(usize::MAX)
}

/// The middle value (the mean of the two middle ones for an even count), rounded to a tenth of a day.
fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    let m = if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 };
    Some((m * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_cover_the_year_and_medians_take_the_middle() {
        let q = |n| Quarter::new(2026, n).expect("a quarter").days();
        let day = |y, m| NaiveDate::from_ymd_opt(y, m, 1).expect("a day");
        assert_eq!(q(None), (day(2026, 1), day(2027, 1)));
        assert_eq!(q(Some(4)), (day(2026, 10), day(2027, 1)));
        assert!(Quarter::new(2026, Some(5)).is_err());
        assert!(Quarter::new(1999, None).is_err());
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
    }
}
