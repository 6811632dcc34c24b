//! Gaps between reported progress and field evidence as clients read them, and
//! `Project.evidenceGaps`.

use async_graphql::{Context, Lookahead, Object};
use chrono::FixedOffset;
use uuid::Uuid;

use crate::error::{AppError, AppResult};
use crate::graphql::context::{ContextExt, load};
use crate::graphql::loaders::param_loader;
use crate::graphql::pagination::{Prefetch, connection};
use crate::graphql::prefetch::prime_related;
use crate::graphql::project::Project;
use crate::graphql::scalars::Decimal;
use crate::service::evidence::{self, GapKind};
use crate::service::period::Period;

/// A mismatch between what a unit reported for a month and what the field saw (上报进度与现场核查不符).
pub struct EvidenceGap(pub evidence::EvidenceGap);

/// A mismatch between what a unit reported for a month and what the field saw (上报进度与现场核查不符).
#[Object]
impl EvidenceGap {
    /// What kind of mismatch.
    async fn kind(&self) -> GapKind {
        self.0.kind
    }

    /// The project.
    async fn project(&self, ctx: &Context<'_>) -> async_graphql::Result<Project> {
        Ok(Project::from(load::<entity::project::Entity>(ctx, self.0.project_id, "project").await?))
    }

    /// The month, `YYYY-MM`.
    async fn period(&self) -> String {
        self.0.period.key()
    }

    /// The monthly report it is about.
    async fn report_id(&self) -> Uuid {
        self.0.report_id
    }

    /// The reported side: progress in percent (PROGRESS_ABOVE_MEASURED), the month's rise in
    /// percentage points (RISE_WITHOUT_PHOTOS) or the month's investment in 万元
    /// (INVESTMENT_WITHOUT_EVIDENCE).
    async fn reported(&self) -> Decimal {
        Decimal(self.0.reported)
    }

    /// The field's side: the progress measured on site in percent, or the count of trusted on-site
    /// photos and inspections the month had (0).
    async fn observed(&self) -> Decimal {
        Decimal(self.0.observed)
    }

    /// The inspections (and photos) the field's side rests on.
    async fn evidence_ids(&self) -> &[Uuid] {
        &self.0.evidence_ids
    }
}

connection!(
    EvidenceGapConnection,
    EvidenceGapEdge,
    EvidenceGap,
    "A page of evidence gaps, by project and kind.",
    "An evidence gap and its cursor."
);

impl Prefetch for evidence::EvidenceGap {
    async fn prefetch(ctx: &Context<'_>, node: Lookahead<'_>, rows: &[Self]) -> AppResult<()> {
        prime_related::<entity::project::Entity>(ctx, node.field("project"), rows.iter().map(|g| g.project_id)).await
    }
}

/// `period` read and checked: a month that has ended.
pub fn ended_period(ctx: &Context<'_>, raw: &str) -> AppResult<Period> {
    let period = Period::parse("period", raw)?;
    if period >= Period::of(ctx.state()?.config.clock.today()) {
        return Err(AppError::bad_input("period", "evidence is compared for a month that has ended"));
    }
    Ok(period)
}

param_loader!(
    /// The evidence gaps of each project in a month; keyed by (project, (month, the county's zone)).
    ProjectGaps, (Period, FixedOffset), Vec<evidence::EvidenceGap>,
    |db, ids, key| async {
        let (period, zone) = key;
        let found = evidence::gaps(db, None, Some(ids), period, zone).await?;
        AppResult::Ok(crate::service::grouped(found.into_iter().map(|g| (g.project_id, g))))
    }
    .await
);
