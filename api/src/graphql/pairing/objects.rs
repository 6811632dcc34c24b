//! Pairing duties, pairings, service logs and the month's activity as clients read them.

use async_graphql::{Context, Object};
use chrono::{DateTime, Utc};
use entity::{pairing_duty, pairing_service, project_paired_unit};
use uuid::Uuid;

use crate::graphql::account::{Unit, User};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::pagination::connection;
use crate::graphql::photo::Photo;
use crate::graphql::project::Project;
use crate::graphql::scalars::Date;
use crate::service::pairing::{self, UnitActivity};

/// A duty of the office's 六包 list: what a paired unit serves its project in.
pub struct PairingDuty(pub pairing_duty::Model);

/// A duty of the office's 六包 list: what a paired unit serves its project in.
#[Object]
impl PairingDuty {
    /// Its stable code (`LAND`), as pairings and service logs name it.
    async fn code(&self) -> &str {
        &self.0.code
    }

    /// Its name, e.g. 用地包：征地拆迁与用地保障.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Its place in the list, from 1.
    async fn position(&self) -> i32 {
        self.0.position
    }

    /// False once the office took it off the list; pairings and logs that name it keep it.
    async fn active(&self) -> bool {
        self.0.active
    }
}

/// A unit paired with a project to serve it (六包服务、结对联系), and the duties it took on.
pub struct Pairing(pub project_paired_unit::Model);

/// A unit paired with a project to serve it (六包服务、结对联系), and the duties it took on.
#[Object]
impl Pairing {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The codes of its duties (see `pairingDuties`); empty for a pairing made before duties were
    /// named, whose unit may log service under any active duty.
    async fn duties(&self) -> Vec<String> {
        pairing::duties_of(&self.0)
    }

    /// When the office paired the unit; null for a pairing made before this was kept.
    async fn paired_at(&self) -> Option<DateTime<Utc>> {
        self.0.paired_at
    }
}

/// Service a paired unit logged for its project (六包服务记录).
pub struct PairingService(pub pairing_service::Model);

/// Service a paired unit logged for its project (六包服务记录).
#[Object]
impl PairingService {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The project served.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The paired unit that served it.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The duty served, by its code.
    async fn duty(&self) -> &str {
        &self.0.duty
    }

    /// The day the service was given (the county's calendar).
    async fn served_on(&self) -> Date {
        Date(self.0.served_on)
    }

    /// What was done.
    async fn text(&self) -> &str {
        &self.0.text
    }

    /// Photos of the project that show it.
    async fn photos(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Photo>> {
        let ids = pairing::photo_ids_of(&self.0);
        let found = ctx.loader::<entity::photo::Entity>()?.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Photo).collect())
    }

    /// Who logged it.
    async fn recorded_by(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        Ok(User(load::<entity::user::Entity>(ctx, self.0.recorded_by, "user").await?))
    }

    /// When it was logged.
    async fn recorded_at(&self) -> DateTime<Utc> {
        self.0.recorded_at
    }
}

connection!(
    PairingServiceConnection,
    PairingServiceEdge,
    PairingService,
    "Pairing service logs, one page.",
    "One service log and its cursor."
);

/// A month of 六包 service: every paired unit, idle ones first.
pub struct PairingActivity {
    pub period: String,
    pub units: Vec<UnitActivity>,
}

/// A month of 六包 service: every paired unit, idle ones first.
#[Object]
impl PairingActivity {
    /// The month, `YYYY-MM`.
    async fn period(&self) -> &str {
        &self.period
    }

    /// Paired units that logged nothing in the month.
    async fn idle_units(&self) -> i32 {
        i32::try_from(self.units.iter().filter(|u| u.idle()).count()).unwrap_or(i32::MAX)
    }

    /// Every unit paired with a project by the month's end: idle ones first, then by fewest services.
    async fn units(&self) -> Vec<UnitPairingActivity> {
        self.units.iter().cloned().map(UnitPairingActivity).collect()
    }
}

/// One paired unit's month of service.
pub struct UnitPairingActivity(pub UnitActivity);

/// One paired unit's month of service.
#[Object]
impl UnitPairingActivity {
    /// The unit.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// Projects it was paired with by the month's end.
    async fn projects(&self) -> i32 {
        i32::try_from(self.0.projects).unwrap_or(i32::MAX)
    }

    /// Services it logged in the month.
    async fn services(&self) -> i32 {
        i32::try_from(self.0.services).unwrap_or(i32::MAX)
    }

    /// It logged nothing in the month.
    async fn idle(&self) -> bool {
        self.0.idle()
    }

    /// How many of its paired projects it logged nothing for in the month.
    async fn idle_project_count(&self) -> i32 {
        i32::try_from(self.0.idle_projects.len()).unwrap_or(i32::MAX)
    }

    /// Its paired projects it logged nothing for in the month, at most `first`.
    async fn idle_projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "How many, 0 to 100 (default 20).", default = 20, validator(minimum = 0, maximum = 100))]
        first: i32,
    ) -> async_graphql::Result<Vec<Project>> {
        let take = usize::try_from(first).unwrap_or(0);
        let ids: Vec<Uuid> = self.0.idle_projects.iter().copied().take(take).collect();
        let found = ctx.loader::<entity::project::Entity>()?.load_many(ids.iter().copied()).await?;
        Ok(ids.iter().filter_map(|id| found.get(id).cloned()).map(Project::from).collect())
    }
}
