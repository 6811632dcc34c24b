//! Reading only the columns of a project that a read needs. A page of fifty project names need not
//! decode fifty boundaries, descriptions and timestamps: on SQLite every value read is copied out of
//! the database and again into Rust, on PostgreSQL decoded from the wire. A project read with
//! [`Columns`] short of [`Columns::ALL`] holds a placeholder in every field it did not read, so such
//! a row goes only where what will read it is known (a page whose selection asked for those columns,
//! see `graphql::project::columns`).

use entity::project::{self, Column as C, Industry, ProjectCategory, ProjectStatus};
use sea_orm::{DbErr, FromQueryResult, IdenStatic, Iterable, QueryResult, QuerySelect, Select, TryGetable};

/// A set of a project's columns; the id is always in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Columns(u64);

impl Columns {
    /// Every column: a whole row.
    pub const ALL: Self = Self(u64::MAX);

    /// The id alone.
    pub fn id() -> Self {
        Self(bit(C::Id))
    }

    /// These columns and `column`.
    #[must_use]
    pub fn with(self, column: C) -> Self {
        Self(self.0 | bit(column))
    }

    /// These columns and `others`.
    #[must_use]
    pub fn and(self, others: Self) -> Self {
        Self(self.0 | others.0)
    }

    pub fn has(self, column: C) -> bool {
        self.0 & bit(column) != 0
    }

    fn is_all(self) -> bool {
        /// Every column's bit, worked out once: a page asks this of each of its rows.
        static EVERY: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| C::iter().map(bit).fold(0, |a, b| a | b));
        self.0 & *EVERY == *EVERY
    }

    /// `q` narrowed to these columns (unchanged for a whole row).
    pub fn select(self, q: Select<project::Entity>) -> Select<project::Entity> {
        if self.is_all() {
            return q;
        }
        C::iter().filter(|c| self.has(*c)).fold(q.select_only(), |q, c| q.column(c))
    }

    /// A project from a row read with [`Self::select`]; the fields of columns not read hold
    /// placeholders (empty, zero, none, the first variant, 1970).
    pub fn read(self, row: &QueryResult) -> Result<project::Model, DbErr> {
        if self.is_all() {
            return project::Model::from_query_result(row, "");
        }
        let pick = Pick(row, self);
        Ok(project::Model {
            id: row.try_get("", C::Id.as_str())?,
            code: pick.or(C::Code, None)?,
            name: pick.or(C::Name, String::new())?,
            category: pick.or(C::Category, ProjectCategory::KeyConstruction)?,
            industry: pick.or(C::Industry, Industry::Other)?,
            status: pick.or(C::Status, ProjectStatus::Planned)?,
            responsible_unit_id: pick.or(C::ResponsibleUnitId, uuid::Uuid::nil())?,
            leader_id: pick.or(C::LeaderId, uuid::Uuid::nil())?,
            total_investment_fen: pick.or(C::TotalInvestmentFen, 0)?,
            prior_completed_fen: pick.or(C::PriorCompletedFen, 0)?,
            progress_bp: pick.or(C::ProgressBp, 0)?,
            planned_start: pick.or(C::PlannedStart, None)?,
            planned_completion: pick.or(C::PlannedCompletion, None)?,
            actual_start: pick.or(C::ActualStart, None)?,
            actual_completion: pick.or(C::ActualCompletion, None)?,
            lat: pick.or(C::Lat, 0.0)?,
            lng: pick.or(C::Lng, 0.0)?,
            site_radius_m: pick.or(C::SiteRadiusM, 0)?,
            boundary: pick.or(C::Boundary, None)?,
            address: pick.or(C::Address, None)?,
            description: pick.or(C::Description, None)?,
            created_at: pick.or(C::CreatedAt, chrono::DateTime::UNIX_EPOCH)?,
            location_datum: pick.or(C::LocationDatum, entity::geo::Datum::default())?,
            updated_at: pick.or(C::UpdatedAt, chrono::DateTime::UNIX_EPOCH)?,
        })
    }
}

fn bit(column: C) -> u64 {
    1 << (column as u64)
}

/// Reads a column when it was selected.
struct Pick<'a>(&'a QueryResult, Columns);

impl Pick<'_> {
    fn or<T: TryGetable>(&self, column: C, placeholder: T) -> Result<T, DbErr> {
        if self.1.has(column) { Ok(self.0.try_get("", column.as_str())?) } else { Ok(placeholder) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_has_a_bit_of_its_own() {
        let columns: Vec<C> = C::iter().collect();
        assert!(columns.len() <= 64, "a project has more columns than Columns can tell apart");
        for (i, c) in columns.iter().enumerate() {
            assert_eq!(*c as u64, i as u64);
            assert!(Columns::id().with(*c).has(*c));
        }
        assert!(!Columns::id().has(C::Name));
        assert!(Columns::id().is_all() == (columns.len() == 1));
        assert!(columns.iter().fold(Columns::id(), |s, c| s.with(*c)).is_all());
    }
}
