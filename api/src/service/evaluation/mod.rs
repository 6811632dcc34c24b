//! The quarterly evaluation of the project-building environment (项目建设环境集中测评): project
//! owners and enterprises score the functional departments on the criteria of a checklist
//! template (its NUMBER items), each respondent once, anonymously to the departments scored; the
//! evaluation closes on a day and its results stand from then. Who sees which result is decided by
//! [`results_scope`], here and nowhere else.

mod open;
mod respond;
mod results;

pub use open::{NewEvaluation, close, criteria_in, criteria_of, evaluations, find, open, units_of};
pub use respond::{Respondent, Response, Score, respond, respondent_hash};
pub use results::{CriterionMean, UnitResult, answered, results};

use chrono::NaiveDate;
use entity::environment_evaluation;
use entity::user::Role;

use crate::auth::Caller;
use crate::service::kit::{self, Units};

/// Where an evaluation stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum EvaluationStatus {
    /// Not open for responses yet.
    Scheduled,
    /// Taking responses.
    Open,
    /// Closed (by the office, or its last day passed): its results stand.
    Closed,
}

/// Where `evaluation` stands on `today`.
pub fn status_of(evaluation: &environment_evaluation::Model, today: NaiveDate) -> EvaluationStatus {
    if evaluation.closed_at.is_some() || today > evaluation.closes_on {
        EvaluationStatus::Closed
    } else if today < evaluation.opens_on {
        EvaluationStatus::Scheduled
    } else {
        EvaluationStatus::Open
    }
}

/// Whose results a caller sees: `None` for every department's (the office, leaders, inspectors,
/// unscoped keys), `Some(units)` for a department's own (it sees its scores and rank, never who
/// gave them).
pub fn results_scope(caller: &Caller) -> Option<Units> {
    match caller.role() {
        Role::Admin | Role::Leader | Role::Inspector => None,
        _ => kit::department_scope(caller),
    }
}
