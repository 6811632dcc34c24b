//! The project library (项目库): projects, their places on the map, their lights.

mod carried;
pub(crate) mod columns;
pub(crate) mod inputs;
pub(crate) mod light;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod point;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::{CreateProjectInput, ProjectFilter, ProjectOrder, UpdateProjectInput};
pub use objects::{GeoPoint, Health, Project, ProjectConnection};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::page::PageRequest;
use crate::service::project::{self as projects, Order};

#[derive(Default)]
pub struct ProjectQuery;

#[Object]
impl ProjectQuery {
    /// Key projects. Any signed-in user.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<ProjectFilter>,
        #[graphql(desc = "Order (NAME ascending when omitted).")] order_by: Option<ProjectOrder>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<ProjectConnection> {
        ctx.caller()?;
        let state = ctx.state()?;
        let (mut filter, light) = filter.unwrap_or_default().split();
        if let Some(light) = light {
            let day = state.config.clock.day();
            filter = crate::service::health::narrow_to_light(&state.db, filter, light, day).await?;
        }
        let order = Order::from(order_by);
        let count =
            deferred(
                (state.db.clone(), filter.clone()),
                |(db, filter)| async move { projects::count(&db, &filter).await },
            );
        // Only the columns the selection shows are read (placeholders elsewhere, never shown), and
        // with them, by the same statement: the current kept lights of a page that shows lights
        // alone (the page's prefetch then loads only the others), the columns its units and
        // leaders show, and the newest reports of a page that lists them once. Each project
        // carries what was read.
        let node = ctx.look_ahead().field("edges").field("node");
        let health = node.field("health");
        let (unit, leader) = (node.field("responsibleUnit"), node.field("leader"));
        let day = state.config.clock.day();
        let reads = projects::Reads {
            light_on: (health.exists() && loaders::only_light(health.selection_fields())).then_some(day.date),
            unit: unit.exists().then(|| crate::graphql::account::columns::unit_read_by(&unit)),
            leader: leader.exists().then(|| crate::graphql::account::columns::user_read_by(&leader)),
            reports: match node.field("reports").selection_fields().as_slice() {
                [one] => Some(crate::graphql::report::columns::newest_by(one)),
                _ => None,
            },
        };
        let columns = columns::read_by(&node);
        let fetch = |page: PageRequest| async move {
            projects::list_read(&state.db, &filter, order, &page, columns, reads).await
        };
        let cursor = projects::cursor_of(order);
        let key = move |read: &projects::ProjectRead| cursor(&read.project);
        let node = move |read| Project::read(read, day);
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node }).await?)
    }

    /// One project. Any signed-in user.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's id.")] id: Uuid,
    ) -> async_graphql::Result<Project> {
        ctx.caller()?;
        Ok(Project::from(projects::find(&ctx.state()?.db, id).await?))
    }
}

#[derive(Default)]
pub struct ProjectMutation;

#[Object]
impl ProjectMutation {
    /// Adds a project to the library. ADMIN only.
    async fn create_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The new project.")] input: CreateProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Project::from(projects::create(&state.db, &actor, input.into(), state.config.clock.today()).await?))
    }

    /// Changes a project. ADMIN: any field; the responsible unit: operational fields only.
    async fn update_project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] id: Uuid,
        #[graphql(desc = "The changes.")] input: UpdateProjectInput,
    ) -> async_graphql::Result<Project> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(Project::from(projects::update(&state.db, &actor, id, input.into(), state.config.clock.today()).await?))
    }
}
