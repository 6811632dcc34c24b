//! The visibility rules workflow domains share: a DEPARTMENT user sees what their unit answers for;
//! every other role sees everything.

use entity::user::Role;
use entity::{project, project_paired_unit};
use sea_orm::sea_query::{IntoIden, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityName};
use uuid::Uuid;

use crate::auth::Caller;

/// The units a DEPARTMENT caller acts for: its own for a person, up to [`Units::MAX`] for an
/// integration key narrowed to several. A plain value (`Copy`), so loaders are keyed by it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Units {
    ids: [Uuid; Units::MAX],
    len: u8,
}

impl Units {
    /// The most units one caller acts for.
    pub const MAX: usize = 8;

    /// One unit.
    pub fn one(unit: Uuid) -> Self {
        let mut ids = [Uuid::nil(); Self::MAX];
        ids[0] = unit;
        Self { ids, len: 1 }
    }

    /// `units` (sorted, without repeats), if there are 1 to [`Self::MAX`] of them.
    pub fn of(units: &[Uuid]) -> Option<Self> {
        let mut sorted = units.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        if sorted.is_empty() || sorted.len() > Self::MAX {
            return None;
        }
        let mut ids = [Uuid::nil(); Self::MAX];
        ids[..sorted.len()].copy_from_slice(&sorted);
        Some(Self { ids, len: u8::try_from(sorted.len()).ok()? })
    }

    pub fn as_slice(&self) -> &[Uuid] {
        &self.ids[..usize::from(self.len)]
    }

    pub fn contains(&self, unit: Uuid) -> bool {
        self.as_slice().contains(&unit)
    }
}

/// Whose records a caller sees: `Some(units)` for a DEPARTMENT caller, `None` (all) for every other
/// role. Loaders that filter by visibility are keyed by it.
pub fn department_scope(caller: &Caller) -> Option<Units> {
    (caller.role() == Role::Department).then(|| caller.units())
}

/// `SELECT id FROM projects WHERE responsible_unit_id IN units`: the projects the units answer for.
pub fn projects_of_unit(units: Units) -> SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ResponsibleUnitId.is_in(units.as_slice().iter().copied()))
        .to_owned()
}

/// `SELECT project_id FROM project_paired_units WHERE unit_id IN units`: the projects the units are
/// paired with to serve (六包). A paired unit sees these projects' issues, cases, inspections and
/// photos as the responsible unit does.
pub fn projects_paired_with(units: Units) -> SelectStatement {
    Query::select()
        .column(project_paired_unit::Column::ProjectId)
        .from(project_paired_unit::Entity)
        .and_where(project_paired_unit::Column::UnitId.is_in(units.as_slice().iter().copied()))
        .to_owned()
}

/// `SELECT owner FROM join_table WHERE unit_column IN units`: the records the units take part in
/// through a join table (co-operating units of an issue, participating units of a case).
pub fn joined_by_unit<C>(owner: C, unit_column: C, units: Units) -> SelectStatement
where
    C: ColumnTrait,
    C::EntityName: EntityName + Default,
{
    Query::select()
        .column(owner)
        .from(C::EntityName::default().into_iden())
        .and_where(unit_column.is_in(units.as_slice().iter().copied()))
        .to_owned()
}
