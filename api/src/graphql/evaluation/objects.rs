//! Evaluations and their results as clients read them.

use async_graphql::{Context, Object, SimpleObject};
use entity::environment_evaluation;
use entity::evaluation_unit::EvaluationRole;
use uuid::Uuid;

use crate::error::AppError;
use crate::graphql::account::Unit;
use crate::graphql::context::{ContextExt, load};
use crate::graphql::loaders::keyed_loader;
use crate::graphql::scalars::Date;
use crate::service::evaluation::{self, EvaluationStatus, UnitResult};

keyed_loader!(
    /// The units of each evaluation, scored and respondent.
    EvaluationUnits, Vec<entity::evaluation_unit::Model>,
    |db, keys| async {
        use sea_orm::{ConnectionTrait, EntityTrait, QueryFilter};
        let rows = entity::evaluation_unit::Entity::find()
            .filter(crate::db::among(
                entity::evaluation_unit::Column::EvaluationId,
                keys.iter().copied(),
                db.get_database_backend(),
            ))
            .all(db)
            .await?;
        crate::error::AppResult::Ok(crate::service::grouped(rows.into_iter().map(|r| (r.evaluation_id, r))))
    }
    .await
);

/// A criterion of an evaluation: a NUMBER item of its checklist template and its range.
#[derive(SimpleObject)]
pub struct EvaluationCriterion {
    /// The item's key.
    pub key: String,
    /// What respondents are asked, e.g. 办事效率.
    pub label: String,
    /// The lowest score.
    pub min: f64,
    /// The highest score.
    pub max: f64,
}

/// A quarter's evaluation of the project-building environment (项目建设环境集中测评): project owners
/// and enterprises score the functional departments.
pub struct EnvironmentEvaluation(pub environment_evaluation::Model, pub bool);

impl EnvironmentEvaluation {
    /// `evaluations` as `caller` sees them: whether they answered each is read for all in one go.
    pub async fn all(
        ctx: &Context<'_>,
        evaluations: Vec<environment_evaluation::Model>,
    ) -> async_graphql::Result<Vec<Self>> {
        let state = ctx.state()?;
        let ids: Vec<Uuid> = evaluations.iter().map(|e| e.id).collect();
        let secret = state.config.jwt_secret.expose();
        let answered = evaluation::answered(&state.db, secret, &ids, ctx.caller()?.id()).await?;
        Ok(evaluations.into_iter().map(|e| Self(e.clone(), answered.contains(&e.id))).collect())
    }

    /// One evaluation as `caller` sees it.
    pub async fn one(ctx: &Context<'_>, evaluation: environment_evaluation::Model) -> async_graphql::Result<Self> {
        Self::all(ctx, vec![evaluation]).await?.pop().ok_or_else(|| AppError::internal("no evaluation").into())
    }

    async fn units(&self, ctx: &Context<'_>, role: EvaluationRole) -> async_graphql::Result<Vec<Unit>> {
        let rows = ctx.cached::<EvaluationUnits>()?.load_one(self.0.id).await?.unwrap_or_default();
        let ids: Vec<Uuid> = rows.iter().filter(|r| r.role == role).map(|r| r.unit_id).collect();
        let found = ctx.loader::<entity::unit::Entity>()?.load_many(ids.iter().copied()).await?;
        let mut units: Vec<entity::unit::Model> = ids.iter().filter_map(|id| found.get(id).cloned()).collect();
        units.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(units.into_iter().map(Unit).collect())
    }
}

/// A quarter's evaluation of the project-building environment (项目建设环境集中测评): project owners
/// and enterprises score the functional departments.
#[Object]
impl EnvironmentEvaluation {
    /// Stable identifier.
    async fn id(&self) -> Uuid {
        self.0.id
    }

    /// The year.
    async fn year(&self) -> i32 {
        self.0.year
    }

    /// The quarter, 1 to 4.
    async fn quarter(&self) -> i32 {
        self.0.quarter
    }

    /// Its title.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// The checklist template version whose NUMBER items are the criteria.
    async fn template_id(&self) -> Uuid {
        self.0.template_id
    }

    /// The criteria each department is scored on.
    async fn criteria(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<EvaluationCriterion>> {
        let template = load::<entity::checklist_template::Entity>(ctx, self.0.template_id, "template").await?;
        let criteria = evaluation::criteria_in(&template)?;
        Ok(criteria
            .into_iter()
            .map(|c| EvaluationCriterion { key: c.key, label: c.label, min: c.min, max: c.max })
            .collect())
    }

    /// The first day responses are taken.
    async fn opens_on(&self) -> Date {
        Date(self.0.opens_on)
    }

    /// The last day responses are taken.
    async fn closes_on(&self) -> Date {
        Date(self.0.closes_on)
    }

    /// Where it stands today.
    async fn status(&self, ctx: &Context<'_>) -> async_graphql::Result<EvaluationStatus> {
        Ok(evaluation::status_of(&self.0, ctx.state()?.config.clock.today()))
    }

    /// Responses a department needs for its result to be significant.
    async fn min_responses(&self) -> i32 {
        self.0.min_responses
    }

    /// The departments scored, by name.
    async fn scored_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        self.units(ctx, EvaluationRole::Scored).await
    }

    /// The units whose people answer, by name.
    async fn respondent_units(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Unit>> {
        self.units(ctx, EvaluationRole::Respondent).await
    }

    /// Whether the caller has answered it.
    async fn answered(&self) -> bool {
        self.1
    }
}

/// The evaluation just opened, with its one-time links' tokens — shown now and never again.
#[derive(SimpleObject)]
pub struct OpenedEvaluation {
    /// The evaluation.
    pub evaluation: EnvironmentEvaluation,
    /// One token per one-time link, for outside respondents: each answers once, until the day after
    /// the evaluation closes.
    pub links: Vec<String>,
}

/// A department's mean on one criterion.
#[derive(SimpleObject)]
pub struct CriterionScore {
    /// The criterion's key.
    pub key: String,
    /// The criterion.
    pub label: String,
    /// The mean score; null without responses.
    pub mean: Option<f64>,
}

/// One department's result in an evaluation: its scores, never who gave them.
pub struct EvaluationResult(pub UnitResult);

/// One department's result in an evaluation: its scores, never who gave them.
#[Object]
impl EvaluationResult {
    /// The department.
    async fn unit(&self, ctx: &Context<'_>) -> async_graphql::Result<Unit> {
        Ok(Unit(load::<entity::unit::Entity>(ctx, self.0.unit_id, "unit").await?))
    }

    /// The mean of its criteria's means; null without responses.
    async fn mean(&self) -> Option<f64> {
        self.0.mean
    }

    /// Its mean on each criterion.
    async fn criteria(&self) -> Vec<CriterionScore> {
        self.0
            .criteria
            .iter()
            .map(|c| CriterionScore { key: c.key.clone(), label: c.label.clone(), mean: c.mean })
            .collect()
    }

    /// How many responses scored it.
    async fn responses(&self) -> i32 {
        i32::try_from(self.0.responses).unwrap_or(i32::MAX)
    }

    /// Whether it had the evaluation's minimum of responses; only significant results are ranked.
    async fn significant(&self) -> bool {
        self.0.significant
    }

    /// Its rank among the significant results, 1 the best; null when not significant.
    async fn rank(&self) -> Option<i32> {
        self.0.rank.and_then(|r| i32::try_from(r).ok())
    }

    /// The comments respondents left on it, without who left them.
    async fn comments(&self) -> &[String] {
        &self.0.comments
    }
}
