//! Duties, service logs and filters as clients send them.

use async_graphql::InputObject;
use uuid::Uuid;

use crate::graphql::scalars::Date;
use crate::service::pairing::{DutyInput, NewService, ServiceFilter};

/// One duty of the office's 六包 list.
#[derive(InputObject)]
pub struct PairingDutyInput {
    /// A stable code, 2 to 32 of A–Z, 0–9 and _ starting with a letter (`LAND`).
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(32)"))]
    pub code: String,
    /// Its name, 2 to 100 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(100)"))]
    pub name: String,
}

impl From<PairingDutyInput> for DutyInput {
    fn from(i: PairingDutyInput) -> Self {
        Self { code: i.code, name: i.name }
    }
}

/// Service a paired unit gave its project.
#[derive(InputObject)]
pub struct LogPairingServiceInput {
    /// Chosen by the client (a UUID), so that a retry is not logged twice.
    pub id: Option<Uuid>,
    /// The day it was given: today or up to 366 days back.
    pub date: Date,
    /// The duty served, by its code: one of the pairing's duties.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(32)"))]
    pub duty: String,
    /// What was done, 2 to 2000 characters.
    #[graphql(validator(custom = "crate::graphql::scalars::MaxChars(2000)"))]
    pub text: String,
    /// Photos of the project that show it, at most 20.
    #[graphql(default, validator(max_items = 20))]
    pub photo_ids: Vec<Uuid>,
}

impl From<LogPairingServiceInput> for NewService {
    fn from(i: LogPairingServiceInput) -> Self {
        Self { id: i.id, served_on: i.date.0, duty: i.duty, text: i.text, photo_ids: i.photo_ids }
    }
}

/// Narrows a list of service logs.
#[derive(InputObject, Default)]
pub struct PairingServiceFilter {
    /// Logs on this project.
    pub project_id: Option<Uuid>,
    /// Logs of this unit.
    pub unit_id: Option<Uuid>,
    /// Services given on or after this day.
    pub from: Option<Date>,
    /// Services given on or before this day.
    pub to: Option<Date>,
}

impl From<PairingServiceFilter> for ServiceFilter {
    fn from(f: PairingServiceFilter) -> Self {
        Self { project_id: f.project_id, unit_id: f.unit_id, from: f.from.map(|d| d.0), to: f.to.map(|d| d.0) }
    }
}
