//! Backward schedules (工期倒排、进度倒逼): steps laid back from the deadline, slips in days.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use entity::{milestone, schedule_plan};
use sea_orm::sea_query::Query;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::Actor;
use super::audit::{self, Change};
use super::project;
use crate::db::among;
use crate::error::{AppError, AppResult};

const MAX_STEPS: usize = 50;

/// One step to lay out.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: String,
    pub duration_days: i32,
}

/// Days late: for a finished milestone, actual minus planned finish (negative when early); for an
/// open one, days past its planned finish as of `today` (0 while not yet due).
pub fn days_late(m: &milestone::Model, today: NaiveDate) -> i64 {
    match m.actual_finish {
        Some(actual) => (actual - m.planned_finish).num_days(),
        None => (today - m.planned_finish).num_days().max(0),
    }
}

/// The worst slip among `milestones`, if there are any.
pub fn worst_slip(milestones: &[milestone::Model], today: NaiveDate) -> Option<i64> {
    milestones.iter().map(|m| days_late(m, today)).max()
}

/// Lays `steps` backwards from `deadline`: the last step finishes on the deadline and each earlier
/// step finishes when the next one starts. Returns (planned start, planned finish) per step, in order.
pub fn lay_backwards(deadline: NaiveDate, steps: &[Step]) -> AppResult<Vec<(NaiveDate, NaiveDate)>> {
    let mut windows = Vec::with_capacity(steps.len());
    let mut finish = deadline;
    for step in steps.iter().rev() {
        let start = finish
            .checked_sub_signed(chrono::Duration::days(i64::from(step.duration_days)))
            .ok_or_else(|| AppError::bad_input("steps", "the schedule reaches too far into the past"))?;
        windows.push((start, finish));
        finish = start;
    }
    windows.reverse();
    Ok(windows)
}

fn validate(steps: &[Step]) -> AppResult<()> {
    if steps.is_empty() || steps.len() > MAX_STEPS {
        return Err(AppError::bad_input("steps", format!("a schedule has 1 to {MAX_STEPS} steps")));
    }
    for (i, s) in steps.iter().enumerate() {
        super::text::required(&format!("steps.{i}.name"), &s.name, 1, 100)?;
        if !(1..=3650).contains(&s.duration_days) {
            return Err(AppError::bad_input(format!("steps.{i}.durationDays"), "a step lasts 1 to 3650 days"));
        }
        if steps[..i].iter().any(|o| o.name.trim() == s.name.trim()) {
            return Err(AppError::bad_input(format!("steps.{i}.name"), "step names are unique within a schedule"));
        }
    }
    Ok(())
}

/// Plans (or replans) a project's schedule. The previous plan stays as history; steps whose names
/// match a finished step of the previous plan keep their actual finish.
pub async fn plan(
    db: &DatabaseConnection,
    actor: &Actor,
    project_id: Uuid,
    deadline: NaiveDate,
    steps: Vec<Step>,
) -> AppResult<(schedule_plan::Model, Vec<milestone::Model>)> {
    let project = project::find(db, project_id).await?;
    project::authorize_unit_work(actor, &project, "plan this project's schedule")?;
    validate(&steps)?;
    let windows = lay_backwards(deadline, &steps)?;
    let txn = crate::db::begin_write(db).await?;
    let previous = schedule_plan::Entity::find()
        .filter(schedule_plan::Column::ProjectId.eq(project_id))
        .filter(schedule_plan::Column::IsCurrent.eq(true))
        .one(&txn)
        .await?;
    let mut done: HashMap<String, NaiveDate> = HashMap::new();
    let mut version = 1;
    if let Some(prev) = &previous {
        version = prev.version + 1;
        for m in milestone::Entity::find().filter(milestone::Column::SchedulePlanId.eq(prev.id)).all(&txn).await? {
            if let Some(actual) = m.actual_finish {
                done.insert(m.name, actual);
            }
        }
        let mut retired = prev.clone().into_active_model();
        retired.is_current = Set(false);
        retired.update(&txn).await?;
    }
    let plan = schedule_plan::Model {
        id: Uuid::now_v7(),
        project_id,
        version,
        deadline,
        is_current: true,
        created_by: actor.user_id(),
        created_at: Utc::now(),
    };
    schedule_plan::Entity::insert(plan.clone().into_active_model()).exec_without_returning(&txn).await?;
    let milestones: Vec<milestone::Model> = steps
        .iter()
        .zip(windows)
        .enumerate()
        .map(|(i, (step, (start, finish)))| milestone::Model {
            id: Uuid::now_v7(),
            schedule_plan_id: plan.id,
            project_id,
            position: i as i32,
            name: step.name.trim().to_owned(),
            duration_days: step.duration_days,
            planned_start: start,
            planned_finish: finish,
            actual_finish: done.get(step.name.trim()).copied(),
        })
        .collect();
    milestone::Entity::insert_many(milestones.iter().cloned().map(IntoActiveModel::into_active_model))
        .exec_without_returning(&txn)
        .await?;
    crate::service::lights::touch(&txn, &[project_id]).await?;
    let changes = json!({
        "version": { "before": previous.as_ref().map(|p| p.version), "after": version },
        "deadline": { "before": previous.as_ref().map(|p| p.deadline), "after": deadline },
        "steps": { "after": milestones.iter().map(|m| json!({ "name": m.name, "durationDays": m.duration_days, "plannedFinish": m.planned_finish })).collect::<Vec<_>>() },
    });
    audit::record(
        &txn,
        actor,
        Change { action: "schedule.plan", entity_type: "project", entity_id: project_id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok((plan, milestones))
}

/// Records a milestone's actual finish. Only milestones of the current plan can be completed.
pub async fn complete(
    db: &DatabaseConnection,
    actor: &Actor,
    milestone_id: Uuid,
    actual_finish: NaiveDate,
    today: NaiveDate,
) -> AppResult<milestone::Model> {
    let before = milestone::Entity::find_by_id(milestone_id).one(db).await?.ok_or(AppError::NotFound("milestone"))?;
    let project = project::find(db, before.project_id).await?;
    project::authorize_unit_work(actor, &project, "complete this project's milestones")?;
    if actual_finish > today {
        return Err(AppError::bad_input("actualFinish", "a milestone cannot finish in the future"));
    }
    let txn = crate::db::begin_write(db).await?;
    let plan = schedule_plan::Entity::find_by_id(before.schedule_plan_id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound("schedule"))?;
    if !plan.is_current {
        return Err(AppError::Conflict("this milestone belongs to a schedule that has been replanned".into()));
    }
    let mut active = before.clone().into_active_model();
    active.actual_finish = Set(Some(actual_finish));
    let after = active.update(&txn).await?;
    crate::service::lights::touch(&txn, &[after.project_id]).await?;
    let changes = audit::diff(Some(&before), Some(&after))?;
    audit::record(
        &txn,
        actor,
        Change { action: "milestone.complete", entity_type: "milestone", entity_id: milestone_id.to_string(), changes },
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Milestones of the current plans of many projects: project id → milestones in order.
pub async fn current_milestones(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<milestone::Model>>> {
    let current_plans = Query::select()
        .column(schedule_plan::Column::Id)
        .from(schedule_plan::Entity)
        .and_where(schedule_plan::Column::IsCurrent.eq(true))
        .and_where(among(schedule_plan::Column::ProjectId, project_ids.iter().copied(), db.get_database_backend()))
        .to_owned();
    let rows = milestone::Entity::find()
        .filter(milestone::Column::SchedulePlanId.in_subquery(current_plans))
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?;
    Ok(super::grouped(rows.into_iter().map(|m| (m.project_id, m))))
}

/// Every plan of many projects, newest first, each with its milestones.
pub async fn histories(
    db: &impl ConnectionTrait,
    project_ids: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<(schedule_plan::Model, Vec<milestone::Model>)>>> {
    let plans = schedule_plan::Entity::find()
        .filter(among(schedule_plan::Column::ProjectId, project_ids.iter().copied(), db.get_database_backend()))
        .order_by_desc(schedule_plan::Column::Version)
        .all(db)
        .await?;
    let mut by_plan: HashMap<Uuid, Vec<milestone::Model>> = HashMap::new();
    for m in milestone::Entity::find()
        .filter(among(milestone::Column::ProjectId, project_ids.iter().copied(), db.get_database_backend()))
        .order_by_asc(milestone::Column::Position)
        .all(db)
        .await?
    {
        by_plan.entry(m.schedule_plan_id).or_default().push(m);
    }
    let mut out: HashMap<Uuid, Vec<_>> = HashMap::new();
    for p in plans {
        let ms = by_plan.remove(&p.id).unwrap_or_default();
        out.entry(p.project_id).or_default().push((p, ms));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn steps_are_laid_back_from_the_deadline() -> AppResult<()> {
        let steps = vec![
            Step { name: "立项".into(), duration_days: 30 },
            Step { name: "施工".into(), duration_days: 200 },
            Step { name: "验收".into(), duration_days: 15 },
        ];
        let w = lay_backwards(d("2026-12-31"), &steps)?;
        assert_eq!(w[2], (d("2026-12-16"), d("2026-12-31")));
        assert_eq!(w[1].1, w[2].0, "each step finishes when the next starts");
        assert_eq!(w[0].1, w[1].0);
        assert_eq!(w[1].0, d("2026-05-30"));
        assert_eq!(w[0].0, d("2026-04-30"));
        Ok(())
    }

    #[test]
    fn lateness_counts_from_planned_finish() {
        let m = milestone::Model {
            id: Uuid::nil(),
            schedule_plan_id: Uuid::nil(),
            project_id: Uuid::nil(),
            position: 0,
            name: "x".into(),
            duration_days: 10,
            planned_start: d("2026-01-01"),
            planned_finish: d("2026-01-11"),
            actual_finish: None,
        };
        assert_eq!(days_late(&m, d("2026-01-05")), 0);
        assert_eq!(days_late(&m, d("2026-01-20")), 9);
        let done = milestone::Model { actual_finish: Some(d("2026-01-08")), ..m };
        assert_eq!(days_late(&done, d("2026-03-01")), -3);
    }
}
