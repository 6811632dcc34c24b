//! The project library (项目库): projects, their places on the map, their lights.

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
        // A page that shows lights alone reads the current kept lights with its own statement; the
        // light's loader is fed them before the page's prefetch, which then loads only the others.
        let health = ctx.look_ahead().field("edges").field("node").field("health");
        let lit = health.exists() && loaders::only_light(health.selection_fields());
        let fetch = |page: PageRequest| async move {
            if !lit {
                return projects::list(&state.db, &filter, order, &page).await;
            }
            let day = state.config.clock.day();
            let (page, lights) = projects::list_lit(&state.db, &filter, order, &page, day.date).await?;
            ctx.cached::<loaders::ProjectLight>()?.feed_many(lights.into_iter().map(|(id, l)| ((id, day), l))).await;
            Ok(page)
        };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: projects::cursor_of(order), node: Project }).await?)
    }

    /// One project. Any signed-in user.
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's id.")] id: Uuid,
    ) -> async_graphql::Result<Project> {
        ctx.caller()?;
        Ok(Project(projects::find(&ctx.state()?.db, id).await?))
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
        Ok(Project(projects::create(&state.db, &actor, input.into(), state.config.clock.today()).await?))
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
        Ok(Project(projects::update(&state.db, &actor, id, input.into(), state.config.clock.today()).await?))
    }
}
