//! The visibility rules workflow domains share: a DEPARTMENT user sees what their unit answers for;
//! every other role sees everything.

use entity::project;
use entity::user::Role;
use sea_orm::sea_query::{IntoIden, Query, SelectStatement};
use sea_orm::{ColumnTrait, EntityName};
use uuid::Uuid;

use crate::auth::Caller;

/// Whose records a caller sees: `Some(unit)` for a DEPARTMENT user, `None` (all) for every other
/// role. Loaders that filter by visibility are keyed by it.
pub fn department_scope(caller: &Caller) -> Option<Uuid> {
    (caller.role() == Role::Department).then(|| caller.unit_id())
}

/// `SELECT id FROM projects WHERE responsible_unit_id = unit`: the projects a unit answers for.
pub fn projects_of_unit(unit: Uuid) -> SelectStatement {
    Query::select()
        .column(project::Column::Id)
        .from(project::Entity)
        .and_where(project::Column::ResponsibleUnitId.eq(unit))
        .to_owned()
}

/// `SELECT owner FROM join_table WHERE unit_column = unit`: the records a unit takes part in through
/// a join table (co-operating units of an issue, participating units of a case).
pub fn joined_by_unit<C>(owner: C, unit_column: C, unit: Uuid) -> SelectStatement
where
    C: ColumnTrait,
    C::EntityName: EntityName + Default,
{
    Query::select().column(owner).from(C::EntityName::default().into_iden()).and_where(unit_column.eq(unit)).to_owned()
}
