//! The kept lights: each project's light (computed by [`super::health`]) stored in `project_lights`,
//! so that a list filters by light and the dashboard counts lights in SQL, and a page reads its
//! lights instead of computing them. This module keeps the rows; `health` computes what they hold.
//!
//! A row is current when it was computed for the county's today from the inputs of its `version`.
//! Every write that changes a light's inputs calls [`touch`] (or [`touch_all`]) in its transaction,
//! which bumps `version` and clears `computed_version`; a reader reads the versions first, then the
//! inputs, computes what is not current and stores it under the version it read. A write that lands
//! meanwhile leaves the row's version ahead of what was stored, so the store leaves `computed_version`
//! empty and the next reader computes it again: no instance can store a light older than the rows it
//! claims to follow, and none needs to tell another anything. The same writes mark the units' kept
//! rollups ([`super::rollups`]) as not current.

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::project::Light;
use entity::project_light::{self, Column as C};
use sea_orm::sea_query::{Expr, OnConflict, Query, SimpleExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, Set};
use uuid::Uuid;

use crate::db::among;
use crate::error::{AppError, AppResult};

/// How many projects one statement reads at once (each id is a bound parameter).
pub const CHUNK: usize = 1000;

/// Marks the lights of `project_ids`, and the rollups of their units, as not current. Call it in the
/// transaction of any write that changes what they are computed from.
pub async fn touch(db: &impl ConnectionTrait, project_ids: &[Uuid]) -> AppResult<()> {
    if project_ids.is_empty() {
        return Ok(());
    }
    let rows = project_ids.iter().map(|id| project_light::ActiveModel {
        project_id: Set(*id),
        version: Set(1),
        ..Default::default()
    });
    project_light::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(C::ProjectId)
                .value(C::Version, Expr::col((project_light::Entity, C::Version)).add(1))
                .value(C::ComputedVersion, Option::<i64>::None)
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    super::rollups::touch_projects(db, project_ids).await
}

/// Marks every light and rollup as not current (the office changed the rules they follow).
pub async fn touch_all(db: &impl ConnectionTrait) -> AppResult<()> {
    project_light::Entity::update_many()
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .col_expr(C::ComputedVersion, Expr::value(Option::<i64>::None))
        .exec(db)
        .await?;
    super::rollups::touch_all(db).await
}

/// What a project adds to the dashboard in the light's year, kept beside the light so that the
/// dashboard sums kept rows instead of every report of the year.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearFigures {
    pub year: i32,
    /// The year's planned investment, fen.
    pub plan_fen: i64,
    /// Investment reported for the year's periods, fen.
    pub done_fen: i64,
    /// Reports for the year's periods, and of them those on time.
    pub reports: i64,
    pub on_time: i64,
    /// Reports owed for the year's periods already due.
    pub reports_due: i64,
    /// The worst slip of the current milestones, days, whatever the project's status.
    pub slip_days: Option<i64>,
}

/// A light as computed, to be kept under the version that was read before its inputs.
pub struct Computed {
    pub project_id: Uuid,
    pub version: i64,
    pub light: Light,
    pub figures: YearFigures,
    /// The light's reasons and figures, as the API shows them.
    pub detail: String,
    /// The project's name, which a light's projects are listed by.
    pub name: String,
}

/// The kept lights of `project_ids` that are current on `today` (their detail), and the version of
/// each of the others (0 for a project without a row), to compute them from.
pub async fn read(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    today: NaiveDate,
) -> AppResult<(HashMap<Uuid, String>, HashMap<Uuid, i64>)> {
    read_column(db, project_ids, today, C::Detail).await
}

/// Like [`read`], the light alone: what a list showing only `health { light }` needs.
pub async fn read_lights(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    today: NaiveDate,
) -> AppResult<(HashMap<Uuid, Light>, HashMap<Uuid, i64>)> {
    read_column(db, project_ids, today, C::Light).await
}

/// A kept light's project, version, computed version, day, and one more column.
type Kept<T> = (Uuid, i64, Option<i64>, Option<NaiveDate>, Option<T>);

/// `column` of the current kept lights of `project_ids`, and the versions of the others; reads that
/// column and the ones saying whether a row is current, no more.
async fn read_column<T: sea_orm::TryGetable>(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    today: NaiveDate,
    column: C,
) -> AppResult<(HashMap<Uuid, T>, HashMap<Uuid, i64>)> {
    let mut kept = HashMap::with_capacity(project_ids.len());
    let mut stale: HashMap<Uuid, i64> = project_ids.iter().map(|id| (*id, 0)).collect();
    for ids in project_ids.chunks(CHUNK) {
        let rows: Vec<Kept<T>> = project_light::Entity::find()
            .select_only()
            .columns([C::ProjectId, C::Version, C::ComputedVersion, C::Day, column])
            .filter(among(C::ProjectId, ids.iter().copied(), db.get_database_backend()))
            .into_tuple()
            .all(db)
            .await?;
        for (project_id, version, computed_version, day, value) in rows {
            let current = computed_version == Some(version) && day == Some(today);
            match value {
                Some(value) if current => {
                    stale.remove(&project_id);
                    kept.insert(project_id, value);
                }
                _ => {
                    stale.insert(project_id, version);
                }
            }
        }
    }
    Ok((kept, stale))
}

/// Every project whose kept light is not current on `today`, with its version: the rows written
/// since they were computed (through a partial index of the empty `computed_version`) and those
/// computed on another day (through the day index), not the whole table.
pub async fn stale(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<HashMap<Uuid, i64>> {
    let rows: Vec<(Uuid, i64)> = project_light::Entity::find()
        .select_only()
        .columns([C::ProjectId, C::Version])
        .filter(C::ComputedVersion.is_null().or(C::Day.is_null()).or(C::Day.lt(today)).or(C::Day.gt(today)))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().collect())
}

/// The condition that a project shows `light` on `today`, in SQL over the kept lights (make them
/// current first). PostgreSQL reads the matching lights first (`= ANY(ARRAY(…))`) and then the
/// projects by id: left to choose, it walks the projects in the list's order probing each one's
/// light, which reads most of a province when the lights cluster in that order.
pub fn showing(light: Light, today: NaiveDate, backend: DbBackend) -> SimpleExpr {
    let ids = Query::select()
        .column(C::ProjectId)
        .from(project_light::Entity)
        .and_where(C::Day.eq(today))
        .and_where(C::Light.eq(light))
        .to_owned();
    let id = Expr::col((entity::project::Entity, entity::project::Column::Id));
    match backend {
        DbBackend::Postgres => {
            let ids = SimpleExpr::SubQuery(None, Box::new(ids.into_sub_query_statement()));
            Expr::cust_with_exprs("$1 = ANY(ARRAY $2)", [id.into(), ids])
        }
        _ => id.in_subquery(ids),
    }
}

/// Keeps lights computed for `today`, each under the version read before its inputs; a row whose
/// version moved on meanwhile stays not current. Pass them in project id order: readers keeping the
/// same rows at once then lock them in one order and wait for each other instead of deadlocking.
pub async fn store(db: &impl ConnectionTrait, computed: Vec<Computed>, today: NaiveDate) -> AppResult<()> {
    let mut computed = computed.into_iter().peekable();
    while computed.peek().is_some() {
        let rows: Vec<project_light::ActiveModel> = computed
            .by_ref()
            .take(CHUNK / 4)
            .map(|c| project_light::ActiveModel {
                project_id: Set(c.project_id),
                version: Set(c.version),
                computed_version: Set(Some(c.version)),
                day: Set(Some(today)),
                light: Set(Some(c.light)),
                slip_days: Set(c.figures.slip_days),
                year: Set(Some(c.figures.year)),
                plan_fen: Set(Some(c.figures.plan_fen)),
                done_fen: Set(Some(c.figures.done_fen)),
                reports: Set(Some(c.figures.reports)),
                on_time: Set(Some(c.figures.on_time)),
                reports_due: Set(Some(c.figures.reports_due)),
                detail: Set(Some(c.detail)),
                name: Set(Some(c.name)),
            })
            .collect();
        // Stored under the version read before the inputs: when a write moved it on meanwhile, the
        // row stays not current (`computed_version` empty).
        let computed = super::kit::kept::computed_if_unmoved(project_light::Entity, C::Version, C::ComputedVersion);
        project_light::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::column(C::ProjectId)
                    .value(C::ComputedVersion, computed)
                    .update_columns([
                        C::Day,
                        C::Light,
                        C::SlipDays,
                        C::Year,
                        C::PlanFen,
                        C::DoneFen,
                        C::Reports,
                        C::OnTime,
                        C::ReportsDue,
                        C::Detail,
                        C::Name,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// How many rows one refresh rewrites before the table is settled again.
pub const SETTLE_AFTER: usize = 1000;

/// Settles the kept lights after a refresh rewrote many rows (a new day): PostgreSQL vacuums them,
/// so the probe for stale rows and the light filter read their indexes alone again instead of
/// stepping over a dead entry per project until autovacuum comes by; both take the statistics again.
pub async fn settle(db: &impl ConnectionTrait) -> AppResult<()> {
    let sql = match db.get_database_backend() {
        DbBackend::Postgres => "VACUUM (ANALYZE) project_lights",
        _ => "ANALYZE project_lights",
    };
    db.execute_unprepared(sql).await?;
    Ok(())
}

/// Gives every project without a kept light a row that is not current yet, and marks every unit's
/// rollup as not current: for projects written in bulk (the demo county, a generated province)
/// rather than through [`touch`].
pub async fn track_untracked(db: &impl ConnectionTrait) -> AppResult<()> {
    let untracked = Query::select()
        .column(entity::project::Column::Id)
        .from(entity::project::Entity)
        .and_where(
            entity::project::Column::Id
                .not_in_subquery(Query::select().column(C::ProjectId).from(project_light::Entity).to_owned()),
        )
        .to_owned();
    let insert = Query::insert()
        .into_table(project_light::Entity)
        .columns([C::ProjectId])
        .select_from(untracked)
        .map_err(|e| AppError::internal(e.to_string()))?
        .to_owned();
    db.execute(db.get_database_backend().build(&insert)).await?;
    super::rollups::touch_all(db).await
}
