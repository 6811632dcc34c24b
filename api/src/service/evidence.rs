//! Reported progress against field evidence (上报进度与现场核查): for each project's report of a
//! closed month, what the unit claimed beside what inspectors measured and photographed on site.
//! A mismatch beyond the office's thresholds is an [`EvidenceGap`], with the figures of both sides
//! and the evidence's ids.

use std::collections::{HashMap, HashSet};

use chrono::FixedOffset;
use entity::{inspection, monthly_report, office_setting, photo, project};
use rust_decimal::Decimal;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::clock::midnight;
use crate::error::AppResult;
use crate::service::kit::{self, Units};
use crate::service::period::{Period, period_end};

/// What kind of mismatch a gap is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, async_graphql::Enum)]
pub enum GapKind {
    /// Reported progress exceeds the progress an inspection measured on site that month (形象进度)
    /// by more than the office allows.
    ProgressAboveMeasured,
    /// The month reports a rise in progress, but no trusted photo was taken on site that month and no
    /// inspection measured the progress there.
    RiseWithoutPhotos,
    /// The month reports a large investment with no on-site evidence at all: no trusted on-site photo
    /// and no inspection.
    InvestmentWithoutEvidence,
}

/// One mismatch between a report and the field.
#[derive(Debug, Clone, PartialEq)]
pub struct EvidenceGap {
    pub project_id: Uuid,
    pub period: Period,
    pub kind: GapKind,
    /// The report it is about.
    pub report_id: Uuid,
    /// The reported side: progress in percent, a rise in percentage points, or 万元.
    pub reported: Decimal,
    /// The field's side: measured progress in percent, or the trusted on-site photos and
    /// inspections of the month.
    pub observed: Decimal,
    /// The inspections and photos the field's side rests on.
    pub evidence_ids: Vec<Uuid>,
}

impl EvidenceGap {
    /// Its place in a list: by project, then kind.
    pub fn key(&self) -> String {
        format!("{}|{:?}", self.project_id, self.kind)
    }
}

/// What the field saw of one project in one month.
#[derive(Default)]
struct Field {
    /// The latest measured progress (bp) and the inspection that measured it.
    measured: Option<(i32, Uuid)>,
    trusted_photos: Vec<Uuid>,
    inspections: Vec<Uuid>,
}

/// The gaps of `period` (a month that has ended), for the projects `projects` names (every project
/// when none) that a caller of `scope` sees, by project and kind. Five statements whatever the
/// number of projects: the month's reports, the previous month's, the month's inspections and
/// trusted photos, and the photographed projects' sites.
pub async fn gaps(
    db: &impl ConnectionTrait,
    scope: Option<Units>,
    projects: Option<&[Uuid]>,
    period: Period,
    zone: FixedOffset,
) -> AppResult<Vec<EvidenceGap>> {
    let rules = crate::service::settings::rules(db).await?;
    let (from, until) = (midnight(period.first_day(), zone), period_end(period, zone));
    let reports_of = |p: Period| {
        let mut q = monthly_report::Entity::find()
            .filter(monthly_report::Column::IsCurrent.eq(true))
            .filter(monthly_report::Column::Period.eq(p.key()));
        if let Some(ids) = projects {
            q = q.filter(monthly_report::Column::ProjectId.is_in(ids.iter().copied()));
        }
        if let Some(units) = scope {
            q = q.filter(monthly_report::Column::ProjectId.in_subquery(kit::projects_of_unit(units)));
        }
        q.select_only()
            .columns([
                monthly_report::Column::Id,
                monthly_report::Column::ProjectId,
                monthly_report::Column::ProgressBp,
                monthly_report::Column::InvestmentFen,
            ])
            .into_tuple::<(Uuid, Uuid, i32, i64)>()
    };
    let reports = reports_of(period).all(db).await?;
    if reports.is_empty() {
        return Ok(Vec::new());
    }
    let previous: HashMap<Uuid, i32> =
        reports_of(period.previous()).all(db).await?.into_iter().map(|(_, p, bp, _)| (p, bp)).collect();
    let reported: HashSet<Uuid> = reports.iter().map(|r| r.1).collect();
    let mut field: HashMap<Uuid, Field> = HashMap::new();
    let seen: Vec<(Uuid, Uuid, Option<i32>)> = inspection::Entity::find()
        .select_only()
        .columns([inspection::Column::Id, inspection::Column::ProjectId, inspection::Column::MeasuredProgressBp])
        .filter(inspection::Column::IsCurrent.eq(true))
        .filter(inspection::Column::CompletedAt.gte(from))
        .filter(inspection::Column::CompletedAt.lt(until))
        .order_by_asc(inspection::Column::CompletedAt)
        .order_by_asc(inspection::Column::Id)
        .into_tuple()
        .all(db)
        .await?;
    for (id, project, measured) in seen.into_iter().filter(|s| reported.contains(&s.1)) {
        let f = field.entry(project).or_default();
        f.inspections.push(id);
        if let Some(bp) = measured {
            f.measured = Some((bp, id));
        }
    }
    for (id, project) in trusted_on_site(db, &rules, &reported, (from, until)).await? {
        field.entry(project).or_default().trusted_photos.push(id);
    }
    let none = Field::default();
    let mut out = Vec::new();
    for (report, project, progress, investment) in reports {
        let f = field.get(&project).unwrap_or(&none);
        let gap = |kind, reported, observed, evidence_ids| EvidenceGap {
            project_id: project,
            period,
            kind,
            report_id: report,
            reported,
            observed,
            evidence_ids,
        };
        if let Some((measured, by)) = f.measured
            && progress - measured > rules.evidence_gap_pp * 100
        {
            out.push(gap(GapKind::ProgressAboveMeasured, percent(progress), percent(measured), vec![by]));
        }
        let rise = previous.get(&project).map(|before| progress - before);
        if rules.evidence_rise_pp > 0
            && rise.is_some_and(|r| r >= rules.evidence_rise_pp * 100)
            && f.trusted_photos.is_empty()
            && f.measured.is_none()
        {
            out.push(gap(GapKind::RiseWithoutPhotos, percent(rise.unwrap_or(0)), Decimal::ZERO, Vec::new()));
        }
        let large = i64::from(rules.evidence_investment_wan) * 1_000_000;
        if rules.evidence_investment_wan > 0
            && investment >= large
            && f.trusted_photos.is_empty()
            && f.inspections.is_empty()
        {
            let wan = crate::service::money::fen_to_wan(investment);
            out.push(gap(GapKind::InvestmentWithoutEvidence, wan, Decimal::ZERO, Vec::new()));
        }
    }
    // In the order of the cursor key, which pages resume after.
    out.sort_by_cached_key(EvidenceGap::key);
    Ok(out)
}

fn percent(bp: i32) -> Decimal {
    Decimal::new(i64::from(bp), 2).normalize()
}

/// Photos of `projects` taken in `[from, until)` (by the device's clock, or received then when it
/// gave none) whose trust reaches the office's threshold and whose position is on the site.
async fn trusted_on_site(
    db: &impl ConnectionTrait,
    rules: &office_setting::Model,
    projects: &HashSet<Uuid>,
    (from, until): (chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>),
) -> AppResult<Vec<(Uuid, Uuid)>> {
    use photo::Column as P;
    let in_month = Condition::any()
        .add(P::CapturedAt.gte(from).and(P::CapturedAt.lt(until)))
        .add(P::CapturedAt.is_null().and(P::ReceivedAt.gte(from)).and(P::ReceivedAt.lt(until)));
    let photos: Vec<photo::Model> = photo::Entity::find()
        .filter(in_month)
        .filter(P::TrustScore.gte(rules.evidence_photo_trust))
        .all(db)
        .await?
        .into_iter()
        .filter(|p| projects.contains(&p.project_id))
        .collect();
    if photos.is_empty() {
        return Ok(Vec::new());
    }
    let ids: HashSet<Uuid> = photos.iter().map(|p| p.project_id).collect();
    let sites: HashMap<Uuid, project::Model> = project::Entity::find()
        .filter(project::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    Ok(photos
        .iter()
        .filter(|p| {
            sites.get(&p.project_id).and_then(|site| crate::service::photo::site_check(p, site)).is_some_and(|c| c.1)
        })
        .map(|p| (p.id, p.project_id))
        .collect())
}

/// One page of [`gaps`] for a caller of `scope`, after the request's cursor.
pub async fn gap_page(
    db: &impl ConnectionTrait,
    scope: Option<Units>,
    period: Period,
    zone: FixedOffset,
    page: &crate::service::page::PageRequest,
) -> AppResult<crate::service::page::Page<EvidenceGap>> {
    let all = gaps(db, scope, None, period, zone).await?;
    let after = page.after.as_deref().unwrap_or("");
    let rows = all
        .into_iter()
        .filter(|g| g.key().as_str() > after)
        .take(usize::try_from(page.fetch()).unwrap_or(usize::MAX))
        .collect();
    Ok(crate::service::page::Page::from_fetched(rows, page))
}
