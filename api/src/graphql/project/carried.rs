//! A project as a resolver holds it: its row, and what its page read with it.

use entity::project::{self, Light};

/// A key project (重点项目) of the programme.
pub struct Project(pub project::Model, pub(super) Carried);

/// What a page read with a project beyond its row, so its fields need no loader: its light today
/// (current), and its responsible unit and leader with the columns every selection of them on the
/// page reads.
#[derive(Default)]
pub(super) struct Carried {
    pub(super) light: Option<Light>,
    pub(super) unit: Option<entity::unit::Model>,
    pub(super) leader: Option<entity::user::Model>,
}

impl From<project::Model> for Project {
    fn from(row: project::Model) -> Self {
        Self(row, Carried::default())
    }
}

impl From<crate::service::project::ProjectRead> for Project {
    fn from(read: crate::service::project::ProjectRead) -> Self {
        Self(read.project, Carried { light: read.light, unit: read.unit, leader: read.leader })
    }
}
