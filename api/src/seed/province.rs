//! A generated province, for the scale benchmark (`cargo bench --bench province`): the demo county
//! copied over many more responsible units until it holds the projects asked for, each copy with
//! the plans, schedules, milestones and reports of its original, and the demo's pattern of issues
//! grown to the count asked for. Written in multi-row inserts, not through the API.

use std::collections::HashMap;

use chrono::Utc;
use entity::unit::UnitKind;
use entity::{milestone, monthly_report, project, project_year_plan, schedule_plan, unit};
use sea_orm::{ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, PaginatorTrait};
use uuid::Uuid;

use super::demo::demo_id;
use super::projects::insert_chunked;
use crate::error::AppResult;

/// How big a province to make.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub units: usize,
    pub projects: usize,
    pub issues: usize,
}

/// Grows a seeded county into a province of `size`. Returns (units, projects, issues) after.
pub async fn grow(db: &DatabaseConnection, size: Size) -> AppResult<(usize, usize, usize)> {
    let now = Utc::now();
    let have_units = unit::Entity::find().count(db).await? as usize;
    let new_units: Vec<unit::Model> = (have_units..size.units)
        .map(|i| unit::Model {
            id: demo_id("unit", &format!("province-{i}")),
            name: format!("第{i}号责任单位"),
            kind: UnitKind::Department,
            has_funding_targets: false,
            head_user_id: None,
            created_at: now,
        })
        .collect();
    let mut owners: Vec<Uuid> = super::demo::responsible_units().iter().map(|name| demo_id("unit", name)).collect();
    owners.extend(new_units.iter().map(|u| u.id));

    let base = project::Entity::find().all(db).await?;
    let plans = grouped(project_year_plan::Entity::find().all(db).await?, |p| p.project_id);
    let schedules = grouped(schedule_plan::Entity::find().all(db).await?, |s| s.project_id);
    let milestones = grouped(milestone::Entity::find().all(db).await?, |m| m.schedule_plan_id);
    let reports = grouped(monthly_report::Entity::find().all(db).await?, |r| r.project_id);
    let mut rows = Copies::default();
    let wanted = size.projects.saturating_sub(base.len());
    for n in 0..wanted {
        let Some(original) = base.get(n % base.len().max(1)) else { break };
        let copy = n / base.len() + 1;
        let id = Uuid::now_v7();
        let owner = owners[n % owners.len()];
        rows.projects.push(project::Model {
            id,
            code: None,
            name: format!("{}（{copy}）", original.name),
            responsible_unit_id: owner,
            ..original.clone()
        });
        for plan in plans.get(&original.id).into_iter().flatten() {
            rows.plans.push(project_year_plan::Model { project_id: id, ..plan.clone() });
        }
        for schedule in schedules.get(&original.id).into_iter().flatten() {
            let plan_id = Uuid::now_v7();
            rows.schedules.push(schedule_plan::Model { id: plan_id, project_id: id, ..schedule.clone() });
            for m in milestones.get(&schedule.id).into_iter().flatten() {
                rows.milestones.push(milestone::Model {
                    id: Uuid::now_v7(),
                    schedule_plan_id: plan_id,
                    project_id: id,
                    ..m.clone()
                });
            }
        }
        for report in reports.get(&original.id).into_iter().flatten() {
            rows.reports.push(monthly_report::Model {
                id: Uuid::now_v7(),
                project_id: id,
                unit_id: owner,
                ..report.clone()
            });
        }
    }
    let txn = crate::db::begin_write(db).await?;
    insert_chunked(&txn, new_units.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(&txn, rows.projects.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(&txn, rows.plans.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(&txn, rows.schedules.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(&txn, rows.milestones.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    insert_chunked(&txn, rows.reports.into_iter().map(IntoActiveModel::into_active_model).collect()).await?;
    crate::service::lights::track_untracked(&txn).await?;
    txn.commit().await?;
    let have_issues = entity::issue::Entity::find().count(db).await? as usize;
    let issues = super::issues::add_generated(db, size.issues.saturating_sub(have_issues)).await?;
    // As after any bulk load: statistics for the planner, and (PostgreSQL) the visibility map that
    // lets index-only scans skip the tables; a county's own database gets them from autovacuum.
    let settle = match db.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "VACUUM ANALYZE",
        _ => "ANALYZE",
    };
    db.execute_unprepared(settle).await?;
    let units = unit::Entity::find().count(db).await? as usize;
    let projects = project::Entity::find().count(db).await? as usize;
    Ok((units, projects, issues))
}

#[derive(Default)]
struct Copies {
    projects: Vec<project::Model>,
    plans: Vec<project_year_plan::Model>,
    schedules: Vec<schedule_plan::Model>,
    milestones: Vec<milestone::Model>,
    reports: Vec<monthly_report::Model>,
}

fn grouped<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut out: HashMap<Uuid, Vec<T>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}
