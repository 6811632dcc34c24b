//! The change feed: the audit trail read oldest first from a sequence number, for systems that keep
//! a copy of what changed. The trail commits in sequence order (one writer at a time on SQLite; on
//! PostgreSQL every recording transaction holds the trail's advisory lock until it commits), so a
//! reader that resumes after the last number it saw never misses an event committed later. Each
//! event is shown in full only to a caller that may see its record now (its role and unit, and for
//! an integration key its scopes); to anyone else it is its position, kind and id, marked hidden.

use std::collections::{HashMap, HashSet};

use entity::audit_event::{self, EntityType};
use entity::integration_key::Scope;
use entity::user::Role;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::Actor;

/// The read scope an integration key needs to see records of `kind`; `None`: no key sees them.
fn scope_of(kind: EntityType) -> Option<Scope> {
    Some(match kind {
        EntityType::Project
        | EntityType::MonthlyReport
        | EntityType::Milestone
        | EntityType::ReportingPeriod
        | EntityType::County => Scope::ProjectsRead,
        EntityType::Issue => Scope::IssuesRead,
        EntityType::Case => Scope::CasesRead,
        EntityType::Inspection | EntityType::ChecklistTemplate => Scope::InspectionsRead,
        EntityType::Photo => Scope::PhotosRead,
        EntityType::User | EntityType::Unit => Scope::DirectoryRead,
        EntityType::Meeting | EntityType::ActionItem => Scope::MeetingsRead,
        EntityType::FundingItem | EntityType::FundingTarget | EntityType::FundingCampaign => Scope::FundingRead,
        EntityType::IntegrationKey | EntityType::Webhook => return None,
    })
}

/// One event of the feed.
#[derive(Debug, Clone)]
pub struct FeedEvent {
    pub event: audit_event::Model,
    /// The caller may not see the record (now): show its position, kind and id only.
    pub hidden: bool,
}

/// A page of the feed and where to resume.
#[derive(Debug, Clone)]
pub struct FeedPage {
    pub events: Vec<FeedEvent>,
    /// The last sequence number on this page (`after` when the page is empty): pass it as `after`.
    pub end_seq: i64,
    pub has_next: bool,
}

/// The events after `after`, oldest first, at most `first`, of `types` (all when empty).
pub async fn changes(
    db: &impl ConnectionTrait,
    actor: &Actor,
    after: i64,
    first: u64,
    types: &[EntityType],
) -> AppResult<FeedPage> {
    let caller = actor.caller()?;
    let mut q = audit_event::Entity::find().filter(audit_event::Column::Seq.gt(after));
    if !types.is_empty() {
        q = q.filter(audit_event::Column::EntityType.is_in(types.iter().map(|t| t.stored())));
    }
    let mut rows = q.order_by_asc(audit_event::Column::Seq).limit(first + 1).all(db).await?;
    let has_next = rows.len() as u64 > first;
    rows.truncate(first as usize);
    let hidden = hidden_ids(db, caller, &rows).await?;
    let end_seq = rows.last().map_or(after, |e| e.seq);
    let events = rows
        .into_iter()
        .map(|event| {
            let hidden = hidden.contains(&(event.entity_type.clone(), event.entity_id.clone()));
            FeedEvent { event, hidden }
        })
        .collect();
    Ok(FeedPage { events, end_seq, has_next })
}

/// The (type, id) pairs of `rows` whose records `caller` may not see: by the key's scopes, by the
/// records only ADMIN reads, and, for the domains with a visibility rule, by that rule (one query
/// a domain a page).
pub(crate) async fn hidden_ids(
    db: &impl ConnectionTrait,
    caller: &Caller,
    rows: &[audit_event::Model],
) -> AppResult<HashSet<(String, String)>> {
    let mut hidden = HashSet::new();
    let mut checked: HashMap<EntityType, Vec<&audit_event::Model>> = HashMap::new();
    for row in rows {
        let Some(kind) = EntityType::parse(&row.entity_type) else {
            hidden.insert((row.entity_type.clone(), row.entity_id.clone()));
            continue;
        };
        let scoped_out = caller.key.as_ref().is_some_and(|k| scope_of(kind).is_none_or(|s| !k.allows(s)));
        let admin_only = matches!(kind, EntityType::User | EntityType::IntegrationKey | EntityType::Webhook)
            && caller.role() != Role::Admin;
        // A year's targets name every unit's: the office and leaders read them; campaigns, whoever
        // reads funding work.
        let funding_reach = super::funding::reach(caller);
        let funding_hidden = match kind {
            EntityType::FundingTarget => funding_reach != super::funding::Reach::All,
            EntityType::FundingCampaign => funding_reach == super::funding::Reach::Nothing,
            _ => false,
        };
        if scoped_out || admin_only || funding_hidden {
            hidden.insert((row.entity_type.clone(), row.entity_id.clone()));
        } else if matches!(
            kind,
            EntityType::Issue
                | EntityType::Case
                | EntityType::Inspection
                | EntityType::Photo
                | EntityType::Meeting
                | EntityType::ActionItem
                | EntityType::FundingItem
        ) {
            checked.entry(kind).or_default().push(row);
        }
    }
    for (kind, events) in checked {
        let ids: Vec<Uuid> = events.iter().filter_map(|e| e.entity_id.parse().ok()).collect();
        let seen: HashSet<Uuid> = match kind {
            EntityType::Issue => {
                visible::<entity::issue::Entity>(db, entity::issue::Column::Id, ids, super::issue::visibility(caller))
                    .await?
            }
            EntityType::Case => {
                visible::<entity::case::Entity>(db, entity::case::Column::Id, ids, super::case::visibility(caller))
                    .await?
            }
            EntityType::Inspection => {
                let rule = super::inspection::visibility(caller);
                visible::<entity::inspection::Entity>(db, entity::inspection::Column::Id, ids, rule).await?
            }
            EntityType::Meeting => {
                let rule = super::meeting::meeting_visibility(super::meeting::reach(caller));
                visible::<entity::meeting::Entity>(db, entity::meeting::Column::Id, ids, rule).await?
            }
            EntityType::ActionItem => {
                let rule = super::meeting::item_visibility(super::meeting::reach(caller));
                visible::<entity::action_item::Entity>(db, entity::action_item::Column::Id, ids, rule).await?
            }
            EntityType::FundingItem => {
                let rule = super::funding::item_visibility(super::funding::reach(caller));
                visible::<entity::funding_item::Entity>(db, entity::funding_item::Column::Id, ids, rule).await?
            }
            _ => {
                visible::<entity::photo::Entity>(db, entity::photo::Column::Id, ids, super::photo::visibility(caller))
                    .await?
            }
        };
        for e in events {
            if !e.entity_id.parse::<Uuid>().is_ok_and(|id| seen.contains(&id)) {
                hidden.insert((e.entity_type.clone(), e.entity_id.clone()));
            }
        }
    }
    Ok(hidden)
}

/// Which of `ids` the visibility `rule` lets through.
async fn visible<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: Vec<Uuid>,
    rule: Condition,
) -> AppResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let found: Vec<Uuid> =
        E::find().select_only().column(id).filter(id.is_in(ids)).filter(rule).into_tuple().all(db).await?;
    Ok(found.into_iter().collect())
}

/// `after` as a sequence number: a decimal string, 0 (the start) when omitted.
pub fn parse_after(after: Option<&str>) -> AppResult<i64> {
    match after {
        None => Ok(0),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::bad_input("after", "a sequence number: a decimal string such as `endSeq`")),
    }
}
