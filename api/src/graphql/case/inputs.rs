//! A new case, its measures, decisions, link targets and the case list's filter.

use async_graphql::InputObject;
use entity::case::{CaseKind, CaseStatus};
use uuid::Uuid;

use crate::graphql::scalars::Date;
use crate::service::case::{Decision, NewMeasure, Targets};

/// A measure to take.
#[derive(InputObject)]
pub struct CaseMeasureInput {
    /// What is to be done, 1 to 1000 characters.
    pub description: String,
    /// The unit that does it; it joins the case's participating units.
    pub owner_unit_id: Uuid,
    /// By when.
    pub deadline: Option<Date>,
}

impl From<CaseMeasureInput> for NewMeasure {
    fn from(m: CaseMeasureInput) -> Self {
        Self { description: m.description, owner_unit_id: m.owner_unit_id, deadline: m.deadline.map(|d| d.0) }
    }
}

/// A new coordination case.
#[derive(InputObject)]
pub struct OpenCaseInput {
    /// Which tool.
    pub kind: CaseKind,
    /// The project; required for ONE_PROJECT_ONE_POLICY.
    pub project_id: Option<Uuid>,
    /// Short title, 2 to 200 characters.
    pub title: String,
    /// The tailored policy, or the matter put for discussion; 1 to 10000 characters.
    pub policy: String,
    /// The unit that leads the work.
    pub lead_unit_id: Uuid,
    /// Units taking part (measure owners are added by themselves); at most 30.
    pub unit_ids: Option<Vec<Uuid>>,
    /// Measures, in order; at most 50.
    pub measures: Option<Vec<CaseMeasureInput>>,
    /// What was decided, when the matter comes already decided (ONE_MATTER_ONE_DISCUSSION only;
    /// `decidedOn` and `decidedBy` then too).
    pub decision: Option<String>,
    /// When it was decided.
    pub decided_on: Option<Date>,
    /// Who decided, e.g. 县政府常务会议.
    pub decided_by: Option<String>,
}

/// Narrows `cases`; every field set must match.
#[derive(InputObject, Default)]
pub struct CaseFilter {
    /// Only cases of this project.
    pub project_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<CaseKind>,
    /// Only this status.
    pub status: Option<CaseStatus>,
    /// Only cases this unit leads or takes part in.
    pub unit_id: Option<Uuid>,
    /// Part of the title (at most 100 characters).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub search: Option<String>,
}

pub(crate) fn decision(
    text: Option<String>,
    on: Option<Date>,
    by: Option<String>,
) -> async_graphql::Result<Option<Decision>, crate::error::AppError> {
    match (text, on, by) {
        (None, None, None) => Ok(None),
        (Some(text), Some(on), Some(by)) => Ok(Some(Decision { text, decided_on: on.0, decided_by: by })),
        _ => Err(crate::error::AppError::bad_input("decision", "give the decision, decidedOn and decidedBy together")),
    }
}

pub(crate) fn targets(
    issue_ids: Option<Vec<Uuid>>,
    inspection_ids: Option<Vec<Uuid>>,
    photo_ids: Option<Vec<Uuid>>,
) -> Targets {
    Targets {
        issues: issue_ids.unwrap_or_default(),
        inspections: inspection_ids.unwrap_or_default(),
        photos: photo_ids.unwrap_or_default(),
    }
}

impl From<CaseFilter> for crate::service::case::CaseFilter {
    fn from(f: CaseFilter) -> Self {
        Self { project_id: f.project_id, kind: f.kind, status: f.status, unit_id: f.unit_id, search: f.search }
    }
}
