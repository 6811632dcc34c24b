//! Reading issues: the filtered list, its count, and the batch lookups behind the loaders.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::issue::{self, IssueKind, IssueStatus};
use entity::issue_event;
use entity::issue_unit;
use sea_orm::sea_query::{Expr, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, Select,
};
use uuid::Uuid;

use super::escalation::escalation_condition;
use super::*;
use crate::db::among;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::kit;
use crate::service::page::{Page, PageRequest, Under};

/// Filters for [`list`].
#[derive(Debug, Clone, Default)]
pub struct IssueFilter {
    pub project_id: Option<Uuid>,
    pub kind: Option<IssueKind>,
    pub status: Option<IssueStatus>,
    pub assigned_unit_id: Option<Uuid>,
    pub overdue: Option<bool>,
    pub escalation: Option<Escalation>,
    /// Only issues escalated to this leader.
    pub escalated_to: Option<Uuid>,
    /// Only issues linked to this coordination case.
    pub case_id: Option<Uuid>,
    pub search: Option<String>,
}

/// Whether an issue is past its due date and not yet resolved.
pub fn is_overdue(issue: &issue::Model, today: NaiveDate) -> bool {
    issue.due_date.is_some_and(|d| d < today) && !FINISHED.contains(&issue.status)
}

fn matching(
    scope: Option<crate::service::kit::Units>,
    f: &IssueFilter,
    rules: Option<&entity::office_setting::Model>,
    today: NaiveDate,
) -> Select<issue::Entity> {
    use issue::Column as C;
    let mut q = issue::Entity::find().filter(scoped_visibility(scope));
    if let Some(v) = f.project_id {
        q = q.filter(C::ProjectId.eq(v));
    }
    if let Some(v) = f.kind {
        q = q.filter(C::Kind.eq(v));
    }
    if let Some(v) = f.status {
        q = q.filter(C::Status.eq(v));
    }
    if let Some(v) = f.assigned_unit_id {
        q = q.filter(C::AssignedUnitId.eq(v));
    }
    if let Some(overdue) = f.overdue {
        let cond = Condition::all().add(C::DueDate.lt(today)).add(C::Status.is_not_in(FINISHED));
        q = q.filter(if overdue { cond } else { cond.not() });
    }
    if let (Some(level), Some(rules)) = (f.escalation, rules) {
        q = q.filter(escalation_condition(level, today, rules));
    }
    if let Some(leader) = f.escalated_to {
        q = q.filter(C::EscalatedTo.eq(leader));
    }
    if let Some(case) = f.case_id {
        q = q.filter(C::Id.in_subquery(linked_to_case(case)));
    }
    if let Some(text) = f.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q = q.filter(
            Condition::any()
                .add(crate::service::text::contains(C::Title, text))
                .add(crate::service::text::contains(C::Number, text)),
        );
    }
    q
}

/// The office's rules, when the filter needs them (escalation levels).
async fn rules_for(db: &impl ConnectionTrait, f: &IssueFilter) -> AppResult<Option<entity::office_setting::Model>> {
    Ok(match f.escalation {
        Some(_) => Some(crate::service::settings::rules(db).await?),
        None => None,
    })
}

/// Issues the caller may see, newest first; `today` is the county's (for overdue and escalation).
pub async fn list(
    db: &DatabaseConnection,
    actor: &Actor,
    f: &IssueFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<Page<issue::Model>> {
    use issue::Column as C;
    let q = matching(scope(actor.caller()?), f, rules_for(db, f).await?.as_ref(), today);
    let rows = crate::service::page::newest_first(q, C::CreatedAt, C::Id, page)?.all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

pub fn cursor(issue: &issue::Model) -> String {
    crate::service::page::time_id_key(issue.created_at, issue.id)
}

pub async fn count(db: &DatabaseConnection, actor: &Actor, f: &IssueFilter, today: NaiveDate) -> AppResult<u64> {
    Ok(matching(scope(actor.caller()?), f, rules_for(db, f).await?.as_ref(), today).count(db).await?)
}

/// What [`list`] shows of each of `projects`, one page each, in one statement: a project's issues
/// as a caller of `scope` sees them.
pub async fn pages_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &IssueFilter,
    today: NaiveDate,
    projects: &[Uuid],
    page: &PageRequest,
) -> AppResult<HashMap<Uuid, Page<issue::Model>>> {
    use issue::Column as C;
    let q = matching(scope, f, rules_for(db, f).await?.as_ref(), today);
    let q = crate::service::page::after_newest(q, C::CreatedAt, C::Id, page)?;
    let under = Under::<issue::Entity>::newest(C::ProjectId, C::CreatedAt, C::Id, |i| i.project_id);
    crate::service::page::per_parent(db, q, &under, projects, page).await
}

/// What [`count`] counts for each of `projects`, in one statement.
pub async fn counts_of_projects(
    db: &DatabaseConnection,
    scope: Option<crate::service::kit::Units>,
    f: &IssueFilter,
    today: NaiveDate,
    projects: &[Uuid],
) -> AppResult<HashMap<Uuid, u64>> {
    let q = matching(scope, f, rules_for(db, f).await?.as_ref(), today);
    crate::service::page::count_per_parent(db, q, issue::Column::ProjectId, projects).await
}

/// Co-operating units of many issues.
pub async fn co_units(db: &impl ConnectionTrait, ids: &[Uuid]) -> AppResult<HashMap<Uuid, Vec<Uuid>>> {
    kit::joined_units(db, issue_unit::Column::IssueId, issue_unit::Column::UnitId, ids).await
}

/// The newest `limit` timeline entries of many issues, oldest first: one window query, however
/// long the timelines.
pub async fn recent_events(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    limit: u32,
) -> AppResult<HashMap<Uuid, Vec<issue_event::Model>>> {
    use issue_event::Column as C;
    use sea_orm::sea_query::{Alias, Asterisk, Func, Order, WindowStatement};
    if ids.is_empty() || limit == 0 {
        return Ok(HashMap::new());
    }
    let mut inner = Query::select();
    inner
        .column(Asterisk)
        .from(issue_event::Entity)
        .expr_window_as(
            Func::cust(Alias::new("ROW_NUMBER")),
            WindowStatement::partition_by(C::IssueId).order_by(C::Id, Order::Desc).to_owned(),
            Alias::new("rn"),
        )
        .and_where(among(C::IssueId, ids.iter().copied(), db.get_database_backend()));
    let outer = Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("recent"))
        .and_where(Expr::col(Alias::new("rn")).lte(limit))
        .order_by(C::Id, Order::Asc)
        .to_owned();
    let rows = issue_event::Entity::find().from_raw_sql(db.get_database_backend().build(&outer)).all(db).await?;
    Ok(crate::service::grouped(rows.into_iter().map(|e| (e.issue_id, e))))
}

/// Ids of the issues linked to `case_id`, as a subquery for issue filters. Read from the links table
/// here, so that issues need nothing of the case service (which needs issues).
fn linked_to_case(case_id: Uuid) -> sea_orm::sea_query::SelectStatement {
    use entity::case_link::{self, LinkTarget};
    Query::select()
        .column(case_link::Column::TargetId)
        .from(case_link::Entity)
        .and_where(case_link::Column::CaseId.eq(case_id))
        .and_where(case_link::Column::TargetType.eq(LinkTarget::Issue))
        .to_owned()
}
