//! Monthly reports (每月汇报): one per project per period, replaced (with history) until the period
//! locks; missing reports are a fact the system shows.

mod missing;
mod nested;
mod recent;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::user::Role;
use entity::{monthly_report, project, reporting_period};
use rust_decimal::Decimal;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QuerySelect, Select,
};
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::money::{percent_to_bp, wan_to_fen};
use super::project as projects;
use crate::db::among;
use crate::error::{AppError, AppResult};

pub use super::period::{Period, last_closed_period, owes_report, period_end, reporting_statuses, reports_monthly};
pub use missing::{count_missing, missing, missing_ids};
pub use nested::Newest;
pub use recent::{ReportColumns, recent_reports};

/// What [`submit`] needs.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub project_id: Uuid,
    pub period: String,
    pub investment_this_month: Decimal,
    pub progress_percent: Decimal,
    pub narrative: String,
    pub problems: Option<String>,
}

async fn is_locked(db: &impl ConnectionTrait, period: Period, today: NaiveDate, lock_day: i32) -> AppResult<bool> {
    if today > period.day_of_next_month(lock_day) {
        return Ok(true);
    }
    Ok(reporting_period::Entity::find_by_id(period.key()).one(db).await?.is_some())
}

/// Submits (or, before the period locks, replaces) a project's report for a period. The responsible
/// unit or ADMIN. The replaced version stays as history.
pub async fn submit(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewReport,
    clock: &crate::clock::Clock,
) -> AppResult<monthly_report::Model> {
    let caller = actor.caller()?.clone();
    let project = projects::find(db, input.project_id).await?;
    projects::authorize_unit_work(actor, &project, "report on this project")?;
    let period = Period::parse("period", &input.period)?;
    let (now, today) = (clock.now(), clock.today());
    if period > Period::of(today) {
        return Err(AppError::bad_input("period", "a report cannot be for a future month"));
    }
    let investment_fen = wan_to_fen("investmentThisMonth", input.investment_this_month)?;
    let progress_bp = percent_to_bp("progressPercent", input.progress_percent)?;
    let narrative = super::text::required("narrative", &input.narrative, 1, 5000)?;
    let problems = super::text::optional("problems", input.problems.as_deref(), 5000)?;
    let rules = super::settings::rules(db).await?;
    let txn = crate::db::begin_write(db).await?;
    if is_locked(&txn, period, today, rules.report_lock_day).await? {
        return Err(AppError::Conflict(format!("reporting for {} is locked", period.key())));
    }
    let previous = monthly_report::Entity::find()
        .filter(monthly_report::Column::ProjectId.eq(project.id))
        .filter(monthly_report::Column::Period.eq(period.key()))
        .filter(monthly_report::Column::IsCurrent.eq(true))
        .one(&txn)
        .await?;
    let on_time = match &previous {
        Some(p) => p.on_time,
        None => today <= period.day_of_next_month(rules.report_due_day),
    };
    if let Some(p) = &previous {
        let mut retired = p.clone().into_active_model();
        retired.is_current = Set(false);
        retired.update(&txn).await?;
    }
    let report = monthly_report::Model {
        id: Uuid::now_v7(),
        project_id: project.id,
        period: period.key(),
        version: previous.as_ref().map_or(1, |p| p.version + 1),
        is_current: true,
        investment_fen,
        progress_bp,
        narrative,
        problems,
        unit_id: project.responsible_unit_id,
        submitted_by: caller.id(),
        submitted_at: now,
        on_time,
    };
    monthly_report::Entity::insert(report.clone().into_active_model()).exec_without_returning(&txn).await?;
    crate::service::lights::touch(&txn, &[project.id]).await?;
    // The project's progress follows its newest period.
    let newer = monthly_report::Entity::find()
        .filter(monthly_report::Column::ProjectId.eq(project.id))
        .filter(monthly_report::Column::IsCurrent.eq(true))
        .filter(monthly_report::Column::Period.gt(period.key()))
        .count(&txn)
        .await?;
    if newer == 0 && project.progress_bp != progress_bp {
        project::Entity::update_many()
            .col_expr(project::Column::ProgressBp, Expr::value(progress_bp))
            .filter(project::Column::Id.eq(project.id))
            .exec(&txn)
            .await?;
    }
    let changes = audit::diff(previous.as_ref(), Some(&report))?;
    audit::record(
        &txn,
        actor,
        Change { action: "report.submit", entity_type: "monthly_report", entity_id: report.id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(report)
}

/// Locks a period before its automatic deadline. ADMIN only; locking twice changes nothing.
pub async fn lock(db: &DatabaseConnection, actor: &Actor, raw_period: &str) -> AppResult<(String, DateTime<Utc>)> {
    actor.require_role(&[Role::Admin], "lock reporting periods")?;
    let period = Period::parse("period", raw_period)?;
    let txn = crate::db::begin_write(db).await?;
    if let Some(existing) = reporting_period::Entity::find_by_id(period.key()).one(&txn).await? {
        return Ok((existing.period, existing.locked_at));
    }
    let row = reporting_period::Model { period: period.key(), locked_by: actor.user_id(), locked_at: Utc::now() };
    reporting_period::Entity::insert(row.clone().into_active_model()).exec_without_returning(&txn).await?;
    audit::record(
        &txn,
        actor,
        Change {
            action: "period.lock",
            entity_type: "reporting_period",
            entity_id: row.period.clone(),
            changes: audit::diff(None, Some(&row))?,
        },
    )
    .await?;
    txn.commit().await?;
    Ok((row.period, row.locked_at))
}

/// Whether a period is locked now, and until when it is open.
pub async fn period_state(
    db: &impl ConnectionTrait,
    raw_period: &str,
    today: NaiveDate,
) -> AppResult<(Period, bool, NaiveDate, NaiveDate)> {
    let period = Period::parse("period", raw_period)?;
    let rules = super::settings::rules(db).await?;
    let locked = is_locked(db, period, today, rules.report_lock_day).await?;
    Ok((
        period,
        locked,
        period.day_of_next_month(rules.report_due_day),
        period.day_of_next_month(rules.report_lock_day),
    ))
}

fn current_in(project_ids: &[Uuid], backend: sea_orm::DbBackend) -> Select<monthly_report::Entity> {
    monthly_report::Entity::find().filter(monthly_report::Column::IsCurrent.eq(true)).filter(among(
        monthly_report::Column::ProjectId,
        project_ids.iter().copied(),
        backend,
    ))
}

/// What a project's current reports add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    /// Investment reported for the year's periods, fen.
    pub year_fen: i64,
    /// Investment reported for all periods, fen.
    pub total_fen: i64,
    /// Whether the period asked about has a report.
    pub has_period: bool,
    /// Reports for the year's periods, and of them those submitted on time.
    pub year_reports: i64,
    pub year_on_time: i64,
}

/// Reported figures of many projects for `year` and `period`, summed in SQL.
pub async fn reported_figures(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    year: i32,
    period: Period,
) -> AppResult<HashMap<Uuid, Figures>> {
    use monthly_report::Column as C;
    use sea_orm::sea_query::{Alias, Func};
    let bigint = || Alias::new("BIGINT");
    let of_year = || C::Period.like(format!("{year:04}-%"));
    let in_year = Expr::case(of_year(), Expr::col(C::InvestmentFen)).finally(0);
    let in_period = Expr::case(C::Period.eq(period.key()), 1).finally(0);
    let reports = Expr::case(of_year(), 1).finally(0);
    let on_time = Expr::case(of_year().and(C::OnTime.eq(true)), 1).finally(0);
    let rows: Vec<(Uuid, i64, i64, i64, i64, i64)> = current_in(project_ids, db.get_database_backend())
        .select_only()
        .column(C::ProjectId)
        .expr(Expr::expr(Func::sum(in_year)).cast_as(bigint()))
        .expr(Expr::expr(Func::sum(Expr::col(C::InvestmentFen))).cast_as(bigint()))
        .expr(Expr::expr(Func::sum(in_period)).cast_as(bigint()))
        .expr(Expr::expr(Func::sum(reports)).cast_as(bigint()))
        .expr(Expr::expr(Func::sum(on_time)).cast_as(bigint()))
        .group_by(C::ProjectId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, year_fen, total_fen, in_period, year_reports, year_on_time)| {
            (id, Figures { year_fen, total_fen, has_period: in_period > 0, year_reports, year_on_time })
        })
        .collect())
}

/// Investment reported by many projects: (this `year`, all time), in fen.
pub async fn reported_investment(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    year: i32,
) -> AppResult<HashMap<Uuid, (i64, i64)>> {
    let never = Period { year: 1900, month: 1 };
    let figures = reported_figures(db, project_ids, year, never).await?;
    Ok(figures.into_iter().map(|(id, f)| (id, (f.year_fen, f.total_fen))).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn periods_parse_strictly() {
        assert!(Period::parse("p", "2026-10").is_ok());
        for bad in ["2026-13", "2026-1", "26-10", "2026/10", "", "2026-00"] {
            assert!(Period::parse("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_last_closed_period_waits_for_its_due_day() {
        assert_eq!(last_closed_period(d("2026-11-26"), 5).key(), "2026-10");
        assert_eq!(last_closed_period(d("2026-11-05"), 5).key(), "2026-09");
        assert_eq!(last_closed_period(d("2026-11-06"), 5).key(), "2026-10");
        assert_eq!(last_closed_period(d("2026-01-20"), 5).key(), "2025-12");
    }
}
