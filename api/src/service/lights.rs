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
use entity::project::{self, Carried, Light};
use entity::project_light::{self, Column as C};
use sea_orm::sea_query::{Expr, LockType, OnConflict, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set, TransactionTrait,
};
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
    let backend = db.get_database_backend();
    drop_carried(db, Some(among(project::Column::Id, project_ids.iter().copied(), backend))).await?;
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
    drop_carried(db, None).await?;
    project_light::Entity::update_many()
        .col_expr(C::Version, Expr::col(C::Version).add(1))
        .col_expr(C::ComputedVersion, Expr::value(Option::<i64>::None))
        .exec(db)
        .await?;
    super::rollups::touch_all(db).await
}

/// Clears the copies of the kept lights that the projects `which` selects (all when `None`) carry.
/// Every row, carrying a light or not, is written: a writer thus holds its projects' rows (before
/// their kept lights) until it commits, which is what [`store`] waits on before it copies a light.
async fn drop_carried(db: &impl ConnectionTrait, which: Option<SimpleExpr>) -> AppResult<()> {
    if which.is_none() {
        // Every row: taken in id order, as [`store`] takes them, not in the order of the table.
        hold(db, None).await?;
    }
    let mut clear = Query::update();
    clear
        .table(project::Entity)
        .value(Carried::KeptLight, Option::<String>::None)
        .value(Carried::KeptLightDay, Option::<NaiveDate>::None);
    if let Some(which) = which {
        clear.and_where(which);
    }
    db.execute(db.get_database_backend().build(&clear)).await?;
    Ok(())
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
/// version moved on meanwhile stays not current. Each project whose light is then current carries a
/// copy of it ([`Carried`]). Pass them in project id order: readers keeping the same rows at once
/// then lock them in one order and wait for each other instead of deadlocking.
///
/// One transaction, which first holds the projects' rows (PostgreSQL; SQLite has one writer at a
/// time): a writer holds them from its [`touch`] to its commit, so once they are held every write
/// that touched them has committed and every later one waits, and the copy is made from lights that
/// stay current until this commits. (Copied by one statement without the hold, a light could be
/// read current just before a writer committed and copied just after it cleared the copy:
/// PostgreSQL rechecks a waiting update against the row it waited for, not against the other
/// tables it read.)
pub async fn store(
    db: &(impl ConnectionTrait + TransactionTrait),
    computed: Vec<Computed>,
    today: NaiveDate,
) -> AppResult<()> {
    if computed.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = computed.iter().map(|c| c.project_id).collect();
    let txn = db.begin().await?;
    hold(&txn, Some(&ids)).await?;
    upsert(&txn, computed, today).await?;
    carry(&txn, &ids, today).await?;
    txn.commit().await?;
    Ok(())
}

/// On PostgreSQL, locks the rows of the projects `ids` (all when `None`) in id order, so that two
/// transactions holding some of the same rows take them in one order.
async fn hold(db: &impl ConnectionTrait, ids: Option<&[Uuid]>) -> AppResult<()> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        return Ok(());
    }
    let mut rows = project::Entity::find().select_only().column(project::Column::Id);
    if let Some(ids) = ids {
        rows = rows.filter(among(project::Column::Id, ids.iter().copied(), backend));
    }
    // Held against updates, not against rows that refer to them (a report, a photo): a carried light
    // is no key.
    rows.order_by_asc(project::Column::Id).lock(LockType::NoKeyUpdate).into_tuple::<Uuid>().all(db).await?;
    Ok(())
}

/// Sets the copy each of the projects `ids` carries to its kept light where that is current on
/// `today`, and clears it where not.
async fn carry(db: &impl ConnectionTrait, ids: &[Uuid], today: NaiveDate) -> AppResult<()> {
    let backend = db.get_database_backend();
    let kept = Query::select()
        .column(C::Light)
        .from(project_light::Entity)
        .and_where(Expr::col((project_light::Entity, C::ProjectId)).equals((project::Entity, project::Column::Id)))
        .and_where(Expr::col(C::ComputedVersion).equals(C::Version))
        .and_where(C::Day.eq(today))
        .to_owned();
    let copy = Query::update()
        .table(project::Entity)
        .value(Carried::KeptLight, SimpleExpr::SubQuery(None, Box::new(kept.into_sub_query_statement())))
        .value(Carried::KeptLightDay, today)
        .and_where(among(project::Column::Id, ids.iter().copied(), backend))
        .to_owned();
    db.execute(backend.build(&copy)).await?;
    Ok(())
}

/// Upserts the computed lights, each current only where its version did not move (see [`store`]).
async fn upsert(db: &impl ConnectionTrait, computed: Vec<Computed>, today: NaiveDate) -> AppResult<()> {
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
