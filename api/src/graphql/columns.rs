//! Which columns of a row a selection reads, from a table of what each field of its GraphQL type
//! reads (see [`crate::service::columns`]). Each type that is read partially keeps its own table
//! next to its objects, and a test of its own compares every field read that way with whole rows.

use async_graphql::SelectionField;

use crate::service::columns::{Columns, Partial};

/// What each field of a type reads from its row beyond the primary key.
pub type Reads<M> = [(&'static str, &'static [<M as Partial>::Column])];

/// The columns `fields` read: whole rows when one of them is not in `reads`, so a field added to the
/// type later is never shown a placeholder, only read slower.
pub fn read_by<'a, M: Partial>(reads: &Reads<M>, fields: impl IntoIterator<Item = SelectionField<'a>>) -> Columns<M> {
    fields
        .into_iter()
        .try_fold(Columns::id(), |columns, field| {
            let (_, read) = reads.iter().find(|(name, _)| *name == field.name())?;
            Some(read.iter().fold(columns, |columns, column| columns.with(*column)))
        })
        .unwrap_or(Columns::ALL)
}

/// Whether a table names each field once.
#[cfg(test)]
pub fn each_listed_once<C>(reads: &[(&str, &[C])]) -> bool {
    let mut names: Vec<&str> = reads.iter().map(|(name, _)| *name).collect();
    names.sort_unstable();
    let count = names.len();
    names.dedup();
    names.len() == count
}
