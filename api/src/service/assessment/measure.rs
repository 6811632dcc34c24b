//! Each metric's figures for every unit, from the rows the API holds: a numerator and a
//! denominator per unit (so every value shows its inputs), one or a few grouped statements a metric.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use entity::{
    action_item, issue, milestone, monthly_report, pairing_service, project, project_paired_unit, project_year_plan,
    schedule_plan,
};
use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Alias, Expr, Func, Query, SelectStatement, SimpleExpr};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::AssessPeriod;
use super::scheme::AssessmentMetric;
use crate::clock::midnight;
use crate::error::AppResult;
use crate::service::Actor;
use crate::service::period::{Period, period_end, reporting_statuses};

/// One metric's inputs for one unit: the value is `numerator / denominator`, at most 1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub metric: AssessmentMetric,
    pub numerator: f64,
    pub denominator: f64,
}

impl Figure {
    /// The share from 0 to 1; none when nothing was due (the metric does not apply to the unit).
    pub fn value(&self) -> Option<f64> {
        (self.denominator > 0.0).then(|| (self.numerator / self.denominator).clamp(0.0, 1.0))
    }
}

/// Per unit, (numerator, denominator) of one metric.
pub type MetricFigures = HashMap<Uuid, (f64, f64)>;

/// What the figures are taken over.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub period: AssessPeriod,
    /// The run's day: only what fell due before it counts.
    pub today: NaiveDate,
    pub zone: FixedOffset,
    pub report_due_day: i32,
}

impl Window {
    fn months(&self) -> impl Iterator<Item = Period> + '_ {
        let (first, last) = self.period.months();
        (first..=last).map(|month| Period { year: self.period.year, month })
    }

    fn start(&self) -> DateTime<Utc> {
        midnight(self.period.first_day(), self.zone)
    }

    fn end(&self) -> DateTime<Utc> {
        midnight(self.period.last_day() + chrono::Duration::days(1), self.zone)
    }
}

fn count_all() -> SimpleExpr {
    Expr::cust("COUNT(*)")
}

fn count_when(cond: SimpleExpr) -> SimpleExpr {
    Expr::expr(Func::sum(Expr::case(cond, 1).finally(0))).cast_as(Alias::new("BIGINT"))
}

/// Runs `q`, whose columns are a unit, a count and a count of those that met the mark, adding to `out`.
async fn add_counts(db: &impl ConnectionTrait, q: &SelectStatement, out: &mut MetricFigures) -> AppResult<()> {
    for row in db.query_all(db.get_database_backend().build(q)).await? {
        let unit: Uuid = row.try_get_by_index(0)?;
        let all: i64 = row.try_get_by_index(1)?;
        let met: Option<i64> = row.try_get_by_index(2)?;
        let e = out.entry(unit).or_default();
        e.0 += met.unwrap_or(0) as f64;
        e.1 += all as f64;
    }
    Ok(())
}

/// The figures of `metric` for every unit it applies to.
pub async fn measure(
    db: &impl ConnectionTrait,
    actor: &Actor,
    metric: AssessmentMetric,
    w: &Window,
) -> AppResult<MetricFigures> {
    use AssessmentMetric as M;
    match metric {
        M::ReportsOnTime => reports_on_time(db, w).await,
        M::IssuesClosedByDeadline => issues_by_deadline(db, w).await,
        M::ActionItemsOnTime => action_items_on_time(db, w).await,
        M::InvestmentAgainstPlan => investment_against_plan(db, w).await,
        M::MilestonesOnTime => milestones_on_time(db, w).await,
        M::FundingAgainstTarget => Ok(super::sources::funding(db, actor, w)
            .await?
            .into_iter()
            .map(|(u, f)| (u, (f.received, f.expected)))
            .collect()),
        M::EvaluationScore => super::sources::evaluation_score(db, w).await,
        M::PairingService => pairing_service(db, w).await,
    }
}

/// Per month due before the run: the projects of each responsible unit that owed the month's
/// report, and those whose report came by the due day.
async fn reports_on_time(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use monthly_report::Column as R;
    use project::Column as P;
    let mut out = MetricFigures::new();
    for month in w.months().filter(|m| m.day_of_next_month(w.report_due_day) < w.today) {
        let joined = Expr::col((monthly_report::Entity, R::ProjectId))
            .equals((project::Entity, P::Id))
            .and(Expr::col((monthly_report::Entity, R::IsCurrent)).eq(true))
            .and(Expr::col((monthly_report::Entity, R::Period)).eq(month.key()));
        let q = Query::select()
            .column((project::Entity, P::ResponsibleUnitId))
            .expr(count_all())
            .expr(count_when(Expr::col((monthly_report::Entity, R::OnTime)).eq(true)))
            .from(project::Entity)
            .left_join(monthly_report::Entity, joined)
            .and_where(Expr::col((project::Entity, P::CreatedAt)).lt(period_end(month, w.zone)))
            .and_where(Expr::col((project::Entity, P::Status)).is_in(reporting_statuses()))
            .group_by_col((project::Entity, P::ResponsibleUnitId))
            .to_owned();
        add_counts(db, &q, &mut out).await?;
    }
    Ok(out)
}

/// Issues assigned with a due date in the period before the run, and those closed by the end of it.
async fn issues_by_deadline(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use issue::Column as I;
    let last = w.period.last_day().min(w.today.pred_opt().unwrap_or(w.today));
    let q = Query::select()
        .columns([I::AssignedUnitId, I::DueDate, I::ClosedAt])
        .from(issue::Entity)
        .and_where(Expr::col(I::AssignedUnitId).is_not_null())
        .and_where(Expr::col(I::DueDate).gte(w.period.first_day()))
        .and_where(Expr::col(I::DueDate).lte(last))
        .to_owned();
    let mut out = MetricFigures::new();
    for row in db.query_all(db.get_database_backend().build(&q)).await? {
        let unit: Uuid = row.try_get_by_index(0)?;
        let due: NaiveDate = row.try_get_by_index(1)?;
        let closed: Option<DateTime<Utc>> = row.try_get_by_index(2)?;
        let by = midnight(due + chrono::Duration::days(1), w.zone);
        let e = out.entry(unit).or_default();
        e.0 += f64::from(u8::from(closed.is_some_and(|c| c < by)));
        e.1 += 1.0;
    }
    Ok(out)
}

/// Action items owned with a deadline in the period before the run, and those done by it.
async fn action_items_on_time(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use action_item::Column as A;
    let last = w.period.last_day().min(w.today.pred_opt().unwrap_or(w.today));
    let done = Expr::col(A::DoneOn).is_not_null().and(Expr::col(A::DoneOn).lte(Expr::col(A::Deadline)));
    let q = Query::select()
        .column(A::OwnerUnitId)
        .expr(count_all())
        .expr(count_when(done))
        .from(action_item::Entity)
        .and_where(Expr::col(A::Deadline).gte(w.period.first_day()))
        .and_where(Expr::col(A::Deadline).lte(last))
        .group_by_col(A::OwnerUnitId)
        .to_owned();
    let mut out = MetricFigures::new();
    add_counts(db, &q, &mut out).await?;
    Ok(out)
}

/// Investment reported for the period's months against the year's plan pro-rated to the period.
async fn investment_against_plan(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use monthly_report::Column as R;
    use project::Column as P;
    use project_year_plan::Column as Y;
    let unit = (project::Entity, P::ResponsibleUnitId);
    let plans = Query::select()
        .column(unit)
        .expr(
            Expr::expr(Func::sum(Expr::col((project_year_plan::Entity, Y::PlannedFen)))).cast_as(Alias::new("BIGINT")),
        )
        .from(project_year_plan::Entity)
        .inner_join(
            project::Entity,
            Expr::col((project::Entity, P::Id)).equals((project_year_plan::Entity, Y::ProjectId)),
        )
        .and_where(Expr::col((project_year_plan::Entity, Y::Year)).eq(w.period.year))
        .group_by_col(unit)
        .to_owned();
    let months: Vec<String> = w.months().map(|m| m.key()).collect();
    let done = Query::select()
        .column(unit)
        .expr(
            Expr::expr(Func::sum(Expr::col((monthly_report::Entity, R::InvestmentFen)))).cast_as(Alias::new("BIGINT")),
        )
        .from(monthly_report::Entity)
        .inner_join(project::Entity, Expr::col((project::Entity, P::Id)).equals((monthly_report::Entity, R::ProjectId)))
        .and_where(Expr::col((monthly_report::Entity, R::IsCurrent)).eq(true))
        .and_where(Expr::col((monthly_report::Entity, R::Period)).is_in(months.clone()))
        .group_by_col(unit)
        .to_owned();
    let share = months.len() as f64 / 12.0;
    let backend = db.get_database_backend();
    let mut out = MetricFigures::new();
    for row in db.query_all(backend.build(&plans)).await? {
        let planned: Option<i64> = row.try_get_by_index(1)?;
        if let Some(planned) = planned.filter(|p| *p > 0) {
            out.insert(row.try_get_by_index(0)?, (0.0, planned as f64 * share));
        }
    }
    for row in db.query_all(backend.build(&done)).await? {
        let unit: Uuid = row.try_get_by_index(0)?;
        let fen: Option<i64> = row.try_get_by_index(1)?;
        if let Some(e) = out.get_mut(&unit) {
            e.0 = fen.unwrap_or(0) as f64;
        }
    }
    Ok(out)
}

/// Milestones of current schedules due in the period before the run, and those finished by their day.
async fn milestones_on_time(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use milestone::Column as M;
    use project::Column as P;
    use schedule_plan::Column as S;
    let last = w.period.last_day().min(w.today.pred_opt().unwrap_or(w.today));
    let finished = Expr::col((milestone::Entity, M::ActualFinish))
        .is_not_null()
        .and(Expr::col((milestone::Entity, M::ActualFinish)).lte(Expr::col((milestone::Entity, M::PlannedFinish))));
    let q = Query::select()
        .column((project::Entity, P::ResponsibleUnitId))
        .expr(count_all())
        .expr(count_when(finished))
        .from(milestone::Entity)
        .inner_join(
            schedule_plan::Entity,
            Expr::col((schedule_plan::Entity, S::Id))
                .equals((milestone::Entity, M::SchedulePlanId))
                .and(Expr::col((schedule_plan::Entity, S::IsCurrent)).eq(true)),
        )
        .inner_join(project::Entity, Expr::col((project::Entity, P::Id)).equals((milestone::Entity, M::ProjectId)))
        .and_where(Expr::col((milestone::Entity, M::PlannedFinish)).gte(w.period.first_day()))
        .and_where(Expr::col((milestone::Entity, M::PlannedFinish)).lte(last))
        .group_by_col((project::Entity, P::ResponsibleUnitId))
        .to_owned();
    let mut out = MetricFigures::new();
    add_counts(db, &q, &mut out).await?;
    Ok(out)
}

/// Per month ended before the run: the projects each unit was paired with by the month's end, and
/// those it logged a service for in the month.
async fn pairing_service(db: &impl ConnectionTrait, w: &Window) -> AppResult<MetricFigures> {
    use pairing_service::Column as S;
    use project_paired_unit::Column as U;
    let mut out = MetricFigures::new();
    for month in w.months().filter(|m| m.last_day() < w.today) {
        let served = Query::select()
            .expr(Expr::val(1))
            .from(pairing_service::Entity)
            .and_where(Expr::col((pairing_service::Entity, S::UnitId)).equals((project_paired_unit::Entity, U::UnitId)))
            .and_where(
                Expr::col((pairing_service::Entity, S::ProjectId)).equals((project_paired_unit::Entity, U::ProjectId)),
            )
            .and_where(Expr::col((pairing_service::Entity, S::ServedOn)).gte(month.first_day()))
            .and_where(Expr::col((pairing_service::Entity, S::ServedOn)).lte(month.last_day()))
            .to_owned();
        let paired_by = Expr::col((project_paired_unit::Entity, U::PairedAt)).is_null().or(Expr::col((
            project_paired_unit::Entity,
            U::PairedAt,
        ))
        .lt(period_end(month, w.zone)));
        let q = Query::select()
            .column((project_paired_unit::Entity, U::UnitId))
            .expr(count_all())
            .expr(count_when(Expr::exists(served)))
            .from(project_paired_unit::Entity)
            .and_where(paired_by)
            .group_by_col((project_paired_unit::Entity, U::UnitId))
            .to_owned();
        add_counts(db, &q, &mut out).await?;
    }
    Ok(out)
}

/// The window's instants, for the automatic vetoes.
pub(super) fn bounds(w: &Window) -> (DateTime<Utc>, DateTime<Utc>) {
    (w.start(), w.end())
}
