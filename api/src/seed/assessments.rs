//! The demo county's assessment (考核): a scheme for the year of the last closed quarter whose
//! metrics draw on every earlier domain, a veto recorded against the township whose cadres were
//! found obstructing a project, the quarter's run published, and awards to the leading units and
//! two people adding up to 210万元 (the source text's "200万元以上").

use chrono::{NaiveDate, Utc};
use entity::assessment_award;
use entity::assessment_result;
use entity::assessment_run::RunStatus;
use entity::assessment_scheme;
use entity::assessment_veto::{self, VetoCondition, VetoSource};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

use super::demo::demo_id;
use crate::auth::Caller;
use crate::clock::Day;
use crate::error::{AppError, AppResult};
use crate::service::Actor;
use crate::service::assessment::{AssessPeriod, AssessmentMetric as M, SchemeMetric, SchemeVeto, run_in};

/// Awards to the leading units, 万元, best first; and to two people.
const UNIT_AWARDS: [i64; 13] = [30, 25, 20, 20, 15, 15, 15, 10, 10, 10, 10, 10, 10];
const PEOPLE: [(&str, i64, &str); 2] = [("fgj", 5, "项目谋划与调度先进个人"), ("inspector", 5, "项目督查先进个人")];
const FEN_PER_WAN: i64 = 1_000_000;

/// Loads the scheme, the veto, the published run and the awards. Returns the run's id.
pub async fn load(db: &impl ConnectionTrait, today: NaiveDate) -> AppResult<Uuid> {
    let now = Utc::now();
    let period = AssessPeriod::quarter_of(today).previous_quarter();
    let admin = demo_id("user", "admin");
    let metrics = [
        (M::ReportsOnTime, 15),
        (M::IssuesClosedByDeadline, 15),
        (M::ActionItemsOnTime, 15),
        (M::InvestmentAgainstPlan, 15),
        (M::MilestonesOnTime, 10),
        (M::FundingAgainstTarget, 10),
        (M::EvaluationScore, 10),
        (M::PairingService, 10),
    ]
    .map(|(metric, weight)| SchemeMetric { metric, weight });
    let vetoes = [
        (VetoCondition::TaskTargetMissed, false),
        (VetoCondition::SafetyIncident, false),
        (VetoCondition::ObstructionUpheld, true),
        (VetoCondition::Other, false),
    ]
    .map(|(condition, automatic)| SchemeVeto { condition, automatic });
    let scheme = assessment_scheme::Model {
        id: demo_id("assessment-scheme", &period.year.to_string()),
        name: format!("{}年度重点项目建设考核办法", period.year),
        year: period.year,
        version: 1,
        is_current: true,
        metrics: serde_json::to_string(&metrics).map_err(AppError::internal)?,
        vetoes: serde_json::to_string(&vetoes).map_err(AppError::internal)?,
        deduction_fen: 20 * FEN_PER_WAN,
        published_by: admin,
        published_at: now,
    };
    assessment_scheme::Entity::insert(scheme.clone().into_active_model()).exec_without_returning(db).await?;
    let town = demo_id("unit", "新洲镇");
    let veto = assessment_veto::Model {
        id: demo_id("assessment-veto", "新洲镇"),
        unit_id: town,
        period: period.key(),
        condition: VetoCondition::ObstructionUpheld,
        source: VetoSource::Recorded,
        reason: "镇村干部阻挠项目施工，经查属实".into(),
        deduction_fen: 20 * FEN_PER_WAN,
        recorded_by: admin,
        recorded_at: now,
        lifted_at: None,
        lifted_by: None,
        lift_reason: None,
    };
    assessment_veto::Entity::insert(veto.into_active_model()).exec_without_returning(db).await?;

    let admin_user = entity::user::Entity::find_by_id(admin).one(db).await?.ok_or(AppError::NotFound("user"))?;
    let actor = Actor::User { caller: Caller { user: admin_user, key: None }, request_id: None };
    let day = Day { date: today, zone: crate::clock::china() };
    let mut run = run_in(db, &actor, admin, scheme.id, period, now, day).await?;
    run.status = RunStatus::Published;
    run.published_by = Some(admin);
    run.published_at = Some(now);
    run.clone().into_active_model().reset_all().update(db).await?;

    use assessment_result::Column as R;
    let leaders: Vec<Uuid> = assessment_result::Entity::find()
        .select_only()
        .column(R::UnitId)
        .filter(R::RunId.eq(run.id))
        .filter(R::Vetoed.eq(false))
        .order_by_asc(R::Rank)
        .order_by_asc(R::UnitId)
        .limit(UNIT_AWARDS.len() as u64)
        .into_tuple()
        .all(db)
        .await?;
    let award = |unit_id, user_id, wan: i64, basis: String| assessment_award::Model {
        id: Uuid::now_v7(),
        unit_id,
        user_id,
        period: period.key(),
        year: period.year,
        amount_fen: wan * FEN_PER_WAN,
        basis,
        granted_by: admin,
        granted_at: now,
    };
    let mut rows: Vec<_> = leaders
        .iter()
        .zip(UNIT_AWARDS)
        .enumerate()
        .map(|(i, (unit, wan))| {
            award(Some(*unit), None, wan, format!("{} 考核第{}名，授予项目建设先进单位", period.key(), i + 1))
        })
        .collect();
    rows.extend(
        PEOPLE.iter().map(|(user, wan, basis)| award(None, Some(demo_id("user", user)), *wan, (*basis).into())),
    );
    assessment_award::Entity::insert_many(rows.into_iter().map(IntoActiveModel::into_active_model))
        .exec_without_returning(db)
        .await?;
    Ok(run.id)
}
