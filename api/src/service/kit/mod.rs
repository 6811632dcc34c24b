//! Mechanics that every workflow domain (issue, case, inspection, and the ones to come) shares,
//! written once: the workflow description, the "projects of my unit" visibility rule, unit
//! validation, saving a record with its audited diff, and creates keyed by a client's id.

pub mod idempotent;
pub mod kept;
pub mod record;
pub mod units;
pub mod visibility;
pub mod workflow;

pub use idempotent::{ClientKeyed, Insert, find_replay, insert_or_replay, payloads_of, replay};
pub use record::{save_audited, save_audited_with};
pub use units::{joined_units, require_units, unit_names};
pub use visibility::{Units, department_scope, joined_by_unit, projects_of_unit, projects_paired_with};
pub use workflow::Workflow;
