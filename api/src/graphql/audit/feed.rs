//! The change feed as clients read it.

use async_graphql::{Context, Json, Object, SimpleObject, Union};
use chrono::{DateTime, Utc};

use crate::graphql::account::{Unit, User};
use crate::graphql::case::Case;
use crate::graphql::context::ContextExt;
use crate::graphql::inspection::{ChecklistTemplate, Inspection};
use crate::graphql::issue::Issue;
use crate::graphql::loaders::{ById, KeyedById, Slot};
use crate::graphql::photo::Photo;
use crate::graphql::project::Project;
use crate::graphql::report::MonthlyReport;
use crate::service::feed::{self, FeedEvent, FeedPage};

pub use entity::audit_event::EntityType;

/// One change, in the order changes were committed.
pub struct ChangeEvent(pub FeedEvent);

/// One change, in the order changes were committed.
#[Object]
impl ChangeEvent {
    /// Position in the trail, a decimal string; later changes have larger numbers.
    async fn seq(&self) -> String {
        self.0.event.seq.to_string()
    }

    /// When the change was committed (UTC).
    async fn at(&self) -> DateTime<Utc> {
        self.0.event.occurred_at
    }

    /// What was done, e.g. `issue.assign`; null when hidden.
    async fn action(&self) -> Option<&str> {
        (!self.0.hidden).then_some(self.0.event.action.as_str())
    }

    /// The kind of record changed, as stored (e.g. `issue`).
    async fn entity_type(&self) -> &str {
        &self.0.event.entity_type
    }

    /// The id of the record changed.
    async fn entity_id(&self) -> &str {
        &self.0.event.entity_id
    }

    /// Changed fields, `{ field: { before, after } }`; null when hidden.
    async fn changes(&self) -> Option<Json<serde_json::Value>> {
        (!self.0.hidden).then(|| Json(self.0.event.changes.clone()))
    }

    /// Whether the caller may not see the record now: only the position, kind and id are shown.
    async fn hidden(&self) -> bool {
        self.0.hidden
    }

    /// The record as it is now, when the caller may see it and it is of a kind the API shows on
    /// its own (settings, periods and milestones are read through their project or the office).
    async fn record(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<ChangedRecord>> {
        if self.0.hidden {
            return Ok(None);
        }
        let Ok(id) = self.0.event.entity_id.parse::<uuid::Uuid>() else {
            return Ok(None);
        };
        use EntityType as T;
        Ok(match EntityType::parse(&self.0.event.entity_type) {
            Some(T::Project) => current::<entity::project::Entity>(ctx, id)
                .await?
                .map(|m| ChangedRecord::Project(Box::new(Project::from(m)))),
            Some(T::Issue) => {
                current::<entity::issue::Entity>(ctx, id).await?.map(|m| ChangedRecord::Issue(Box::new(Issue(m))))
            }
            Some(T::Case) => {
                current::<entity::case::Entity>(ctx, id).await?.map(|m| ChangedRecord::Case(Box::new(Case(m))))
            }
            Some(T::Inspection) => current::<entity::inspection::Entity>(ctx, id)
                .await?
                .map(|m| ChangedRecord::Inspection(Box::new(Inspection(m)))),
            Some(T::ChecklistTemplate) => current::<entity::checklist_template::Entity>(ctx, id)
                .await?
                .map(|m| ChangedRecord::ChecklistTemplate(Box::new(ChecklistTemplate(m)))),
            Some(T::Photo) => {
                current::<entity::photo::Entity>(ctx, id).await?.map(|m| ChangedRecord::Photo(Box::new(Photo(m))))
            }
            Some(T::MonthlyReport) => current::<entity::monthly_report::Entity>(ctx, id)
                .await?
                .map(|m| ChangedRecord::MonthlyReport(Box::new(MonthlyReport(m)))),
            Some(T::Unit) => {
                current::<entity::unit::Entity>(ctx, id).await?.map(|m| ChangedRecord::Unit(Box::new(Unit(m))))
            }
            Some(T::User) => {
                current::<entity::user::Entity>(ctx, id).await?.map(|m| ChangedRecord::User(Box::new(User(m))))
            }
            Some(T::FundingItem) => current::<entity::funding_item::Entity>(ctx, id)
                .await?
                .map(|m| ChangedRecord::FundingItem(Box::new(crate::graphql::funding::FundingItem(m)))),
            _ => None,
        })
    }
}

/// A record through the request's loader (one query a kind a page); `None` when it is gone.
async fn current<E: KeyedById>(ctx: &Context<'_>, id: uuid::Uuid) -> crate::error::AppResult<Option<E::Model>>
where
    ById<E>: Slot,
{
    ctx.loader::<E>()?.load_one(id).await
}

/// A record a change is about.
#[derive(Union)]
pub enum ChangedRecord {
    /// A project.
    Project(Box<Project>),
    /// An issue.
    Issue(Box<Issue>),
    /// A coordination case.
    Case(Box<Case>),
    /// An inspection.
    Inspection(Box<Inspection>),
    /// A checklist template.
    ChecklistTemplate(Box<ChecklistTemplate>),
    /// A photo.
    Photo(Box<Photo>),
    /// A monthly report.
    MonthlyReport(Box<MonthlyReport>),
    /// A unit.
    Unit(Box<Unit>),
    /// An item of funding work.
    FundingItem(Box<crate::graphql::funding::FundingItem>),
    /// An account.
    User(Box<User>),
}

/// Where a page of the feed ends.
#[derive(SimpleObject)]
pub struct ChangePageInfo {
    /// The last sequence number of this page (`after` when it is empty): pass it as `after` to
    /// resume. Nothing committed later can have a smaller number.
    pub end_seq: String,
    /// Whether more changes follow already.
    pub has_next_page: bool,
}

/// A page of the change feed, oldest first.
pub struct ChangeFeed(pub FeedPage);

/// A page of the change feed, oldest first.
#[Object]
impl ChangeFeed {
    /// The changes, oldest first.
    async fn events(&self) -> Vec<ChangeEvent> {
        self.0.events.iter().cloned().map(ChangeEvent).collect()
    }

    /// Where to resume.
    async fn page_info(&self) -> ChangePageInfo {
        ChangePageInfo { end_seq: self.0.end_seq.to_string(), has_next_page: self.0.has_next }
    }
}

/// `changes(after, first, entityTypes)`.
pub async fn changes(
    ctx: &Context<'_>,
    after: Option<String>,
    first: Option<i32>,
    entity_types: Option<Vec<EntityType>>,
) -> async_graphql::Result<ChangeFeed> {
    let state = ctx.state()?;
    let max = state.config.limits.max_page_size;
    let first = match first {
        None => max,
        Some(n) if n >= 1 && (n as u64) <= max => n as u64,
        Some(_) => return Err(crate::error::AppError::bad_input("first", format!("between 1 and {max}")).into()),
    };
    let after = feed::parse_after(after.as_deref())?;
    let types: Vec<EntityType> = entity_types.unwrap_or_default();
    Ok(ChangeFeed(feed::changes(&state.db, &ctx.actor()?, after, first, &types).await?))
}
