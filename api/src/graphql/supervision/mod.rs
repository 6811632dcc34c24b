//! Supervision that follows through (督导): tasks planned, drawn and carried out, tracking coverage,
//! and bulletins.

pub(crate) mod evidence;
pub(crate) mod inputs;
pub(crate) mod loaders;
pub(crate) mod objects;
pub(crate) mod prefetch;
pub(crate) mod reports;

use async_graphql::{Context, Object};
use uuid::Uuid;

pub use evidence::{EvidenceGap, EvidenceGapConnection};
pub use inputs::{DrawSurpriseTaskInput, PlanSupervisionTaskInput, PublishBulletinInput, SupervisionTaskFilter};
pub use objects::{SupervisionTask, SupervisionTaskConnection};
pub use reports::{Bulletin, BulletinConnection, SupervisionCoverage};

use super::context::ContextExt;
use super::pagination::{ListSpec, deferred, list};
use crate::service::page::PageRequest;
use crate::service::period::Period;
use crate::service::supervision::{self as supervision, NewBulletin, TaskFilter};

#[derive(Default)]
pub struct SupervisionQuery;

#[Object]
impl SupervisionQuery {
    /// One supervision task. A task the caller may not see — or a SURPRISE task still sealed, for
    /// anyone but the office and its inspectors — is `NOT_FOUND`, exactly as if it did not exist.
    async fn supervision_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task's id.")] id: Uuid,
    ) -> async_graphql::Result<SupervisionTask> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        Ok(SupervisionTask(supervision::find_for(&state.db, &actor, id, state.config.clock.today()).await?))
    }

    /// Supervision tasks the caller can see, newest first. The office sees all; leaders all but
    /// sealed ones; an inspector the tasks assigned to them and the open ones; a unit the unsealed
    /// tasks on its projects.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn supervision_tasks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Narrows the list.")] filter: Option<SupervisionTaskFilter>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<SupervisionTaskConnection> {
        let state = ctx.state()?;
        let (reach, today) = loaders::seen_by(ctx)?;
        let filter: TaskFilter = filter.unwrap_or_default().into();
        let count = deferred((state.db.clone(), filter.clone()), move |(db, filter)| async move {
            supervision::count(&db, reach, &filter, today).await
        });
        let fetch = |page: PageRequest| async move { supervision::list(&state.db, reach, &filter, today, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: supervision::cursor, node: SupervisionTask }).await?)
    }

    /// Tracking coverage of a month: which projects owing a TRACKING visit had one, per responsible
    /// unit, worst first. A unit sees its own.
    async fn supervision_coverage(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.", validator(custom = "crate::graphql::scalars::MaxChars(7)"))]
        period: String,
        #[graphql(desc = "Unvisited projects to name per unit, 0 to 100 (default 20).", default = 20)]
        not_visited_per_unit: i32,
    ) -> async_graphql::Result<SupervisionCoverage> {
        let period = Period::parse("period", &period)?;
        let per_unit = u64::try_from(not_visited_per_unit)
            .ok()
            .filter(|n| *n <= 100)
            .ok_or_else(|| crate::error::AppError::bad_input("notVisitedPerUnit", "0 to 100"))?;
        let state = ctx.state()?;
        let actor = ctx.actor()?;
        let zone = state.config.clock.zone();
        let coverage = supervision::coverage(&state.db, &actor, period, per_unit, zone).await?;
        // The units and their unvisited projects in one batch each, whatever the timing of the rows.
        let rows = ctx.look_ahead().field("units");
        let units = coverage.units.iter().map(|u| u.unit_id);
        crate::graphql::prefetch::prime_related::<entity::unit::Entity>(ctx, rows.field("unit"), units).await?;
        let projects = coverage.units.iter().flat_map(|u| u.not_visited.iter().copied());
        crate::graphql::prefetch::prime_related::<entity::project::Entity>(ctx, rows.field("notVisited"), projects)
            .await?;
        Ok(SupervisionCoverage(coverage))
    }

    /// Where a unit's report of a month that has ended claims more than the field saw: progress
    /// above what an inspection measured, a rise with no trusted on-site photo, a large investment
    /// with no on-site evidence (thresholds in the office's settings). By project and kind; a unit
    /// sees its own projects'.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn evidence_gaps(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The month, `YYYY-MM`.", validator(custom = "crate::graphql::scalars::MaxChars(7)"))]
        period: String,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<EvidenceGapConnection> {
        let period = evidence::ended_period(ctx, &period)?;
        let state = ctx.state()?;
        let scope = crate::service::kit::department_scope(ctx.caller()?);
        let zone = state.config.clock.zone();
        let count = deferred(state.db.clone(), move |db| async move {
            Ok(crate::service::evidence::gaps(&db, scope, None, period, zone).await?.len() as u64)
        });
        let fetch = |page: PageRequest| async move {
            crate::service::evidence::gap_page(&state.db, scope, period, zone, &page).await
        };
        let key = |g: &crate::service::evidence::EvidenceGap| g.key();
        Ok(list(ctx, first, after, ListSpec { fetch, count, key, node: EvidenceGap }).await?)
    }

    /// One published bulletin.
    async fn bulletin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The bulletin's id.")] id: Uuid,
    ) -> async_graphql::Result<Bulletin> {
        let actor = ctx.actor()?;
        Ok(Bulletin(supervision::find_bulletin(&ctx.state()?.db, &actor, id).await?))
    }

    /// Published bulletins (督导通报), latest first. Everyone signed in reads them.
    #[graphql(complexity = "first.map(|n| n.max(0) as usize).unwrap_or(20) * child_complexity + 1")]
    async fn bulletins(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "Cursor after which the page starts.")] after: Option<String>,
    ) -> async_graphql::Result<BulletinConnection> {
        ctx.actor()?;
        let state = ctx.state()?;
        let count = deferred(state.db.clone(), |db| async move { supervision::count_bulletins(&db).await });
        let fetch = |page: PageRequest| async move { supervision::bulletins(&state.db, &page).await };
        Ok(list(ctx, first, after, ListSpec { fetch, count, key: supervision::bulletin_cursor, node: Bulletin })
            .await?)
    }
}

#[derive(Default)]
pub struct SupervisionMutation;

#[Object]
impl SupervisionMutation {
    /// Plans a TRACKING or KEY_PROBLEM task. ADMIN. A KEY_PROBLEM task names the open issues or cases
    /// of its projects it deals with. Replaying the same create returns the stored task; other
    /// content under that id is `CONFLICT`.
    async fn plan_supervision_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] input: PlanSupervisionTaskInput,
    ) -> async_graphql::Result<SupervisionTask> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(SupervisionTask(supervision::plan(&state.db, &actor, input.into(), clock.now(), clock.day()).await?))
    }

    /// Draws a surprise push (突击督导) from the projects showing YELLOW or RED today, each with a
    /// chance in proportion to how far behind it is. ADMIN. The seed and the candidates are kept so
    /// that the draw can be re-run (`SupervisionTask.draw`); until the window opens the task is
    /// sealed.
    async fn draw_surprise_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The draw.")] input: DrawSurpriseTaskInput,
    ) -> async_graphql::Result<SupervisionTask> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(SupervisionTask(supervision::draw(&state.db, &actor, input.into(), clock.now(), clock.day()).await?))
    }

    /// Closes a task that is DONE or EXPIRED with the office's summary. ADMIN; once.
    async fn close_supervision_task(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The task.")] id: Uuid,
        #[graphql(
            desc = "What the supervision found and what follows, 2 to 10000 characters.",
            validator(custom = "crate::graphql::scalars::MaxChars(10000)")
        )]
        summary: String,
    ) -> async_graphql::Result<SupervisionTask> {
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        Ok(SupervisionTask(supervision::close(&state.db, &actor, id, &summary, clock.now(), clock.day()).await?))
    }

    /// Proposes a TRACKING task for each project RED at the end of both of the last two months that
    /// have ended (倒逼), once per project and months; the periodic jobs do the same on the first
    /// round after a month ends. Returns how many were proposed now. ADMIN.
    async fn propose_supervision_tasks(&self, ctx: &Context<'_>) -> async_graphql::Result<i32> {
        let actor = ctx.actor()?;
        actor.require_role(&[entity::user::Role::Admin], "propose supervision")?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let n = supervision::propose(&state.db, clock.day(), clock.now()).await?;
        Ok(i32::try_from(n).unwrap_or(i32::MAX))
    }

    /// Compiles and publishes the bulletin (督导通报) of a month: inspections by kind and result,
    /// issues raised by failed items, issues raised and still open, overdue issues and action items
    /// by unit, and the units named for the worst figures. Numbered within the year; never changed.
    /// ADMIN.
    async fn publish_bulletin(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The bulletin.")] input: PublishBulletinInput,
    ) -> async_graphql::Result<Bulletin> {
        let period = Period::parse("period", &input.period)?;
        let actor = ctx.actor()?;
        let state = ctx.state()?;
        let clock = state.config.clock;
        let new = NewBulletin { id: input.id, period, title: input.title, body: input.body };
        Ok(Bulletin(supervision::publish(&state.db, &actor, new, clock.now(), clock.day()).await?))
    }
}
