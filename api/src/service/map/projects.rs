//! The projects a filter selects: each one Feature, its site as a Point, with its boundary as a
//! Polygon beside it (a GeometryCollection) when one was drawn; its properties are what a pin's popup
//! shows.

use std::collections::HashMap;

use chrono::Datelike;
use entity::issue;
use entity::project::{self, Light};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait};
use serde::Serialize;
use uuid::Uuid;

use super::{Feature, Shape, collection, position};

use crate::auth::Caller;
use crate::error::{AppError, AppResult};
use crate::service::geo::Datum;
use crate::service::money::{bp_to_percent, fen_to_wan};
use crate::service::project::ProjectFilter;
use crate::service::{health, project as projects};

/// Most projects one feed holds; a province has tens of thousands, and a bigger selection is narrowed
/// with a filter or `bbox`.
pub const MAX_PROJECTS: u64 = 50_000;

/// What the feed holds: the projects `filter` selects (and `light`, when given), in `datum`.
pub struct MapRequest {
    pub filter: ProjectFilter,
    pub light: Option<Light>,
    pub datum: Datum,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Properties<'a> {
    name: &'a str,
    category: project::ProjectCategory,
    industry: project::Industry,
    status: project::ProjectStatus,
    light: Light,
    reasons: &'a [String],
    responsible_unit_id: Uuid,
    responsible_unit: Option<&'a str>,
    /// 万元, as decimal strings (money is never a float).
    total_investment: Decimal,
    planned_investment: Decimal,
    expected_percent: Option<Decimal>,
    completed_percent: Option<Decimal>,
    progress_percent: Decimal,
    open_issues: u64,
}

/// The feed's body. Lights are made current first, as every reader of them does.
pub async fn projects(
    db: &(impl ConnectionTrait + TransactionTrait),
    caller: &Caller,
    request: MapRequest,
    day: crate::clock::Day,
) -> AppResult<Vec<u8>> {
    let today = day.date;
    let MapRequest { mut filter, light, datum } = request;
    health::refresh(db, day).await?;
    if let Some(light) = light {
        filter.showing = Some((light, today));
    }
    let rows = projects::all_matching(db, &filter, MAX_PROJECTS + 1).await?;
    if rows.len() as u64 > MAX_PROJECTS {
        return Err(AppError::bad_input("bbox", format!("more than {MAX_PROJECTS} projects: narrow the map")));
    }
    let ids: Vec<Uuid> = rows.iter().map(|p| p.id).collect();
    let lights = health::of(db, &ids, day).await?;
    let plans = projects::year_plans(db, &ids, today.year()).await?;
    let units = crate::service::kit::unit_names(db).await?;
    let open = open_issues(db, caller).await?;
    let mut features = Vec::with_capacity(rows.len());
    for p in &rows {
        let Some(h) = lights.get(&p.id) else { continue };
        features.push(Feature::new(
            p.id,
            geometry(p, datum),
            Properties {
                name: &p.name,
                category: p.category,
                industry: p.industry,
                status: p.status,
                light: h.light,
                reasons: &h.reasons,
                responsible_unit_id: p.responsible_unit_id,
                responsible_unit: units.get(&p.responsible_unit_id).map(String::as_str),
                total_investment: fen_to_wan(p.total_investment_fen),
                planned_investment: fen_to_wan(plans.get(&p.id).copied().unwrap_or(0)),
                expected_percent: h.expected_percent,
                completed_percent: h.completed_percent,
                progress_percent: bp_to_percent(p.progress_bp),
                open_issues: open.get(&p.id).copied().unwrap_or(0),
            },
        ));
    }
    collection(features)
}

/// Unfinished issues per project, of those the caller may see.
async fn open_issues(db: &impl ConnectionTrait, caller: &Caller) -> AppResult<HashMap<Uuid, u64>> {
    let counts: Vec<(Uuid, i64)> = issue::Entity::find()
        .select_only()
        .column(issue::Column::ProjectId)
        .column_as(issue::Column::Id.count(), "n")
        .filter(issue::Column::Status.is_not_in(crate::service::issue::FINISHED))
        .filter(crate::service::issue::visibility(caller))
        .group_by(issue::Column::ProjectId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(counts.into_iter().map(|(id, n)| (id, u64::try_from(n).unwrap_or(0))).collect())
}

/// The site's point, and its boundary as a closed, counter-clockwise ring when it has one.
fn geometry(p: &project::Model, datum: Datum) -> Shape {
    let point = Shape::Point { coordinates: position(p.lat, p.lng, datum) };
    let ring: Option<Vec<[f64; 2]>> = p.boundary.clone().and_then(|b| serde_json::from_value(b).ok());
    let Some(mut ring) = ring.filter(|r| r.len() >= 3) else {
        return point;
    };
    if ring.first() != ring.last()
        && let Some(first) = ring.first().copied()
    {
        ring.push(first);
    }
    // RFC 7946 § 3.1.6: exterior rings run counter-clockwise (positive signed area).
    let area: f64 = ring.windows(2).map(|w| w[0][0] * w[1][1] - w[1][0] * w[0][1]).sum();
    if area < 0.0 {
        ring.reverse();
    }
    let ring = ring.into_iter().map(|[lng, lat]| position(lat, lng, datum)).collect();
    Shape::GeometryCollection { geometries: vec![point, Shape::Polygon { coordinates: vec![ring] }] }
}
