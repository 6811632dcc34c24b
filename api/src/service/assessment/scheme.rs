//! Assessment schemes (考核办法): published in versions, each a year's metrics with weights and its
//! veto conditions. A version never changes once published; runs name the version they used.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use entity::assessment_scheme::{self, Model as Scheme};
use entity::assessment_veto::VetoCondition;
use entity::user::Role;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::audit::{self, Change};
use crate::service::text;

/// Most metrics and veto conditions a scheme has, and schemes a year lists.
pub const MAX_METRICS: usize = 8;
pub const MAX_PER_YEAR: u64 = 50;

/// What a metric measures, each from data the API holds, as a share from 0 to 1 (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, async_graphql::Enum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AssessmentMetric {
    /// Monthly reports on time: of the reports its projects owed for the period's months due by the
    /// day figures are taken, those submitted by the due day.
    ReportsOnTime,
    /// Issues closed by their deadline: of the issues assigned to the unit with a due date in the
    /// period (and past), those closed by the end of that day.
    IssuesClosedByDeadline,
    /// Action items done on time: of the meeting action items the unit owns with a deadline in the
    /// period (and past), those reported done by the deadline.
    ActionItemsOnTime,
    /// Investment completed against plan: the investment its projects reported for the period's
    /// months against the year's plan for them pro-rated to the period (at most 1).
    InvestmentAgainstPlan,
    /// Milestone slip: of the milestones of its projects' current schedules due in the period (and
    /// past), those finished by their planned day.
    MilestonesOnTime,
    /// Funding received against target: verified money received in the year up to the period's end
    /// against the unit's targets pro-rated to the months passed (at most 1).
    FundingAgainstTarget,
    /// Environment evaluation score: the unit's mean on the criteria of the period's closed
    /// evaluations, scaled to the criteria's range, over the evaluations where it was significant.
    EvaluationScore,
    /// Pairing service logged: of the months of the period (by the day figures are taken) times the
    /// projects the unit was paired with by each month's end, those with a service logged.
    PairingService,
}

/// A metric of a scheme and its weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeMetric {
    pub metric: AssessmentMetric,
    /// 1 to 100; a unit's score weighs the metrics that apply to it by these.
    pub weight: u32,
}

/// A veto condition of a scheme: found in the data by each run (automatic) or recorded by the office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemeVeto {
    pub condition: VetoCondition,
    pub automatic: bool,
}

/// What [`publish_scheme`] needs.
#[derive(Debug, Clone)]
pub struct NewScheme {
    pub name: String,
    pub year: i32,
    pub metrics: Vec<SchemeMetric>,
    pub vetoes: Vec<SchemeVeto>,
    pub deduction_fen: i64,
}

/// The metrics of a scheme version.
pub fn metrics_of(scheme: &Scheme) -> AppResult<Vec<SchemeMetric>> {
    serde_json::from_str(&scheme.metrics).map_err(AppError::internal)
}

/// The veto conditions of a scheme version.
pub fn vetoes_of(scheme: &Scheme) -> AppResult<Vec<SchemeVeto>> {
    serde_json::from_str(&scheme.vetoes).map_err(AppError::internal)
}

fn validate(input: &NewScheme) -> AppResult<String> {
    let name = text::required("name", &input.name, 2, 200)?;
    if !(2000..=2100).contains(&input.year) {
        return Err(AppError::bad_input("year", "a year from 2000 to 2100"));
    }
    if input.metrics.is_empty() || input.metrics.len() > MAX_METRICS {
        return Err(AppError::bad_input("metrics", format!("a scheme has 1 to {MAX_METRICS} metrics")));
    }
    let mut seen = HashSet::new();
    for m in &input.metrics {
        if !(1..=100).contains(&m.weight) {
            return Err(AppError::bad_input("metrics", "a weight is 1 to 100"));
        }
        if !seen.insert(m.metric) {
            return Err(AppError::bad_input("metrics", "each metric once"));
        }
    }
    let mut seen = HashSet::new();
    for v in &input.vetoes {
        if !seen.insert(v.condition) {
            return Err(AppError::bad_input("vetoes", "each condition once"));
        }
        if v.automatic && v.condition == VetoCondition::Other {
            return Err(AppError::bad_input("vetoes", "OTHER is recorded by the office, never automatic"));
        }
    }
    if input.vetoes.len() > 4 {
        return Err(AppError::bad_input("vetoes", "at most 4 conditions"));
    }
    Ok(name)
}

/// Publishes a scheme: version 1 of a new (year, name), or the next version of one, which becomes
/// current; earlier versions and the runs that used them stay as they were. ADMIN.
pub async fn publish_scheme(
    db: &DatabaseConnection,
    actor: &Actor,
    input: NewScheme,
    now: DateTime<Utc>,
) -> AppResult<Scheme> {
    actor.require_role(&[Role::Admin], "publish assessment schemes")?;
    let name = validate(&input)?;
    let txn = crate::db::begin_write(db).await?;
    use assessment_scheme::Column as C;
    let previous = assessment_scheme::Entity::find()
        .filter(C::Year.eq(input.year))
        .filter(C::Name.eq(name.clone()))
        .order_by_desc(C::Version)
        .lock_exclusive()
        .one(&txn)
        .await?;
    let version = previous.as_ref().map_or(1, |p| p.version + 1);
    assessment_scheme::Entity::update_many()
        .col_expr(C::IsCurrent, sea_orm::sea_query::Expr::value(false))
        .filter(C::Year.eq(input.year))
        .filter(C::Name.eq(name.clone()))
        .exec(&txn)
        .await?;
    let model = Scheme {
        id: Uuid::now_v7(),
        name,
        year: input.year,
        version,
        is_current: true,
        metrics: serde_json::to_string(&input.metrics).map_err(AppError::internal)?,
        vetoes: serde_json::to_string(&input.vetoes).map_err(AppError::internal)?,
        deduction_fen: input.deduction_fen,
        published_by: actor.caller()?.id(),
        published_at: now,
    };
    if let Err(e) =
        assessment_scheme::Entity::insert(model.clone().into_active_model()).exec_without_returning(&txn).await
    {
        return Err(match e.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
                AppError::Conflict("another version of this scheme was published at the same moment; try again".into())
            }
            _ => e.into(),
        });
    }
    let changes = json!({ "scheme": { "after": { "id": model.id, "name": model.name, "year": model.year,
        "version": version, "metrics": input.metrics, "vetoes": input.vetoes, "deduction_fen": model.deduction_fen } } });
    audit::record(
        &txn,
        actor,
        Change {
            action: "county.publish_assessment_scheme",
            entity_type: "county",
            entity_id: "county".into(),
            changes,
        },
    )
    .await?;
    txn.commit().await?;
    Ok(model)
}

/// One scheme version; `NOT_FOUND` when missing. Every signed-in person may read schemes.
pub async fn find_scheme(db: &impl ConnectionTrait, id: Uuid) -> AppResult<Scheme> {
    assessment_scheme::Entity::find_by_id(id).one(db).await?.ok_or(AppError::NotFound("assessment scheme"))
}

/// The schemes of `year`, newest first, current versions only unless `all_versions`; at most
/// [`MAX_PER_YEAR`].
pub async fn schemes(db: &impl ConnectionTrait, year: i32, all_versions: bool) -> AppResult<Vec<Scheme>> {
    use assessment_scheme::Column as C;
    let mut q = assessment_scheme::Entity::find().filter(C::Year.eq(year));
    if !all_versions {
        q = q.filter(C::IsCurrent.eq(true));
    }
    Ok(q.order_by_desc(C::PublishedAt).order_by_desc(C::Id).limit(MAX_PER_YEAR).all(db).await?)
}
