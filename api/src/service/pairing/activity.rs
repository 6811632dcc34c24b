//! Pairing activity (六包服务台账) for a month: each paired unit, how many projects it serves, how
//! many services it logged, and the projects it logged nothing for. A unit with no log at all in
//! the month is idle.

use std::collections::{BTreeMap, HashMap};

use chrono::FixedOffset;
use entity::{pairing_service, project_paired_unit};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::AppResult;
use crate::service::kit::Units;
use crate::service::period::{Period, period_end};

/// One paired unit's month.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitActivity {
    pub unit_id: Uuid,
    /// Projects it was paired with by the month's end.
    pub projects: u64,
    /// Services it logged in the month, on any project.
    pub services: u64,
    /// Its paired projects it logged nothing for in the month.
    pub idle_projects: Vec<Uuid>,
}

impl UnitActivity {
    /// Logged nothing in the month.
    pub fn idle(&self) -> bool {
        self.services == 0
    }
}

/// Every unit paired with a project by the end of `period` (a department caller: its own units),
/// idle ones first, then by fewest services. Two statements whatever the county's size.
pub async fn activity(
    db: &impl ConnectionTrait,
    scope: Option<Units>,
    period: Period,
    zone: FixedOffset,
) -> AppResult<Vec<UnitActivity>> {
    use pairing_service::Column as S;
    use project_paired_unit::Column as P;
    let end = period_end(period, zone);
    let mut pairings = project_paired_unit::Entity::find()
        .select_only()
        .column(P::UnitId)
        .column(P::ProjectId)
        .filter(Condition::any().add(P::PairedAt.is_null()).add(P::PairedAt.lt(end)));
    let mut logged = pairing_service::Entity::find()
        .select_only()
        .column(S::UnitId)
        .column(S::ProjectId)
        .column_as(Expr::col(S::Id).count(), "n")
        .filter(S::ServedOn.gte(period.first_day()))
        .filter(S::ServedOn.lte(period.last_day()))
        .group_by(S::UnitId)
        .group_by(S::ProjectId);
    if let Some(units) = scope {
        pairings = pairings.filter(P::UnitId.is_in(units.as_slice().iter().copied()));
        logged = logged.filter(S::UnitId.is_in(units.as_slice().iter().copied()));
    }
    let pairings: Vec<(Uuid, Uuid)> = pairings.into_tuple().all(db).await?;
    let logged: Vec<(Uuid, Uuid, i64)> = logged.into_tuple().all(db).await?;
    let mut by_pair: HashMap<(Uuid, Uuid), u64> = HashMap::new();
    let mut by_unit: HashMap<Uuid, u64> = HashMap::new();
    for (unit, project, n) in logged {
        let n = u64::try_from(n).unwrap_or(0);
        by_pair.insert((unit, project), n);
        *by_unit.entry(unit).or_default() += n;
    }
    let mut units: BTreeMap<Uuid, UnitActivity> = BTreeMap::new();
    for (unit, project) in pairings {
        let row = units.entry(unit).or_insert_with(|| UnitActivity {
            unit_id: unit,
            projects: 0,
            services: by_unit.get(&unit).copied().unwrap_or(0),
            idle_projects: Vec::new(),
        });
        row.projects += 1;
        if !by_pair.contains_key(&(unit, project)) {
            row.idle_projects.push(project);
        }
    }
    let mut rows: Vec<UnitActivity> = units.into_values().collect();
    for row in &mut rows {
        row.idle_projects.sort_unstable();
    }
    rows.sort_by_key(|r| (r.services, std::cmp::Reverse(r.projects), r.unit_id));
    Ok(rows)
}
