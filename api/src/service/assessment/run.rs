//! Runs: every assessed unit's figures, weighted score, rank and vetoes, frozen with the scheme
//! version; publication; and reading runs, standings and scorecards as [`Reach`] allows.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::assessment_result::{self, Model as Standing};
use entity::assessment_run::{self, Model as Run, RunStatus};
use entity::assessment_veto::{VetoCondition, VetoSource};
use entity::unit::{self, UnitKind};
use entity::user::Role;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::measure::{Figure, Window, measure};
use super::scheme::{AssessmentMetric, find_scheme, metrics_of, vetoes_of};
use super::{AssessPeriod, Reach, rank, sources, vetoes};
use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::page::{Page, PageRequest};

/// Most runs one period lists.
pub const MAX_RUNS: u64 = 50;

/// A metric as a run froze it for a unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenMetric {
    pub metric: AssessmentMetric,
    pub weight: u32,
    pub numerator: f64,
    pub denominator: f64,
    /// From 0 to 1; none when nothing was due.
    pub value: Option<f64>,
}

/// A veto as a run found it in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrozenVeto {
    pub condition: VetoCondition,
    pub source: VetoSource,
    pub reason: String,
    pub deduction_fen: i64,
}

/// The metrics frozen in a standing.
pub fn frozen_metrics(s: &Standing) -> AppResult<Vec<FrozenMetric>> {
    serde_json::from_str(&s.metrics).map_err(AppError::internal)
}

/// The vetoes frozen in a standing.
pub fn frozen_vetoes(s: &Standing) -> AppResult<Vec<FrozenVeto>> {
    serde_json::from_str(&s.vetoes).map_err(AppError::internal)
}

/// Runs scheme version `scheme_id` over `period` as of today: measures every department and
/// township on each metric, finds the automatic vetoes (and records those not on record), weighs,
/// ranks and freezes. When the newest run of the same scheme and period froze the same figures,
/// that run is returned unchanged; otherwise a new DRAFT run is made (earlier runs stay as they
/// were). ADMIN.
pub async fn run(
    db: &DatabaseConnection,
    actor: &Actor,
    scheme_id: Uuid,
    period: AssessPeriod,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Run> {
    actor.require_role(&[Role::Admin], "run assessments")?;
    let by = actor.caller()?.id();
    let txn = crate::db::begin_write(db).await?;
    let run = run_in(&txn, actor, by, scheme_id, period, now, day).await?;
    txn.commit().await?;
    Ok(run)
}

/// [`run`] inside a transaction the caller commits, made on behalf of `by` (the demo county seeds
/// its run so).
pub async fn run_in(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    by: Uuid,
    scheme_id: Uuid,
    period: AssessPeriod,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Run> {
    let db = txn;
    let scheme = find_scheme(db, scheme_id)
        .await
        .map_err(|_| AppError::bad_input("schemeId", "no assessment scheme has this id"))?;
    if scheme.year != period.year {
        return Err(AppError::bad_input(
            "period",
            format!("the scheme is for {}; name a period of that year", scheme.year),
        ));
    }
    if period.first_day() > day.date {
        return Err(AppError::bad_input("period", "the period has not begun"));
    }
    let metrics = metrics_of(&scheme)?;
    let automatic: Vec<VetoCondition> =
        vetoes_of(&scheme)?.into_iter().filter(|v| v.automatic).map(|v| v.condition).collect();
    let rules = crate::service::settings::rules(db).await?;
    let w = Window { period, today: day.date, zone: day.zone, report_due_day: rules.report_due_day };
    let units: Vec<(Uuid, String)> = unit::Entity::find()
        .select_only()
        .columns([unit::Column::Id, unit::Column::Name])
        .filter(unit::Column::Kind.is_in([UnitKind::Department, UnitKind::Township]))
        .order_by_asc(unit::Column::Name)
        .order_by_asc(unit::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    let mut figures: HashMap<AssessmentMetric, HashMap<Uuid, (f64, f64)>> = HashMap::new();
    for m in &metrics {
        figures.insert(m.metric, measure(db, actor, m.metric, &w).await?);
    }
    let found = sources::automatic(db, actor, &w, &automatic).await?;
    vetoes::record_found(txn, &found, &period.key(), scheme.deduction_fen, by, now).await?;
    let ids: Vec<Uuid> = units.iter().map(|u| u.0).collect();
    let mut in_force: HashMap<Uuid, Vec<FrozenVeto>> = HashMap::new();
    for v in vetoes::in_force(txn, &[], &[period.key()]).await? {
        let frozen =
            FrozenVeto { condition: v.condition, source: v.source, reason: v.reason, deduction_fen: v.deduction_fen };
        in_force.entry(v.unit_id).or_default().push(frozen);
    }
    let run_id = Uuid::now_v7();
    let mut rows: Vec<Standing> = Vec::with_capacity(ids.len());
    for id in &ids {
        let unit_figures: Vec<Figure> = metrics
            .iter()
            .map(|m| {
                let (numerator, denominator) =
                    figures.get(&m.metric).and_then(|f| f.get(id)).copied().unwrap_or((0.0, 0.0));
                Figure { metric: m.metric, numerator, denominator }
            })
            .collect();
        let frozen: Vec<FrozenMetric> = metrics
            .iter()
            .zip(&unit_figures)
            .map(|(m, f)| FrozenMetric {
                metric: m.metric,
                weight: m.weight,
                numerator: f.numerator,
                denominator: f.denominator,
                value: f.value(),
            })
            .collect();
        let held = in_force.remove(id).unwrap_or_default();
        rows.push(Standing {
            run_id,
            unit_id: *id,
            score: rank::score(&metrics, &unit_figures),
            rank: 0,
            vetoed: !held.is_empty(),
            deduction_fen: held.iter().map(|v| v.deduction_fen).sum(),
            metrics: serde_json::to_string(&frozen).map_err(AppError::internal)?,
            vetoes: serde_json::to_string(&held).map_err(AppError::internal)?,
        });
    }
    let ranks = rank::ranks(&rows.iter().map(|r| (r.vetoed, r.score)).collect::<Vec<_>>());
    for (row, r) in rows.iter_mut().zip(ranks) {
        row.rank = r;
    }
    let fingerprint = fingerprint(&scheme.id, &period, &rows)?;
    use assessment_run::Column as R;
    let newest = assessment_run::Entity::find()
        .filter(R::SchemeId.eq(scheme.id))
        .filter(R::Period.eq(period.key()))
        .order_by_desc(R::CreatedAt)
        .order_by_desc(R::Id)
        .one(txn)
        .await?;
    if let Some(same) = newest.filter(|r| r.fingerprint == fingerprint) {
        return Ok(same);
    }
    let run = Run {
        id: run_id,
        scheme_id: scheme.id,
        period: period.key(),
        as_of: day.date,
        fingerprint,
        status: RunStatus::Draft,
        created_by: by,
        created_at: now,
        published_by: None,
        published_at: None,
    };
    assessment_run::Entity::insert(run.clone().into_active_model()).exec_without_returning(txn).await?;
    for chunk in rows.chunks(100) {
        let models = chunk.iter().cloned().map(IntoActiveModel::into_active_model);
        assessment_result::Entity::insert_many(models).exec_without_returning(txn).await?;
    }
    let vetoed = rows.iter().filter(|r| r.vetoed).count();
    let changes = json!({ "run": { "after": { "id": run.id, "scheme": scheme.id, "version": scheme.version, "period": run.period,
        "units": rows.len(), "vetoed": vetoed, "fingerprint": run.fingerprint } } });
    audit::record(
        txn,
        actor,
        Change { action: "county.run_assessment", entity_type: "county", entity_id: "county".into(), changes },
    )
    .await?;
    Ok(run)
}

/// SHA-256 over the scheme, the period and every standing's frozen figures, in unit order.
fn fingerprint(scheme: &Uuid, period: &AssessPeriod, rows: &[Standing]) -> AppResult<String> {
    let mut hash = Sha256::new();
    hash.update(scheme.as_bytes());
    hash.update(period.key().as_bytes());
    for r in rows {
        let line =
            serde_json::to_string(&(r.unit_id, r.score, r.rank, r.vetoed, r.deduction_fen, &r.metrics, &r.vetoes))
                .map_err(AppError::internal)?;
        hash.update(line.as_bytes());
        hash.update(b"\n");
    }
    Ok(crate::service::text::hex(&hash.finalize()))
}

/// Publishes a run: every unit then sees its ranking. Publishing a published run returns it as it
/// is. ADMIN.
pub async fn publish(db: &DatabaseConnection, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> AppResult<Run> {
    actor.require_role(&[Role::Admin], "publish assessments")?;
    let txn = crate::db::begin_write(db).await?;
    let before = assessment_run::Entity::find_by_id(id)
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("assessment run"))?;
    if before.status == RunStatus::Published {
        return Ok(before);
    }
    let after = Run {
        status: RunStatus::Published,
        published_by: Some(actor.caller()?.id()),
        published_at: Some(now),
        ..before.clone()
    };
    crate::service::kit::save_audited(&txn, actor, "county.publish_assessment", "county", "county", &before, &after)
        .await?;
    txn.commit().await?;
    Ok(after)
}

/// One run as `reach` sees it: a draft is `NOT_FOUND` to anyone but the office and leaders.
pub async fn find_run(db: &impl ConnectionTrait, reach: Reach, id: Uuid) -> AppResult<Run> {
    assessment_run::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| reach.sees_drafts() || r.status == RunStatus::Published)
        .ok_or(AppError::NotFound("assessment run"))
}

/// The runs of `period` that `reach` sees, newest first, at most [`MAX_RUNS`].
pub async fn runs(db: &impl ConnectionTrait, reach: Reach, period: AssessPeriod) -> AppResult<Vec<Run>> {
    use assessment_run::Column as R;
    let mut q = assessment_run::Entity::find().filter(R::Period.eq(period.key()));
    if !reach.sees_drafts() {
        q = q.filter(R::Status.eq(RunStatus::Published));
    }
    Ok(q.order_by_desc(R::CreatedAt).order_by_desc(R::Id).limit(MAX_RUNS).all(db).await?)
}

/// The newest run of `period` of any status: the one a unit's scorecard comes from.
pub async fn latest_run(db: &impl ConnectionTrait, period: AssessPeriod) -> AppResult<Option<Run>> {
    use assessment_run::Column as R;
    Ok(assessment_run::Entity::find()
        .filter(R::Period.eq(period.key()))
        .order_by_desc(R::CreatedAt)
        .order_by_desc(R::Id)
        .one(db)
        .await?)
}

/// A unit's scorecard for `period`: the newest run and the unit's standing in it. A unit sees its
/// own at once (drafts too); another unit's is `FORBIDDEN` to it. No run yet is `NOT_FOUND`.
pub async fn scorecard(
    db: &impl ConnectionTrait,
    reach: Reach,
    unit_id: Uuid,
    period: AssessPeriod,
) -> AppResult<(Run, Standing)> {
    if !reach.sees_unit(unit_id) {
        return Err(AppError::Forbidden("a unit sees its own scorecard; leaders and the office every one".into()));
    }
    let run = latest_run(db, period).await?.ok_or(AppError::NotFound("assessment run"))?;
    let standing = assessment_result::Entity::find_by_id((run.id, unit_id))
        .one(db)
        .await?
        .ok_or(AppError::NotFound("scorecard"))?;
    Ok((run, standing))
}

/// Which standings of a run to list.
#[derive(Debug, Clone, Copy, Default)]
pub struct StandingFilter {
    /// Only vetoed (true) or only not vetoed (false) units.
    pub vetoed: Option<bool>,
}

fn standings_query(run: Uuid, f: StandingFilter) -> sea_orm::Select<assessment_result::Entity> {
    use assessment_result::Column as S;
    let mut q = assessment_result::Entity::find().filter(S::RunId.eq(run));
    if let Some(v) = f.vetoed {
        q = q.filter(S::Vetoed.eq(v));
    }
    q
}

/// A page of a visible run's standings, best first (by rank, then unit id).
pub async fn standings(
    db: &impl ConnectionTrait,
    run: &Run,
    f: StandingFilter,
    page: &PageRequest,
) -> AppResult<Page<Standing>> {
    use assessment_result::Column as S;
    let mut q = standings_query(run.id, f);
    if let Some(after) = &page.after {
        let bad = || AppError::bad_input("after", "not a cursor of this list");
        let (r, u) = after.split_once('|').ok_or_else(bad)?;
        let r: i32 = r.parse().map_err(|_| bad())?;
        let u: Uuid = u.parse().map_err(|_| bad())?;
        q = q.filter(
            sea_orm::Condition::any()
                .add(S::Rank.gt(r))
                .add(sea_orm::Condition::all().add(S::Rank.eq(r)).add(S::UnitId.gt(u))),
        );
    }
    let rows = q.order_by_asc(S::Rank).order_by_asc(S::UnitId).limit(page.fetch()).all(db).await?;
    Ok(Page::from_fetched(rows, page))
}

/// The cursor of a standing.
pub fn standing_cursor(s: &Standing) -> String {
    format!("{}|{}", s.rank, s.unit_id)
}

/// How many standings of `run` match.
pub async fn count_standings(db: &impl ConnectionTrait, run: Uuid, f: StandingFilter) -> AppResult<u64> {
    Ok(standings_query(run, f).count(db).await?)
}
