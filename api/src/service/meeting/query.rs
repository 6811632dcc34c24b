//! Reading meetings and action items: the filtered lists, their counts, and the batch lookups
//! behind the loaders.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::action_item::{self, ActionItemStatus};
use entity::meeting::{self, MeetingKind, MeetingStatus};
use entity::{meeting_agenda, meeting_attendee, meeting_decision, meeting_minutes, meeting_unit};
use sea_orm::sea_query::{Alias, Expr, Func, Order, Query, SimpleExpr, SubQueryStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

use super::*;
use crate::db::among;
use crate::error::AppResult;
use crate::service::kit::Units;
use crate::service::page::{
    Link, Page, PageRequest, after_newest, count_per_linked_parent, newest_first, per_linked_parent, time_id_key,
};

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub kind: Option<MeetingKind>,
    pub status: Option<MeetingStatus>,
    pub chair_id: Option<Uuid>,
    /// Meetings starting at or after this instant (the county's midnight of `from`).
    pub starts_from: Option<DateTime<Utc>>,
    /// Meetings starting before this instant (the county's midnight after `to`).
    pub starts_before: Option<DateTime<Utc>>,
    /// Meetings that had this project on their agenda.
    pub project_id: Option<Uuid>,
    /// Meetings that invited this unit, discussed its projects or handed it action items.
    pub unit_id: Option<Uuid>,
}

fn matching(reach: Reach, f: &MeetingFilter) -> Select<meeting::Entity> {
    use meeting::Column as C;
    let mut q = meeting::Entity::find().filter(meeting_visibility(reach));
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = f.chair_id {
        q = q.filter(C::ChairId.eq(v));
    }
    if let Some(v) = f.starts_from {
        q = q.filter(C::StartsAt.gte(v));
    }
    if let Some(v) = f.starts_before {
        q = q.filter(C::StartsAt.lt(v));
    }
    if let Some(project) = f.project_id {
        let on_agenda = Query::select()
            .column(meeting_agenda::Column::MeetingId)
            .from(meeting_agenda::Entity)
            .and_where(meeting_agenda::Column::ProjectId.eq(project))
            .to_owned();
        q = q.filter(C::Id.in_subquery(on_agenda));
    }
    if let Some(unit) = f.unit_id {
        // The unit's own reach, less what a person of it attended alone.
        q = q.filter(meeting_visibility(Reach::Units(Units::one(unit), Uuid::nil())));
    }
    q
}

/// Meetings the caller can see, latest start first.
pub async fn list(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &MeetingFilter,
    page: &PageRequest,
) -> AppResult<Page<meeting::Model>> {
    use meeting::Column as C;
    let rows = newest_first(matching(reach, f), C::StartsAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(meeting: &meeting::Model) -> String {
    time_id_key(meeting.starts_at, meeting.id)
}

pub async fn count(db: &impl ConnectionTrait, reach: Reach, f: &MeetingFilter) -> AppResult<u64> {
    Ok(matching(reach, f).count(db).await?)
}

/// What [`list`] shows of the meetings that had each of `projects` on their agenda, one page each,
/// in one statement (`Project.meetings`).
pub async fn pages_of_projects(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &MeetingFilter,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<meeting::Model>>> {
    use meeting::Column as C;
    let q = after_newest(matching(reach, f), C::StartsAt, C::Id, page)?;
    let order = [(C::StartsAt, Order::Desc), (C::Id, Order::Desc)];
    per_linked_parent(db, q, C::Id, &ON_AGENDA, &order, projects, page).await
}

/// Meetings hang under the projects on their agenda.
const ON_AGENDA: Link<meeting_agenda::Column> =
    Link { row: meeting_agenda::Column::MeetingId, parent: meeting_agenda::Column::ProjectId };

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &impl ConnectionTrait,
    reach: Reach,
    f: &MeetingFilter,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    count_per_linked_parent(db, matching(reach, f), meeting::Column::Id, &ON_AGENDA, projects).await
}

/// The agenda of many meetings, in order.
pub async fn agenda_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<meeting_agenda::Model>>> {
    let rows = meeting_agenda::Entity::find()
        .filter(among(meeting_agenda::Column::MeetingId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(meeting_agenda::Column::Position)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|a| (a.meeting_id, a))))
}

/// Invited unit ids of many meetings.
pub async fn units_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    kit::joined_units(db, meeting_unit::Column::MeetingId, meeting_unit::Column::UnitId, ids).await
}

/// Invited people of many meetings.
pub async fn attendees_of(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    let rows: Vec<(Uuid, Uuid)> = meeting_attendee::Entity::find()
        .select_only()
        .columns([meeting_attendee::Column::MeetingId, meeting_attendee::Column::UserId])
        .filter(among(meeting_attendee::Column::MeetingId, ids.iter().copied(), db.get_database_backend()))
        .into_tuple()
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows))
}

/// Decisions of many meetings, in order.
pub async fn decisions_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<meeting_decision::Model>>> {
    let rows = meeting_decision::Entity::find()
        .filter(among(meeting_decision::Column::MeetingId, ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(meeting_decision::Column::Position)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|d| (d.meeting_id, d))))
}

/// Published minutes of many meetings, newest version first.
pub async fn minutes_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<meeting_minutes::Model>>> {
    let rows = meeting_minutes::Entity::find()
        .filter(among(meeting_minutes::Column::MeetingId, ids.iter().copied(), db.get_database_backend()))
        .order_by_desc(meeting_minutes::Column::Version)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|m| (m.meeting_id, m))))
}

/// The action items of many meetings that a caller of `reach` sees, in order.
pub async fn items_of_meetings(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    reach: Reach,
) -> AppResult<HashMap<Uuid, Vec<action_item::Model>>> {
    let rows = action_item::Entity::find()
        .filter(among(action_item::Column::MeetingId, ids.iter().copied(), db.get_database_backend()))
        .filter(item_visibility(reach))
        .order_by_asc(action_item::Column::Position)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().map(|i| (i.meeting_id, i))))
}

/// `(SELECT p.id FROM meetings p WHERE <same series as m> AND p held before m ORDER BY … LIMIT 1)`:
/// the previous held meeting of the same kind, chaired by the same person when `same_chair`.
fn previous_of(same_chair: bool) -> SimpleExpr {
    use meeting::Column as C;
    let (m, p) = (Alias::new("m"), Alias::new("p"));
    let mut q = Query::select();
    q.column((p.clone(), C::Id))
        .from_as(meeting::Entity, p.clone())
        .and_where(Expr::col((p.clone(), C::Kind)).equals((m.clone(), C::Kind)))
        .and_where(Expr::col((p.clone(), C::Status)).is_in([MeetingStatus::Held, MeetingStatus::MinutesPublished]))
        .cond_where(
            Condition::any().add(Expr::col((p.clone(), C::StartsAt)).lt(Expr::col((m.clone(), C::StartsAt)))).add(
                Condition::all()
                    .add(Expr::col((p.clone(), C::StartsAt)).equals((m.clone(), C::StartsAt)))
                    .add(Expr::col((p.clone(), C::Id)).lt(Expr::col((m.clone(), C::Id)))),
            ),
        )
        .order_by((p.clone(), C::StartsAt), Order::Desc)
        .order_by((p.clone(), C::Id), Order::Desc)
        .limit(1);
    if same_chair {
        q.and_where(Expr::col((p, C::ChairId)).equals((m, C::ChairId)));
    }
    SimpleExpr::SubQuery(None, Box::new(SubQueryStatement::SelectStatement(q)))
}

/// For each of `ids`, the OPEN action items (overdue or not) of the previous held meeting of the same
/// kind chaired by the same person, or, when that chair held none before, of the same kind
/// (上次会议交办事项落实情况), as a caller of `reach` sees them. Two statements for any number of
/// meetings.
pub async fn previous_items(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    reach: Reach,
) -> AppResult<HashMap<Uuid, Vec<action_item::Model>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let m = Alias::new("m");
    let previous = Func::coalesce([previous_of(true), previous_of(false)]);
    let q = Query::select()
        .expr_as(Expr::col((m.clone(), meeting::Column::Id)), Alias::new("meeting_id"))
        .expr_as(previous, Alias::new("previous_id"))
        .from_as(meeting::Entity, m.clone())
        .and_where(among(Expr::col((m, meeting::Column::Id)), ids.iter().copied(), db.get_database_backend()))
        .to_owned();
    let mut previous: HashMap<Uuid, Uuid> = HashMap::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        if let Some(prev) = row.try_get::<Option<Uuid>>("", "previous_id")? {
            previous.insert(row.try_get("", "meeting_id")?, prev);
        }
    }
    let items = action_item::Entity::find()
        .filter(among(action_item::Column::MeetingId, previous.values().copied(), db.get_database_backend()))
        .filter(action_item::Column::Status.eq(ActionItemStatus::Open))
        .filter(item_visibility(reach))
        .order_by_asc(action_item::Column::Position)
        .all(db)
        .await?;
    let by_meeting = crate::service::grouped(items.into_iter().map(|i| (i.meeting_id, i)));
    Ok(previous.into_iter().filter_map(|(m, p)| Some((m, by_meeting.get(&p)?.clone()))).collect())
}

/// Of the meetings `ids`, those a caller of `reach` sees (Issue.meeting, Case.decidedAt).
pub async fn visible_meetings(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    reach: Reach,
) -> AppResult<HashMap<Uuid, Option<meeting::Model>>> {
    let rows = meeting::Entity::find()
        .filter(among(meeting::Column::Id, ids.iter().copied(), db.get_database_backend()))
        .filter(meeting_visibility(reach))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|m| (m.id, Some(m))).collect())
}

/// The issues each of the decisions `ids` raised that a caller in `scope` sees (see
/// [`crate::service::issue::scope`]), oldest first.
pub async fn issues_of_decisions(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<Units>,
) -> AppResult<HashMap<Uuid, Vec<entity::issue::Model>>> {
    use entity::issue;
    let rows = issue::Entity::find()
        .filter(among(issue::Column::MeetingDecisionId, ids.iter().copied(), db.get_database_backend()))
        .filter(crate::service::issue::scoped_visibility(scope))
        .order_by_asc(issue::Column::CreatedAt)
        .order_by_asc(issue::Column::Id)
        .all(db)
        .await?;
    Ok(crate::service::grouped(rows.into_iter().filter_map(|i| Some((i.meeting_decision_id?, i)))))
}

/// Of the cases `ids`, those a caller in `scope` sees (MeetingDecision.case).
pub async fn visible_cases(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    scope: Option<Units>,
) -> AppResult<HashMap<Uuid, Option<entity::case::Model>>> {
    use entity::case;
    let rows = case::Entity::find()
        .filter(among(case::Column::Id, ids.iter().copied(), db.get_database_backend()))
        .filter(crate::service::case::scoped_visibility(scope))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, Some(c))).collect())
}
