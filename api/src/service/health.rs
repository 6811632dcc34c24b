//! The red/yellow/green lights (红黄绿灯) and the rules behind them. Reasons are written for a
//! county leader, in Chinese.

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate, Utc};
use entity::office_setting;
use entity::project::{self, Light};
use rust_decimal::Decimal;
use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use uuid::Uuid;

use crate::clock::Day;

use super::money::{fen_to_wan, ratio_percent};
use super::report::{self, Period};
use super::{lights, schedule};
use crate::db::among;
use crate::error::AppResult;

/// A project's light and why.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Health {
    pub light: Light,
    pub reasons: Vec<String>,
    /// Share of this year's plan that should be done by today (序时进度), in percent.
    pub expected_percent: Option<Decimal>,
    /// Share of this year's plan reported done, in percent.
    pub completed_percent: Option<Decimal>,
    pub worst_slip_days: Option<i64>,
    /// The closed period whose report is missing, if one is.
    pub missing_report: Option<String>,
}

/// The lights of `project_ids` on `today`: the kept ones where current, the others computed from
/// their rows and kept (see [`super::lights`]).
pub async fn of(
    db: &(impl ConnectionTrait + TransactionTrait),
    project_ids: &[Uuid],
    day: Day,
) -> AppResult<HashMap<Uuid, Health>> {
    let today = day.date;
    let (kept, stale) = lights::read(db, project_ids, today).await?;
    let mut out = HashMap::with_capacity(project_ids.len());
    let mut again = HashMap::new();
    for (id, detail) in kept {
        match serde_json::from_str::<Health>(&detail) {
            Ok(health) => {
                out.insert(id, health);
            }
            // Kept by another release in another form: computed again.
            Err(_) => {
                again.insert(id, None);
            }
        }
    }
    let mut stale: HashMap<Uuid, Option<i64>> = stale.into_iter().map(|(id, v)| (id, Some(v))).collect();
    // Computed, not kept: the next write or day keeps them in this release's form.
    stale.extend(again);
    out.extend(recompute(db, stale, day).await?);
    Ok(out)
}

/// The lights alone of `project_ids` on `today`: the kept ones where current (reading only the light
/// column), the others computed from their rows and kept, as [`of`] does.
pub async fn lights_of(
    db: &(impl ConnectionTrait + TransactionTrait),
    project_ids: &[Uuid],
    day: Day,
) -> AppResult<HashMap<Uuid, Light>> {
    let (mut out, stale) = lights::read_lights(db, project_ids, day.date).await?;
    let computed = recompute(db, stale.into_iter().map(|(id, v)| (id, Some(v))).collect(), day).await?;
    out.extend(computed.into_iter().map(|(id, h)| (id, h.light)));
    Ok(out)
}

/// Makes every project's kept light current for `today`.
pub async fn refresh(db: &(impl ConnectionTrait + TransactionTrait), day: Day) -> AppResult<()> {
    let stale = lights::stale(db, day.date).await?;
    let many = stale.len() >= lights::SETTLE_AFTER;
    recompute(db, stale.into_iter().map(|(id, v)| (id, Some(v))).collect(), day).await?;
    if many {
        // A new day rewrote most rows: they are settled now, not at the next autovacuum, so the
        // reads that follow keep their plans. Upkeep, not the answer: a failure is logged.
        if let Err(e) = lights::settle(db).await {
            tracing::warn!(error = %e, "kept lights could not be settled");
        }
    }
    Ok(())
}

/// `filter` narrowed to the projects that show `light` on `today`, in SQL over the kept lights (made
/// current first).
pub async fn narrow_to_light(
    db: &(impl ConnectionTrait + TransactionTrait),
    mut filter: super::project::ProjectFilter,
    light: Light,
    day: Day,
) -> AppResult<super::project::ProjectFilter> {
    refresh(db, day).await?;
    filter.showing = Some((light, day.date));
    Ok(filter)
}

/// Computes the lights of `stale` (project → the version read before its inputs) and keeps them.
async fn recompute(
    db: &(impl ConnectionTrait + TransactionTrait),
    stale: HashMap<Uuid, Option<i64>>,
    day: Day,
) -> AppResult<HashMap<Uuid, Health>> {
    // In id order, so that readers keeping the same rows at once lock them in the same order.
    let mut ids: Vec<Uuid> = stale.keys().copied().collect();
    ids.sort_unstable();
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(lights::CHUNK) {
        let computed = compute_kept(db, chunk, day).await?;
        let mut keep = Vec::with_capacity(computed.len());
        for (id, Judged { health, figures, name }) in computed {
            if let Some(version) = stale.get(&id).copied().flatten() {
                let detail = serde_json::to_string(&health).map_err(crate::error::AppError::internal)?;
                keep.push(lights::Computed { project_id: id, version, light: health.light, figures, detail, name });
            }
            out.insert(id, health);
        }
        keep.sort_unstable_by_key(|c| c.project_id);
        // Keeping is a saving, not the answer: a reader that loses a race to keep still answers.
        if let Err(e) = lights::store(db, keep, day.date).await {
            tracing::warn!(error = %e, "computed lights could not be kept");
        }
    }
    Ok(out)
}

/// A light as computed from its project's rows, with what is kept beside it.
pub struct Judged {
    pub health: Health,
    /// The figures of today's year the dashboard sums.
    pub figures: lights::YearFigures,
    /// The project's name, which a light's projects are listed by.
    pub name: String,
}

/// Share of `year` elapsed at the end of `today`, in percent.
pub fn elapsed_percent(today: NaiveDate) -> Decimal {
    let days_in_year = if NaiveDate::from_ymd_opt(today.year(), 2, 29).is_some() { 366 } else { 365 };
    (Decimal::from(today.ordinal()) * Decimal::from(100) / Decimal::from(days_in_year)).round_dp(2)
}

/// Lights of many projects as of `today`, computed from their rows, batched: a fixed number of
/// queries whatever the count. Readers read the kept lights ([`of`]) instead; this is
/// what those are computed by.
pub async fn compute(db: &impl ConnectionTrait, project_ids: &[Uuid], day: Day) -> AppResult<HashMap<Uuid, Health>> {
    Ok(compute_kept(db, project_ids, day).await?.into_iter().map(|(id, c)| (id, c.health)).collect())
}

/// [`compute`], with the figures of today's year that are kept beside each light for the dashboard
/// to sum (see [`lights::YearFigures`]).
pub async fn compute_kept(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
    day: Day,
) -> AppResult<HashMap<Uuid, Judged>> {
    let (today, zone) = (day.date, day.zone);
    if project_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rules = super::settings::rules(db).await?;
    let year = today.year();
    let projects: Vec<(Uuid, chrono::DateTime<Utc>, project::ProjectStatus, String)> = project::Entity::find()
        .select_only()
        .column(project::Column::Id)
        .column(project::Column::CreatedAt)
        .column(project::Column::Status)
        .column(project::Column::Name)
        .filter(among(project::Column::Id, project_ids.iter().copied(), db.get_database_backend()))
        .into_tuple()
        .all(db)
        .await?;
    let plans = super::project::year_plans(db, project_ids, year).await?;
    let closed = report::last_closed_period(today, rules.report_due_day);
    let reported = report::reported_figures(db, project_ids, year, closed).await?;
    let milestones = schedule::current_milestones(db, project_ids).await?;
    let expected = elapsed_percent(today);
    let over = super::measured::over_reported(db, project_ids, closed, rules.evidence_gap_pp, zone).await?;
    // This year's periods whose due date has passed: a reporting project owes each one it existed in.
    let due: Vec<report::Period> = (1..=12)
        .map(|month| report::Period { year, month })
        .filter(|p| p.day_of_next_month(rules.report_due_day) < today)
        .collect();
    Ok(projects
        .iter()
        .map(|(id, created_at, status, name)| {
            let name = name.clone();
            let slip = milestones.get(id).and_then(|m| schedule::worst_slip(m, today));
            let plan = plans.get(id).copied().unwrap_or(0);
            let figures = reported.get(id).copied().unwrap_or_default();
            let reporting = report::reports_monthly(*status);
            let kept = lights::YearFigures {
                year,
                plan_fen: plan,
                done_fen: figures.year_fen,
                reports: figures.year_reports,
                on_time: figures.year_on_time,
                reports_due: if reporting {
                    due.iter().filter(|p| report::owes_report(*created_at, **p, zone)).count() as i64
                } else {
                    0
                },
                slip_days: slip,
            };
            if !reporting {
                return (*id, Judged { health: not_rated(*status), figures: kept, name });
            }
            let (done, has_closed) = (figures.year_fen, figures.has_period);
            let late_name = milestones
                .get(id)
                .and_then(|ms| ms.iter().max_by_key(|m| schedule::days_late(m, today)))
                .map(|m| m.name.clone());
            let owes = report::owes_report(*created_at, closed, zone) && !has_closed;
            let inputs = Inputs {
                rules: &rules,
                plan_fen: plan,
                done_fen: done,
                expected,
                slip,
                late_name,
                missing: owes.then_some(closed),
            };
            (*id, Judged { health: judge(&inputs), figures: kept, name })
        })
        .collect::<HashMap<Uuid, Judged>>())
    .map(|mut judged| {
        for (id, (claimed, seen)) in &over {
            if let Some(j) = judged.get_mut(id) {
                contradicted(&mut j.health, closed, *claimed, *seen);
            }
        }
        judged
    })
}

/// A report the field contradicts (上报进度与现场核查不符) is a warning: a GREEN light turns YELLOW.
fn contradicted(health: &mut Health, period: Period, claimed_bp: i32, seen_bp: i32) {
    let percent = |bp: i32| Decimal::new(i64::from(bp), 2).normalize();
    health.reasons.push(format!(
        "上报进度与现场核查不符：{}月报形象进度{}%，现场核查{}%",
        period.key(),
        percent(claimed_bp),
        percent(seen_bp)
    ));
    if health.light == Light::Green {
        health.light = Light::Yellow;
    }
}

/// The light of a project that is finished or suspended: not judged, and it says why.
fn not_rated(status: project::ProjectStatus) -> Health {
    let why = match status {
        project::ProjectStatus::Suspended => "项目停缓建，不要求月度汇报，不评定进度",
        _ => "项目已竣工或投产，不要求月度汇报，不评定进度",
    };
    Health {
        light: Light::Green,
        reasons: vec![why.to_owned()],
        expected_percent: None,
        completed_percent: None,
        worst_slip_days: None,
        missing_report: None,
    }
}

struct Inputs<'a> {
    rules: &'a office_setting::Model,
    plan_fen: i64,
    done_fen: i64,
    expected: Decimal,
    slip: Option<i64>,
    late_name: Option<String>,
    missing: Option<Period>,
}

fn judge(i: &Inputs<'_>) -> Health {
    let mut light = Light::Green;
    let mut reasons = Vec::new();
    let completed = ratio_percent(i.done_fen, i.plan_fen);
    if let Some(completed) = completed {
        let gap = i.expected - completed;
        let level = if gap > Decimal::from(i.rules.red_gap_pp) {
            Some(Light::Red)
        } else if gap > Decimal::from(i.rules.yellow_gap_pp) {
            Some(Light::Yellow)
        } else {
            None
        };
        if let Some(level) = level {
            light = light.max(level);
            reasons.push(format!(
                "本年完成投资{}万元，占年度计划{}%，落后序时进度（{}%）{}个百分点",
                fen_to_wan(i.done_fen),
                completed,
                i.expected,
                gap.round_dp(1).normalize()
            ));
        }
    }
    if let Some(slip) = i.slip.filter(|s| *s > 0) {
        let name = i.late_name.clone().unwrap_or_default();
        if slip > i64::from(i.rules.red_late_days) {
            light = light.max(Light::Red);
            reasons.push(format!("节点「{name}」滞后{slip}天，超过{}天的红灯界限", i.rules.red_late_days));
        } else {
            light = light.max(Light::Yellow);
            reasons.push(format!("节点「{name}」滞后{slip}天"));
        }
    }
    if let Some(period) = i.missing {
        light = light.max(Light::Yellow);
        reasons.push(format!("缺少{}年{}月的月度汇报", period.year, period.month));
    }
    Health {
        light,
        reasons,
        expected_percent: (i.plan_fen > 0).then_some(i.expected),
        completed_percent: completed,
        worst_slip_days: i.slip,
        missing_report: i.missing.map(|p| p.key()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> office_setting::Model {
        office_setting::Model {
            id: 1,
            yellow_gap_pp: 10,
            red_gap_pp: 20,
            red_late_days: 30,
            report_due_day: 5,
            report_lock_day: 10,
            issue_due_soon_days: 3,
            issue_leader_after_days: 7,
            issue_due_days_high: 7,
            issue_due_days_medium: 15,
            issue_due_days_low: 30,
            action_item_chair_after_days: 7,
            tracking_months_construction: 1,
            tracking_months_preliminary: 0,
            tracking_months_development: 0,
            evidence_gap_pp: 15,
            evidence_rise_pp: 5,
            evidence_photo_trust: 60,
            evidence_investment_wan: 500,
            updated_at: Utc::now(),
        }
    }

    fn inputs(r: &office_setting::Model, plan: i64, done: i64, slip: Option<i64>, missing: bool) -> Inputs<'_> {
        Inputs {
            rules: r,
            plan_fen: plan,
            done_fen: done,
            expected: Decimal::from(50),
            slip,
            late_name: Some("主体施工".into()),
            missing: missing.then_some(Period { year: 2026, month: 10 }),
        }
    }

    #[test]
    fn each_rule_sets_its_light_with_a_reason() {
        let r = rules();
        assert_eq!(judge(&inputs(&r, 100, 45, None, false)).light, Light::Green);
        let yellow = judge(&inputs(&r, 100, 35, None, false));
        assert_eq!(yellow.light, Light::Yellow);
        assert!(yellow.reasons[0].contains("落后序时进度"), "{:?}", yellow.reasons);
        assert_eq!(judge(&inputs(&r, 100, 25, None, false)).light, Light::Red);
        assert_eq!(judge(&inputs(&r, 100, 60, Some(3), false)).light, Light::Yellow);
        let late = judge(&inputs(&r, 100, 60, Some(31), false));
        assert_eq!(late.light, Light::Red);
        assert!(late.reasons[0].contains("主体施工"));
        let missing = judge(&inputs(&r, 100, 60, None, true));
        assert_eq!(missing.light, Light::Yellow);
        assert!(missing.reasons[0].contains("2026年10月"));
        assert_eq!(judge(&inputs(&r, 0, 0, None, false)).light, Light::Green, "no plan, no gap rule");
    }
}
