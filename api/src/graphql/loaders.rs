//! DataLoaders for every relation that can repeat across a list, registered in one place that the
//! server and the tests share.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::OnceLock;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppError;

/// An entity whose primary key is a UUID column.
pub trait KeyedById: EntityTrait<Model: Clone + Send + Sync + 'static> {
    const ID: Self::Column;
    fn id_of(model: &Self::Model) -> Uuid;
}

/// Entities whose `id` column is their UUID primary key.
macro_rules! keyed_by_id {
    ($($module:ident),* $(,)?) => {
        $(impl KeyedById for entity::$module::Entity {
            const ID: Self::Column = entity::$module::Column::Id;
            fn id_of(model: &Self::Model) -> Uuid {
                model.id
            }
        })*
    };
}

keyed_by_id!(unit, project, issue, checklist_template, photo, inspection, user);

/// Loads rows of `E` by id, one `IN (...)` query per batch.
pub struct ById<E> {
    db: DatabaseConnection,
    entity: PhantomData<fn() -> E>,
}

impl<E> ById<E> {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db, entity: PhantomData }
    }
}

impl<E> Loader<Uuid> for ById<E>
where
    E: KeyedById,
    E::Model: Clone + Send + Sync + 'static,
{
    type Value = E::Model;
    type Error = AppError;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        let rows = E::find().filter(E::ID.is_in(keys.iter().copied())).all(&self.db).await?;
        Ok(rows.into_iter().map(|m| (E::id_of(&m), m)).collect())
    }
}

/// A request's loader: batches and remembers what it loaded, so lists can prime it in advance.
pub type Cached<T> = DataLoader<T, HashMapCache>;

/// A loader that has a place in [`Loaders`].
pub trait Slot: Sized + Send + Sync + 'static {
    fn slot(loaders: &Loaders) -> &OnceLock<Cached<Self>>;
    fn make(db: DatabaseConnection) -> Self;
}

macro_rules! loaders {
    ($($field:ident: $ty:ty = $make:expr),* $(,)?) => {
        /// Every loader of one request, each made the first time a resolver asks for it, so a
        /// request that needs none (most mutations, `{ me { id } }`) pays for none.
        pub struct Loaders {
            db: DatabaseConnection,
            $($field: OnceLock<Cached<$ty>>,)*
        }

        impl Loaders {
            pub fn new(db: DatabaseConnection) -> Self {
                Self { db, $($field: OnceLock::new(),)* }
            }
        }

        $(impl Slot for $ty {
            fn slot(loaders: &Loaders) -> &OnceLock<Cached<Self>> {
                &loaders.$field
            }

            fn make(db: DatabaseConnection) -> Self {
                ($make)(db)
            }
        })*
    };
}

loaders! {
    units: ById<entity::unit::Entity> = ById::new,
    users: ById<entity::user::Entity> = ById::new,
    projects: ById<entity::project::Entity> = ById::new,
    paired_units: PairedUnits = PairedUnits,
    milestones: CurrentMilestones = CurrentMilestones,
    recent_reports: RecentReports = RecentReports,
    health: ProjectHealth = ProjectHealth,
    schedule_history: ScheduleHistory = ScheduleHistory,
    year_figures: YearFigures = YearFigures,
    issue_co_units: IssueCoUnits = IssueCoUnits,
    issue_timelines: IssueTimelines = IssueTimelines,
    health_rules: HealthRulesLoader = HealthRulesLoader,
    case_units: CaseUnits = CaseUnits,
    case_measures: CaseMeasures = CaseMeasures,
    case_links: CaseLinks = CaseLinks,
    case_issues: CaseIssues = CaseIssues,
    templates: ById<entity::checklist_template::Entity> = ById::new,
    issues: ById<entity::issue::Entity> = ById::new,
    raised_issues: RaisedIssues = RaisedIssues,
    photos: ById<entity::photo::Entity> = ById::new,
    inspection_photos: InspectionPhotos = InspectionPhotos,
    inspections: ById<entity::inspection::Entity> = ById::new,
    issue_origins: IssueOrigins = IssueOrigins,
    issue_photos: IssuePhotos = IssuePhotos,
}

impl Loaders {
    /// The request's loader of type `T`.
    pub fn get<T: Slot>(&self) -> &Cached<T> {
        T::slot(self)
            .get_or_init(|| DataLoader::with_cache(T::make(self.db.clone()), tokio::spawn, HashMapCache::default()))
    }
}

/// Gives one request its (lazily made) loaders. Loaders cache, so they never outlive a request.
pub fn register(request: async_graphql::Request, db: &DatabaseConnection) -> async_graphql::Request {
    request.data(Loaders::new(db.clone()))
}

/// A loader keyed by project id whose batch is computed by one service call.
macro_rules! project_loader {
    ($(#[$doc:meta])* $name:ident, $value:ty, |$db:ident, $keys:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(pub DatabaseConnection);

        impl Loader<Uuid> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(&self, $keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
                let $db = &self.0;
                $body
            }
        }
    };
}

/// A loader keyed by (id, parameter) whose batch is one service call per distinct parameter, e.g.
/// the newest N entries of each id.
macro_rules! param_loader {
    ($(#[$doc:meta])* $name:ident, $param:ty, $value:ty, |$db:ident, $ids:ident, $p:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name(pub DatabaseConnection);

        impl Loader<(Uuid, $param)> for $name {
            type Value = $value;
            type Error = AppError;

            async fn load(
                &self,
                keys: &[(Uuid, $param)],
            ) -> Result<HashMap<(Uuid, $param), Self::Value>, Self::Error> {
                let mut by_param: HashMap<$param, Vec<Uuid>> = HashMap::new();
                for (id, p) in keys {
                    by_param.entry(*p).or_default().push(*id);
                }
                let mut out = HashMap::new();
                for ($p, $ids) in by_param {
                    let $db = &self.0;
                    let mut found = {
                        let $ids = &$ids[..];
                        $body?
                    };
                    for id in $ids {
                        out.insert((id, $p), found.remove(&id).unwrap_or_default());
                    }
                }
                Ok(out)
            }
        }
    };
}

project_loader!(
    /// Paired service units of each project.
    PairedUnits, Vec<entity::unit::Model>, |db, keys| crate::service::project::paired_units(db, keys).await
);
project_loader!(
    /// Milestones of each project's current schedule.
    CurrentMilestones, Vec<entity::milestone::Model>, |db, keys| crate::service::schedule::current_milestones(db, keys).await
);
param_loader!(
    /// The newest N current monthly reports of each project, newest period first; keyed by (project, N).
    RecentReports, u32, Vec<entity::monthly_report::Model>,
    |db, ids, n| crate::service::report::recent_reports(db, ids, n).await
);
/// Each project's light on a day (the county's today, from its clock); keyed by (project, day).
pub struct ProjectHealth(pub DatabaseConnection);

impl Loader<(Uuid, chrono::NaiveDate)> for ProjectHealth {
    type Value = crate::service::health::Health;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[(Uuid, chrono::NaiveDate)],
    ) -> Result<HashMap<(Uuid, chrono::NaiveDate), Self::Value>, Self::Error> {
        let mut by_day: HashMap<chrono::NaiveDate, Vec<Uuid>> = HashMap::new();
        for (id, day) in keys {
            by_day.entry(*day).or_default().push(*id);
        }
        let mut out = HashMap::new();
        for (day, ids) in by_day {
            let found = crate::service::health::compute(&self.0, &ids, day).await?;
            out.extend(found.into_iter().map(|(id, h)| ((id, day), h)));
        }
        Ok(out)
    }
}
project_loader!(
    /// Every schedule version of each project, newest first.
    ScheduleHistory, Vec<(entity::schedule_plan::Model, Vec<entity::milestone::Model>)>, |db, keys| {
        crate::service::schedule::histories(db, keys).await
    }
);

/// Planned and reported investment of a project in a year: (planned, reported that year, reported
/// in all years), in fen.
pub struct YearFigures(pub DatabaseConnection);

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

/// The office's rules, read at most once per request.
pub struct HealthRulesLoader(pub DatabaseConnection);

impl Loader<()> for HealthRulesLoader {
    type Value = entity::office_setting::Model;
    type Error = AppError;

    async fn load(&self, _: &[()]) -> Result<HashMap<(), Self::Value>, Self::Error> {
        Ok(HashMap::from([((), crate::service::settings::rules(&self.0).await?)]))
    }
}

project_loader!(
    /// Co-operating unit ids of each issue.
    IssueCoUnits, Vec<Uuid>, |db, keys| crate::service::issue::co_units(db, keys).await
);
param_loader!(
    /// The newest N timeline entries of each issue, oldest first; keyed by (issue, N).
    IssueTimelines, u32, Vec<entity::issue_event::Model>,
    |db, ids, n| crate::service::issue::recent_events(db, ids, n).await
);

project_loader!(
    /// Participating unit ids of each case.
    CaseUnits, Vec<Uuid>, |db, keys| crate::service::case::units_of(db, keys).await
);
project_loader!(
    /// Measures of each case, in order.
    CaseMeasures, Vec<entity::case_measure::Model>, |db, keys| crate::service::case::measures_of(db, keys).await
);
param_loader!(
    /// Links of each case that the caller may open, oldest first; keyed by (case, the caller's scope).
    CaseLinks, Option<Uuid>, Vec<entity::case_link::Model>,
    |db, ids, scope| crate::service::case::links_of(db, ids, scope).await
);

param_loader!(
    /// Linked issues of each case that the caller may see, newest first; keyed by (case, the caller's
    /// issue scope), so the one visibility rule of issues decides.
    CaseIssues, Option<Uuid>, Vec<entity::issue::Model>,
    |db, ids, scope| crate::service::case::linked_issues(db, ids, scope).await
);
project_loader!(
    /// Issues raised by each inspection (keyed by its root id): (item key, issue id).
    RaisedIssues, Vec<(String, Uuid)>, |db, keys| crate::service::inspection::raised_issues(db, keys).await
);
project_loader!(
    /// Photos uploaded for each inspection (keyed by the inspection id the phone gave them).
    InspectionPhotos, Vec<entity::photo::Model>, |db, keys| crate::service::photo::of_inspections(db, keys).await
);
project_loader!(
    /// The inspection and checklist item that raised each issue, where one did.
    IssueOrigins, (Uuid, String), |db, keys| crate::service::inspection::origins(db, keys).await
);
project_loader!(
    /// Photos uploaded for each issue, oldest first.
    IssuePhotos, Vec<entity::photo::Model>, |db, keys| crate::service::photo::of_issues(db, keys).await
);
