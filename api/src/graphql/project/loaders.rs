//! Loaders of what a project shows: paired units, the year's figures, the light.

use std::collections::HashMap;

use std::marker::PhantomData;
use std::sync::Arc;

use crate::clock::Day;
use async_graphql::dataloader::Loader;
use entity::project::Light;
use sea_orm::DatabaseConnection;
use tokio::sync::OnceCell;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::children::{Arguments, Children};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{keyed_loader, pool_loader};
use crate::service::page::{Page, PageRequest};
use crate::service::project::{Order, Parent, ProjectFilter};

keyed_loader!(
    /// Paired service units of each project.
    PairedUnits, Vec<entity::unit::Model>, |db, keys| crate::service::project::paired_units(db, keys).await
);
pool_loader!(
    /// Each project's light on a day (the county's today, from its clock); keyed by (project, day).
    ProjectHealth
);

impl Loader<(Uuid, Day)> for ProjectHealth {
    type Value = crate::service::health::Health;
    type Error = AppError;

    async fn load(&self, keys: &[(Uuid, Day)]) -> Result<HashMap<(Uuid, Day), Self::Value>, Self::Error> {
        let db = &self.0;
        per_day(keys, |ids, day| async move { crate::service::health::of(db, &ids, day).await }).await
    }
}
pool_loader!(
    /// Each project's light alone on a day, for a selection of `health { light }` only; keyed by
    /// (project, day).
    ProjectLight
);

impl Loader<(Uuid, Day)> for ProjectLight {
    type Value = Light;
    type Error = AppError;

    async fn load(&self, keys: &[(Uuid, Day)]) -> Result<HashMap<(Uuid, Day), Self::Value>, Self::Error> {
        let db = &self.0;
        per_day(keys, |ids, day| async move { crate::service::health::lights_of(db, &ids, day).await }).await
    }
}

/// Loads keys of (project, day) one day at a time.
async fn per_day<V, F, Fut>(keys: &[(Uuid, Day)], load: F) -> AppResult<HashMap<(Uuid, Day), V>>
where
    F: Fn(Vec<Uuid>, Day) -> Fut,
    Fut: std::future::Future<Output = AppResult<HashMap<Uuid, V>>>,
{
    let mut by_day: HashMap<Day, Vec<Uuid>> = HashMap::new();
    for (id, day) in keys {
        by_day.entry(*day).or_default().push(*id);
    }
    let mut out = HashMap::new();
    for (day, ids) in by_day {
        out.extend(load(ids, day).await?.into_iter().map(|(id, v)| ((id, day), v)));
    }
    Ok(out)
}

/// Whether every occurrence of a selected `health` asks for its `light` alone (or nothing but
/// `__typename` besides), so the light column is all that needs reading.
pub fn only_light<'a>(fields: impl IntoIterator<Item = async_graphql::SelectionField<'a>>) -> bool {
    fields.into_iter().all(|f| f.selection_set().all(|c| matches!(c.name(), "light" | "__typename")))
}

pool_loader!(
    /// Planned and reported investment of a project in a year: (planned, reported that year, reported
    /// in all years), in fen.
    YearFigures
);

impl Loader<(Uuid, i32)> for YearFigures {
    type Value = (i64, i64, i64);
    type Error = AppError;

    async fn load(&self, keys: &[(Uuid, i32)]) -> Result<HashMap<(Uuid, i32), Self::Value>, Self::Error> {
        let mut years: HashMap<i32, Vec<Uuid>> = HashMap::new();
        for (id, year) in keys {
            years.entry(*year).or_default().push(*id);
        }
        let mut out = HashMap::new();
        for (year, ids) in years {
            let plans = crate::service::project::year_plans(&self.0, &ids, year).await?;
            let reported = crate::service::report::reported_investment(&self.0, &ids, year).await?;
            for id in ids {
                let (this_year, total) = reported.get(&id).copied().unwrap_or_default();
                out.insert((id, year), (plans.get(&id).copied().unwrap_or(0), this_year, total));
            }
        }
        Ok(out)
    }
}

/// The projects under a unit or a leader, as `Unit.projects` and `User.projects` list them.
pub struct ProjectsOf<P>(PhantomData<P>);

/// Which column [`ProjectsOf`] hangs projects under.
pub trait ParentColumn: Send + Sync + 'static {
    const PARENT: Parent;
}

/// Under their responsible unit (部门包项目).
pub struct ByUnit;
/// Under their linked leader (领导联项目).
pub struct ByLeader;

impl ParentColumn for ByUnit {
    const PARENT: Parent = Parent::ResponsibleUnit;
}

impl ParentColumn for ByLeader {
    const PARENT: Parent = Parent::Leader;
}

/// `Unit.projects`.
pub type ProjectsOfUnit = ProjectsOf<ByUnit>;
/// `User.projects`.
pub type ProjectsOfLeader = ProjectsOf<ByLeader>;

/// What a nested project list asks: the root list's filter and order, and the day for its light.
#[derive(Clone)]
pub struct ProjectsQuery {
    filter: ProjectFilter,
    light: Option<Light>,
    order: Order,
    day: Day,
    /// The filter with the light narrowed to project ids, worked out once for a page and its count
    /// (narrowing computes every matching project's light).
    narrowed: Arc<OnceCell<ProjectFilter>>,
}

impl ProjectsQuery {
    async fn narrowed(&self, db: &DatabaseConnection) -> AppResult<&ProjectFilter> {
        self.narrowed
            .get_or_try_init(|| async {
                match self.light {
                    Some(light) => {
                        crate::service::health::narrow_to_light(db, self.filter.clone(), light, self.day).await
                    }
                    None => Ok(self.filter.clone()),
                }
            })
            .await
    }
}

impl<P: ParentColumn> Children for ProjectsOf<P> {
    type Args = (Option<super::ProjectFilter>, Option<super::ProjectOrder>);
    type Query = ProjectsQuery;
    type Row = entity::project::Model;

    fn args(arguments: &Arguments) -> AppResult<Self::Args> {
        Ok((arguments.get("filter")?, arguments.get("orderBy")?))
    }

    fn query(ctx: &async_graphql::Context<'_>, (filter, order): Self::Args) -> AppResult<Self::Query> {
        ctx.caller()?;
        let (filter, light) = filter.unwrap_or_default().split();
        let day = ctx.state()?.config.clock.day();
        Ok(ProjectsQuery { filter, light, order: Order::from(order), day, narrowed: Arc::default() })
    }

    async fn pages(
        db: &DatabaseConnection,
        q: &Self::Query,
        parents: &[Uuid],
        page: &PageRequest,
    ) -> AppResult<HashMap<Uuid, Page<Self::Row>>> {
        crate::service::project::pages_under(db, P::PARENT, q.narrowed(db).await?, q.order, parents, page).await
    }

    async fn counts(db: &DatabaseConnection, q: &Self::Query, parents: &[Uuid]) -> AppResult<HashMap<Uuid, u64>> {
        crate::service::project::counts_under(db, P::PARENT, q.narrowed(db).await?, parents).await
    }

    fn cursor(q: &Self::Query, row: &Self::Row) -> String {
        crate::service::project::cursor_of(q.order)(row)
    }
}
