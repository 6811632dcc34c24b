//! Figures drawn from other domains' own computations (funding's summary, the evaluations'
//! results) and the veto conditions a run finds in the data.

use std::collections::HashMap;

use entity::assessment_veto::VetoCondition;
use entity::issue::{IssueKind, Severity};
use entity::obstruction_case::ObstructionStatus;
use entity::{issue, obstruction_case, obstruction_step, project};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, Query};
use uuid::Uuid;

use super::measure::{MetricFigures, Window, bounds};
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::evaluation::{self, EvaluationStatus};
use crate::service::money::fen_to_wan;

/// A unit's funding in the year up to the period's end.
#[derive(Debug, Clone, Copy, Default)]
pub struct Funding {
    pub target_fen: i64,
    pub received_fen: i64,
    /// The year's target pro-rated to the months up to the period's end, fen.
    pub expected: f64,
    pub received: f64,
}

/// Verified money received by each unit with a target, credited by shares as funding's summary
/// credits it, against its targets of the year.
pub async fn funding(db: &impl ConnectionTrait, actor: &Actor, w: &Window) -> AppResult<HashMap<Uuid, Funding>> {
    let summary = crate::service::funding::summary(db, actor, w.period.year, Some(w.period.last_day())).await?;
    let share = f64::from(w.period.months().1) / 12.0;
    let mut out: HashMap<Uuid, Funding> = HashMap::new();
    for unit in summary.kinds.iter().filter(|k| k.kind.is_some()).flat_map(|k| &k.units) {
        let f = out.entry(unit.unit_id).or_default();
        f.target_fen += unit.target_fen;
        f.received_fen += unit.received_fen;
    }
    out.retain(|_, f| f.target_fen > 0);
    for f in out.values_mut() {
        f.expected = f.target_fen as f64 * share;
        f.received = f.received_fen as f64;
    }
    Ok(out)
}

/// Per scored department, the sum of its scaled means over the period's closed evaluations where
/// its result was significant, and the number of those evaluations.
pub async fn evaluation_score(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    let mut out = MetricFigures::new();
    for e in evaluation::evaluations(db, w.period.year).await? {
        let in_period = w.period.quarter.is_none_or(|q| i64::from(e.quarter) == i64::from(q));
        if !in_period || evaluation::status_of(&e, w.today) != EvaluationStatus::Closed {
            continue;
        }
        let criteria = evaluation::criteria_of(db, e.template_id).await?;
        for result in evaluation::results(db, e.id, None).await?.into_iter().filter(|r| r.significant) {
            let scaled: Vec<f64> = result
                .criteria
                .iter()
                .filter_map(|m| {
                    let c = criteria.iter().find(|c| c.key == m.key)?;
                    Some((m.mean? - c.min) / (c.max - c.min))
                })
                .collect();
            if scaled.is_empty() {
                continue;
            }
            let e = out.entry(result.unit_id).or_default();
            e.0 += scaled.iter().sum::<f64>() / scaled.len() as f64;
            e.1 += 1.0;
        }
    }
    Ok(out)
}

/// A veto condition found in the data.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub unit_id: Uuid,
    pub condition: VetoCondition,
    pub reason: String,
}

/// The automatic `conditions` that hold in the window.
pub async fn automatic(
    db: &impl ConnectionTrait,
    actor: &Actor,
    w: &Window,
    conditions: &[VetoCondition],
) -> AppResult<Vec<Found>> {
    let mut out = Vec::new();
    for condition in conditions {
        match condition {
            VetoCondition::TaskTargetMissed => out.extend(targets_missed(db, actor, w).await?),
            VetoCondition::SafetyIncident => out.extend(safety_incidents(db, w).await?),
            VetoCondition::ObstructionUpheld => out.extend(obstructions_upheld(db, w).await?),
            VetoCondition::Other => {}
        }
    }
    out.sort_by_key(|f| (f.unit_id, f.condition as u8));
    out.dedup_by_key(|f| (f.unit_id, f.condition as u8));
    Ok(out)
}

/// Once the year is over, units whose verified money received fell short of their year's targets.
async fn targets_missed(db: &impl ConnectionTrait, actor: &Actor, w: &Window) -> AppResult<Vec<Found>> {
    if !w.period.ends_year() || w.today <= w.period.last_day() {
        return Ok(Vec::new());
    }
    let mut out: Vec<Found> = funding(db, actor, w)
        .await?
        .into_iter()
        .filter(|(_, f)| f.received_fen < f.target_fen)
        .map(|(unit_id, f)| Found {
            unit_id,
            condition: VetoCondition::TaskTargetMissed,
            reason: format!(
                "received {}万元 of the year's funding target of {}万元",
                fen_to_wan(f.received_fen),
                fen_to_wan(f.target_fen)
            ),
        })
        .collect();
    out.sort_by_key(|f| f.unit_id);
    Ok(out)
}

/// Units answering for a project on which a HIGH safety hazard was raised in the period.
async fn safety_incidents(db: &impl ConnectionTrait, w: &Window) -> AppResult<Vec<Found>> {
    use issue::Column as I;
    use project::Column as P;
    let (start, end) = bounds(w);
    let q = Query::select()
        .column((project::Entity, P::ResponsibleUnitId))
        .column((issue::Entity, I::Number))
        .from(issue::Entity)
        .inner_join(project::Entity, Expr::col((project::Entity, P::Id)).equals((issue::Entity, I::ProjectId)))
        .and_where(Expr::col((issue::Entity, I::Kind)).eq(IssueKind::SafetyHazard))
        .and_where(Expr::col((issue::Entity, I::Severity)).eq(Severity::High))
        .and_where(Expr::col((issue::Entity, I::CreatedAt)).gte(start))
        .and_where(Expr::col((issue::Entity, I::CreatedAt)).lt(end))
        .order_by((issue::Entity, I::Number), sea_orm::Order::Asc)
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let number: String = row.try_get_by_index(1)?;
        out.push(Found {
            unit_id: row.try_get_by_index(0)?,
            condition: VetoCondition::SafetyIncident,
            reason: format!("serious safety hazard {number} on a project the unit answers for"),
        });
    }
    Ok(out)
}

/// Units an obstruction case named, handled as upheld in the period. The reason names no case:
/// the accused unit never sees one.
async fn obstructions_upheld(db: &impl ConnectionTrait, w: &Window) -> AppResult<Vec<Found>> {
    use obstruction_case::Column as C;
    use obstruction_step::Column as S;
    let (start, end) = bounds(w);
    let q = Query::select()
        .column((obstruction_case::Entity, C::AccusedUnitId))
        .from(obstruction_case::Entity)
        .inner_join(
            obstruction_step::Entity,
            Expr::col((obstruction_step::Entity, S::CaseId))
                .equals((obstruction_case::Entity, C::Id))
                .and(Expr::col((obstruction_step::Entity, S::Status)).eq(ObstructionStatus::Handled)),
        )
        .and_where(Expr::col((obstruction_case::Entity, C::Upheld)).eq(true))
        .and_where(Expr::col((obstruction_case::Entity, C::AccusedUnitId)).is_not_null())
        .and_where(Expr::col((obstruction_step::Entity, S::ActedAt)).gte(start))
        .and_where(Expr::col((obstruction_step::Entity, S::ActedAt)).lt(end))
        .to_owned();
    let mut out = Vec::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        out.push(Found {
            unit_id: row.try_get_by_index(0)?,
            condition: VetoCondition::ObstructionUpheld,
            reason: "an obstruction case against the unit was upheld in the period".into(),
        });
    }
    Ok(out)
}
