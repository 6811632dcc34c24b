//! The surprise push (突击督导): projects drawn from those showing YELLOW or RED, weighted by how far
//! behind they are, from a stored seed, so that anyone with the right to audit re-runs the draw and
//! gets the same list.

use chrono::{DateTime, NaiveDate, Utc};
use entity::inspection::InspectionKind;
use entity::project::Light;
use entity::project_light;
use entity::supervision_task::{Model as Task, TaskOrigin};
use entity::user::Role;
use rust_decimal::prelude::ToPrimitive;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::clock::Day;
use crate::service::text;

/// The most projects one draw takes.
pub const MAX_DRAW: usize = 50;
/// The heaviest weight a project can have.
const MAX_WEIGHT: u64 = 100;

/// What [`draw`] needs.
#[derive(Debug, Clone)]
pub struct NewDraw {
    /// Chosen by the client, so a retry does not draw twice.
    pub id: Option<Uuid>,
    pub title: Option<String>,
    pub size: i32,
    pub window_from: NaiveDate,
    pub window_to: NaiveDate,
    pub inspector_ids: Vec<Uuid>,
    /// The seed; a random one when omitted (stored either way).
    pub seed: Option<i64>,
}

/// A project the draw chose from, and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Candidate {
    pub project_id: Uuid,
    /// 1 plus the weeks its worst milestone slipped plus the percentage points its investment is
    /// behind the year's pace, at most 100.
    pub weight: u64,
}

/// Draws a SURPRISE task: `size` projects from those showing YELLOW or RED today, each drawn with a
/// chance in proportion to its weight, without repeats. ADMIN. The candidates and the seed are kept
/// with the task; [`draw_from`] over them gives the same projects in the same order.
pub async fn draw(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewDraw,
    now: DateTime<Utc>,
    day: Day,
) -> AppResult<Task> {
    actor.require_role(&[Role::Admin], "draw surprise supervision")?;
    let size = usize::try_from(input.size).ok().filter(|n| (1..=MAX_DRAW).contains(n));
    let Some(size) = size else {
        return Err(AppError::bad_input("size", format!("1 to {MAX_DRAW} projects")));
    };
    let title = match input.title.as_deref() {
        Some(t) => text::required("title", t, 2, 200)?,
        None => "突击督导".to_owned(),
    };
    plan::check_window(input.window_from, input.window_to, day.date)?;
    let inspectors = plan::distinct("inspectorIds", &input.inspector_ids, 1, MAX_INSPECTORS)?;
    plan::require_inspectors(db, &inspectors).await?;
    let seed = input.seed.unwrap_or_else(|| i64::from_le_bytes(first_eight(Uuid::new_v4())));
    let caller = actor.caller()?;
    let payload = json!({
        "kind": InspectionKind::Surprise, "title": title, "size": size, "window_from": input.window_from,
        "window_to": input.window_to, "inspector_ids": inspectors, "seed": input.seed, "created_by": caller.id(),
    });
    let id = input.id.unwrap_or_else(Uuid::now_v7);
    if let Some(stored) =
        kit::find_replay::<entity::supervision_task::Entity>(db, id, &payload, "a supervision task").await?
    {
        return Ok(stored);
    }
    let candidates = candidates_of(db, day).await?;
    if candidates.is_empty() {
        return Err(AppError::bad_input("size", "no project shows YELLOW or RED today: there is nothing to push"));
    }
    let drawn = draw_from(&candidates, size, seed);
    let model = Task {
        id,
        kind: InspectionKind::Surprise,
        origin: TaskOrigin::Drawn,
        title,
        window_from: input.window_from,
        window_to: input.window_to,
        done_at: None,
        summary: None,
        closed_at: None,
        closed_by: None,
        draw_seed: Some(seed),
        draw_candidates: Some(serde_json::to_string(&candidates).map_err(AppError::internal)?),
        proposed_for: None,
        created_by: Some(caller.id()),
        created_at: now,
        updated_at: now,
    };
    let members = plan::Members { projects: drawn, inspectors, issues: Default::default(), cases: Default::default() };
    plan::store(db, actor, model, &members, &payload, ("supervision_task.draw", day.zone)).await
}

fn first_eight(id: Uuid) -> [u8; 8] {
    let b = id.as_bytes();
    [b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
}

/// The projects showing YELLOW or RED on the day, in id order, with their weights.
pub async fn candidates_of(db: &DatabaseConnection, day: Day) -> AppResult<Vec<Candidate>> {
    crate::service::health::refresh(db, day).await?;
    let ids: Vec<Uuid> = project_light::Entity::find()
        .select_only()
        .column(project_light::Column::ProjectId)
        .filter(project_light::Column::Day.eq(day.date))
        .filter(project_light::Column::Light.is_in([Light::Yellow, Light::Red]))
        .order_by_asc(project_light::Column::ProjectId)
        .into_tuple()
        .all(db)
        .await?;
    let health = crate::service::health::of(db, &ids, day).await?;
    Ok(ids
        .into_iter()
        .filter_map(|id| {
            let h = health.get(&id).filter(|h| matches!(h.light, Light::Yellow | Light::Red))?;
            let weeks = h.worst_slip_days.unwrap_or(0).max(0) / 7;
            let behind = match (h.expected_percent, h.completed_percent) {
                (Some(e), Some(c)) => (e - c).max(rust_decimal::Decimal::ZERO).trunc().to_i64().unwrap_or(0),
                _ => 0,
            };
            let weight = (1 + u64::try_from(weeks).unwrap_or(0) + u64::try_from(behind).unwrap_or(0)).min(MAX_WEIGHT);
            Some(Candidate { project_id: id, weight })
        })
        .collect())
}

/// Draws up to `size` of `candidates` without repeats, each with a chance in proportion to its
/// weight, from `seed`: the same arguments always give the same projects in the same order.
pub fn draw_from(candidates: &[Candidate], size: usize, seed: i64) -> Vec<Uuid> {
    let mut pool: Vec<Candidate> = candidates.iter().copied().filter(|c| c.weight > 0).collect();
    let mut rng = SplitMix64(u64::from_le_bytes(seed.to_le_bytes()));
    let mut out = Vec::with_capacity(size.min(pool.len()));
    while out.len() < size && !pool.is_empty() {
        let total: u64 = pool.iter().map(|c| c.weight).sum();
        let mut ticket = rng.next() % total;
        let mut index = 0;
        for (i, c) in pool.iter().enumerate() {
            if ticket < c.weight {
                index = i;
                break;
            }
            ticket -= c.weight;
        }
        out.push(pool.remove(index).project_id);
    }
    out
}

/// SplitMix64 (Steele, Lea and Flood, 2014): a tiny generator whose whole state is the seed, so a
/// draw is reproducible from the number stored with it on any machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool() -> Vec<Candidate> {
        (1..=20u128)
            .map(|i| Candidate { project_id: Uuid::from_u128(i), weight: if i <= 2 { 100 } else { 1 } })
            .collect()
    }

    #[test]
    fn the_same_seed_draws_the_same_projects_in_the_same_order() {
        assert_eq!(draw_from(&pool(), 5, 42), draw_from(&pool(), 5, 42));
        assert_ne!(draw_from(&pool(), 5, 42), draw_from(&pool(), 5, 43));
    }

    #[test]
    fn a_draw_has_no_repeats_and_stops_when_the_pool_is_empty() {
        let drawn = draw_from(&pool(), 50, 7);
        assert_eq!(drawn.len(), 20);
        let distinct: std::collections::BTreeSet<_> = drawn.iter().collect();
        assert_eq!(distinct.len(), 20);
    }

    /// Heavy projects (100 against 1) come first in almost every draw.
    #[test]
    fn heavier_projects_are_drawn_far_more_often() {
        let heavy = [Uuid::from_u128(1), Uuid::from_u128(2)];
        let hits = (0..1000).filter(|seed| draw_from(&pool(), 1, *seed).iter().any(|p| heavy.contains(p))).count();
        assert!(hits > 850, "heavy drawn first {hits} times in 1000");
    }

    /// SplitMix64's published first output for seed 0 (so the stored seeds stay meaningful).
    #[test]
    fn the_generator_is_splitmix64() {
        assert_eq!(SplitMix64(0).next(), 0xE220_A839_7B1D_CDAF);
    }
}
