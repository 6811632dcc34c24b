//! 六包 pairing service: the office's duties, pairings, the service paired units log, and the
//! month's activity.

pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use inputs::{LogPairingServiceInput, PairingDutyInput, PairingServiceFilter};
pub use objects::{
    Pairing, PairingActivity, PairingDuty, PairingService, PairingServiceConnection, UnitPairingActivity,
};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::kit;
use crate::service::page::PageRequest;
use crate::service::pairing::{self, ServiceFilter};
use crate::service::period::Period;

#[derive(Default)]
pub struct PairingQuery;

#[Object]
impl PairingQuery {
    /// The office's list of pairing duties (六包), in order. The source text names 六包 without
    /// spelling the six out; the list starts with policy, approvals, land, utilities, financing and
    /// the building environment, and the office changes it with `setPairingDuties`.
    async fn pairing_duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Also the duties the office retired (default false).", default = false)] include_retired: bool,
    ) -> async_graphql::Result<Vec<PairingDuty>> {
        let db = &ctx.state()?.db;
        Ok(pairing::duties(db, include_retired).await?.into_iter().map(PairingDuty).collect())
    }

    /// Service logged by paired units, newest first: the office, leaders and inspectors see all; a
    /// unit its own logs and those on the projects it answers for.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn pairing_services(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<PairingServiceFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<PairingServiceConnection> {
        let state = ctx.state()?;
        let scope = kit::department_scope(ctx.caller()?);
        let filter: ServiceFilter = filter.unwrap_or_default().into();
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            pairing::count(&db, scope, &filter).await
        });
        let fetch = |page: PageRequest| async move { pairing::list(&state.db, scope, &filter, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: pairing::cursor, node: PairingService }).await?)
    }

    /// A month of 六包 service: every unit paired with a project by the month's end, how many
    /// services it logged, and the projects it logged nothing for; a unit that logged nothing is
    /// idle. The office, leaders and inspectors see every unit; a unit itself.
    async fn pairing_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.", validator(custom = "crate::graphql::scalars::MaxChars(7)"))]
        period: String,
    ) -> async_graphql::Result<PairingActivity> {
        let period = Period::parse("period", &period)?;
        let state = ctx.state()?;
        let scope = kit::department_scope(ctx.caller()?);
        let units = pairing::activity(&state.db, scope, period, state.config.clock.zone()).await?;
        // Every row's unit and idle projects in one batch each, whatever the rows' timing.
        let look = ctx.look_ahead().field("units");
        let unit_ids = units.iter().map(|u| u.unit_id);
        crate::graphql::prefetch::prime_related::<entity::unit::Entity>(ctx, look.field("unit"), unit_ids).await?;
        let idle = units.iter().flat_map(|u| u.idle_projects.iter().copied().take(100));
        crate::graphql::prefetch::prime_related::<entity::project::Entity>(ctx, look.field("idleProjects"), idle)
            .await?;
        Ok(PairingActivity { period: period.key(), units })
    }
}

#[derive(Default)]
pub struct PairingMutation;

#[Object]
impl PairingMutation {
    /// Replaces the office's list of pairing duties, in the order given. A code left out is retired
    /// (pairings and logs naming it keep it); one listed again comes back. ADMIN.
    async fn set_pairing_duties(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The whole list, 1 to 20 duties.", validator(max_items = 20))] duties: Vec<PairingDutyInput>,
    ) -> async_graphql::Result<Vec<PairingDuty>> {
        let actor = ctx.actor()?;
        let list = duties.into_iter().map(Into::into).collect();
        let after = pairing::set_duties(&ctx.state()?.db, &actor, list).await?;
        Ok(after.into_iter().map(PairingDuty).collect())
    }

    /// Pairs a unit with a project for duties of the office's list (六包), or changes the duties of
    /// a pairing. The unit then sees the project's issues, cases, inspections and photos, raises
    /// issues on it and logs its service. ADMIN.
    async fn pair_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] project_id: Uuid,
        #[graphql(desc = "The unit; not the project's responsible unit.")] unit_id: Uuid,
        #[graphql(desc = "Codes of the duties it takes on, 1 to 20 (see `pairingDuties`).", validator(max_items = 20))]
        duties: Vec<String>,
    ) -> async_graphql::Result<Pairing> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let now = state.config.clock.now();
        Ok(Pairing(pairing::pair(&state.db, &actor, project_id, unit_id, &duties, now).await?))
    }

    /// Ends a unit's pairing with a project; the service it logged stays. ADMIN. Returns true.
    async fn unpair_unit(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project.")] project_id: Uuid,
        #[graphql(desc = "The paired unit.")] unit_id: Uuid,
    ) -> async_graphql::Result<bool> {
        let actor = ctx.actor()?;
        pairing::unpair(&ctx.state()?.db, &actor, project_id, unit_id).await?;
        Ok(true)
    }

    /// Logs service the caller's unit gave a project it is paired with: the day, the duty, what was
    /// done and photos of the project. A department paired with the project. Replaying the same
    /// log returns the stored one; other content under its id is `CONFLICT`.
    async fn log_pairing_service(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project served.")] project_id: Uuid,
        #[graphql(desc = "The service.")] input: LogPairingServiceInput,
    ) -> async_graphql::Result<PairingService> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let log = pairing::log(&state.db, &actor, project_id, input.into(), clock.now(), clock.today()).await?;
        Ok(PairingService(log))
    }
}
