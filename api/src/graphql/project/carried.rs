//! A project as a resolver holds it: its row, and what its page read with it.

use entity::project::{self, Light};

use crate::clock::Day;
use crate::service::report::Newest;

/// A key project (重点项目) of the programme.
pub struct Project(pub project::Model, pub(super) Carried);

/// What a page read with a project beyond its row, so its fields need no loader: its light on the
/// page's day (current), its responsible unit and leader with the columns every selection of
/// them on the page reads, and its newest reports.
#[derive(Default)]
pub(super) struct Carried {
    /// The kept light and the day it holds for; read only when every `health` the page selects
    /// asks for the light alone.
    pub(super) light: Option<(Light, Day)>,
    pub(super) unit: Option<entity::unit::Model>,
    pub(super) leader: Option<entity::user::Model>,
    /// The newest reports, as many and with the columns one list of reports on the page shows.
    pub(super) reports: Option<(Newest, Vec<entity::monthly_report::Model>)>,
}

impl From<project::Model> for Project {
    fn from(row: project::Model) -> Self {
        Self(row, Carried::default())
    }
}

impl Project {
    /// A project as its page read it, on `day` (the day its kept light was read for).
    pub(super) fn read(read: crate::service::project::ProjectRead, day: Day) -> Self {
        let light = read.light.map(|light| (light, day));
        Self(read.project, Carried { light, unit: read.unit, leader: read.leader, reports: read.reports })
    }
}
