//! Subscriptions over WebSocket (`/graphql/ws`, the `graphql-transport-ws` protocol): the change feed
//! live, and the records that matter on site as they change. Every one follows the audit trail from
//! a position of its own (see [`crate::service::trail`]), so an event committed on any instance
//! reaches it, in order, and a late or lost wake-up loses nothing. Each event is checked against the
//! subscriber as the queries check it: what the caller may not see is skipped (the change feed shows
//! it hidden, as its query does).

use std::collections::VecDeque;

use async_graphql::{Context, InputObject, Subscription};
use futures_util::{Stream, StreamExt, stream};
use sea_orm::DatabaseConnection;
use tokio::sync::watch;
use uuid::Uuid;

use super::audit::feed::{ChangeEvent, EntityType};
use super::context::ContextExt;
use super::inspection::Inspection;
use super::issue::Issue;
use super::loaders::Loaders;
use super::photo::Photo;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::feed::{self, FeedEvent};

/// Events read from the trail at once by one subscription.
const PAGE: u64 = 100;

/// What `issueChanged` follows; every field narrows.
#[derive(InputObject, Default)]
pub struct IssueChangedFilter {
    /// Issues of this project.
    pub project_id: Option<Uuid>,
    /// These issues (at most 100).
    pub issue_ids: Option<Vec<Uuid>>,
}

/// Everything a client can follow as it happens.
#[derive(Default)]
pub struct Subscription;

/// Everything a client can follow as it happens, over `/graphql/ws` (`graphql-transport-ws`).
#[Subscription]
impl Subscription {
    /// The change feed, live: the events after `after` (from now when omitted) as the trail records
    /// them, oldest first, then each new one as it is committed on any instance. Hidden events are
    /// shown as the `changes` query shows them.
    async fn changes<'a>(
        &self,
        ctx: &Context<'a>,
        #[graphql(desc = "A sequence number (`endSeq` of a page, or an event's `seq`); from now when omitted.")]
        after: Option<String>,
        #[graphql(desc = "Only these kinds of record; all when omitted.")] entity_types: Option<Vec<EntityType>>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ChangeEvent>> + 'a> {
        let after = match after {
            Some(a) => Some(feed::parse_after(Some(&a))?),
            None => None,
        };
        let types = entity_types.unwrap_or_default();
        let events = follow(ctx, after, types).await?;
        Ok(events.map(|e| e.map(ChangeEvent).map_err(Into::into)))
    }

    /// Issues as they are raised, move through their workflow, get comments or deadlines: the issue
    /// as it stands after each change the caller may see.
    async fn issue_changed<'a>(
        &self,
        ctx: &Context<'a>,
        #[graphql(desc = "Which issues; all the caller may see when omitted.")] filter: Option<IssueChangedFilter>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Issue>> + 'a> {
        let filter = filter.unwrap_or_default();
        if filter.issue_ids.as_ref().is_some_and(|ids| ids.len() > 100) {
            return Err(AppError::bad_input("filter.issueIds", "at most 100 issues").into());
        }
        let events = follow(ctx, None, vec![EntityType::Issue]).await?;
        let (db, actor) = (ctx.state()?.db.clone(), ctx.actor()?);
        Ok(records::<entity::issue::Entity, _>(
            events,
            db,
            actor,
            crate::service::issue::visibility,
            "issue",
            move |_, m| {
                let wanted = filter.issue_ids.as_ref().is_none_or(|ids| ids.contains(&m.id));
                wanted && filter.project_id.is_none_or(|p| p == m.project_id)
            },
        )
        .map(|r| r.map(Issue)))
    }

    /// Photos as they are uploaded to a project the caller may see.
    async fn photo_added<'a>(
        &self,
        ctx: &Context<'a>,
        #[graphql(desc = "The project.")] project_id: Uuid,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Photo>> + 'a> {
        let events = follow(ctx, None, vec![EntityType::Photo]).await?;
        let (db, actor) = (ctx.state()?.db.clone(), ctx.actor()?);
        let wanted = move |e: &FeedEvent, m: &entity::photo::Model| {
            e.event.action == "photo.upload" && m.project_id == project_id
        };
        let photos =
            records::<entity::photo::Entity, _>(events, db, actor, crate::service::photo::visibility, "photo", wanted);
        Ok(photos.map(|r| r.map(Photo)))
    }

    /// Inspections as they are submitted on a project the caller may see.
    async fn inspection_submitted<'a>(
        &self,
        ctx: &Context<'a>,
        #[graphql(desc = "The project.")] project_id: Uuid,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Inspection>> + 'a> {
        let events = follow(ctx, None, vec![EntityType::Inspection]).await?;
        let (db, actor) = (ctx.state()?.db.clone(), ctx.actor()?);
        let wanted = move |e: &FeedEvent, m: &entity::inspection::Model| {
            e.event.action == "inspection.submit" && m.project_id == project_id
        };
        let rule = crate::service::inspection::visibility;
        let inspections = records::<entity::inspection::Entity, _>(events, db, actor, rule, "inspection", wanted);
        Ok(inspections.map(|r| r.map(Inspection)))
    }
}

/// The records of `events` the caller may see now and `wanted` keeps, each read as it stands.
fn records<'a, E, W>(
    events: impl Stream<Item = AppResult<FeedEvent>> + Send + 'a,
    db: DatabaseConnection,
    actor: Actor,
    visibility: fn(&crate::auth::Caller) -> sea_orm::Condition,
    what: &'static str,
    wanted: W,
) -> impl Stream<Item = async_graphql::Result<E::Model>> + Send + 'a
where
    E: sea_orm::EntityTrait,
    E::Model: Send + Sync,
    <E::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: From<Uuid>,
    W: Fn(&FeedEvent, &E::Model) -> bool + Send + Sync + 'a,
{
    let wanted = std::sync::Arc::new(wanted);
    events.filter_map(move |event| {
        let (db, actor, wanted) = (db.clone(), actor.clone(), wanted.clone());
        async move {
            let event = match event {
                Ok(event) if !event.hidden => event,
                Ok(_) => return None,
                Err(e) => return Some(Err(e.into())),
            };
            let id: Uuid = event.event.entity_id.parse().ok()?;
            match crate::service::find_visible::<E>(&db, &actor, id, visibility, what).await {
                Ok(model) if wanted(&event, &model) => Some(Ok(model)),
                Ok(_) | Err(AppError::NotFound(_)) => None,
                Err(e) => Some(Err(e.into())),
            }
        }
    })
}

/// Where one subscription stands in the trail.
struct Follower<'a> {
    db: DatabaseConnection,
    actor: Actor,
    head: watch::Receiver<i64>,
    cursor: i64,
    types: Vec<EntityType>,
    queue: VecDeque<FeedEvent>,
    loaders: Option<&'a Loaders>,
    failed: bool,
}

/// The trail's events after `after` (its head now when `None`) of `types`, as the caller may see
/// them, then each new one as it is recorded.
async fn follow<'a>(
    ctx: &Context<'a>,
    after: Option<i64>,
    types: Vec<EntityType>,
) -> AppResult<impl Stream<Item = AppResult<FeedEvent>> + Send + 'a> {
    let state = ctx.state()?;
    let actor = ctx.actor()?;
    let head = state.trail.follow();
    let cursor = match after {
        Some(after) => after,
        None => state.trail.read_head().await?,
    };
    let follower = Follower {
        db: state.db.clone(),
        actor,
        head,
        cursor,
        types,
        queue: VecDeque::new(),
        loaders: ctx.data_opt::<Loaders>(),
        failed: false,
    };
    Ok(stream::unfold(follower, |mut f| async move {
        loop {
            if f.failed {
                return None;
            }
            if let Some(event) = f.queue.pop_front() {
                return Some((Ok(event), f));
            }
            // Marked seen before reading: a commit after this read wakes the wait below.
            f.head.borrow_and_update();
            match feed::changes(&f.db, &f.actor, f.cursor, PAGE, &f.types).await {
                Err(e) => {
                    f.failed = true;
                    return Some((Err(e), f));
                }
                Ok(page) => {
                    f.cursor = page.end_seq;
                    // Records are read afresh for every batch of events, never from an earlier one.
                    if let Some(loaders) = f.loaders {
                        loaders.clear();
                    }
                    f.queue.extend(page.events);
                    if f.queue.is_empty() && f.head.changed().await.is_err() {
                        return None;
                    }
                }
            }
        }
    }))
}
