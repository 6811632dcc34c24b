//! Reading only the columns of a row that a read needs. A page of fifty project names need not
//! decode fifty boundaries, descriptions and timestamps, nor a project's three newest reports their
//! narratives: on SQLite every value read is copied out of the database and again into Rust, on
//! PostgreSQL formatted by the server and decoded from the wire. A row read with [`Columns`] short of
//! [`Columns::ALL`] holds a placeholder in every field it did not read, so such a row goes only where
//! what will read it is known (a selection that asked for those columns; each table's GraphQL side
//! says which field reads which columns and a test compares every field with whole rows).

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;

use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ColumnTrait, DbErr, EntityTrait, FromQueryResult, IdenStatic, Iterable, QueryResult, QuerySelect, Select,
    TryGetable,
};

/// A model that can be read with some of its columns.
pub trait Partial: FromQueryResult + Sized {
    /// The table's columns (a field-less enum of at most 64).
    type Column: ColumnTrait + Iterable + Copy;
    /// The primary key, always read.
    const ID: Self::Column;
    /// The column's position in [`Self::Column`] (`column as u32`).
    fn position(column: Self::Column) -> u32;
    /// The model from a row read with `pick`'s columns, placeholders in the rest (see [`Pick::or`]).
    fn pick(pick: &Pick<'_, Self>) -> Result<Self, DbErr>;
}

/// A set of a table's columns; the primary key is always in it.
pub struct Columns<M>(u64, PhantomData<fn() -> M>);

impl<M: Partial> Columns<M> {
    /// Every column: a whole row.
    pub const ALL: Self = Self(u64::MAX, PhantomData);

    /// The primary key alone.
    pub fn id() -> Self {
        Self(bit::<M>(M::ID), PhantomData)
    }

    /// These columns and `column`.
    #[must_use]
    pub fn with(self, column: M::Column) -> Self {
        Self(self.0 | bit::<M>(column), PhantomData)
    }

    /// These columns and `others`.
    #[must_use]
    pub fn and(self, others: Self) -> Self {
        Self(self.0 | others.0, PhantomData)
    }

    pub fn has(self, column: M::Column) -> bool {
        self.0 & bit::<M>(column) != 0
    }

    /// Whether these are all the table's columns.
    pub fn is_all(self) -> bool {
        let every = M::Column::iter().map(bit::<M>).fold(0, |a, b| a | b);
        self.0 & every == every
    }

    /// The columns in the table's order.
    pub fn iter(self) -> impl Iterator<Item = M::Column> {
        M::Column::iter().filter(move |c| self.has(*c))
    }

    /// `q` narrowed to these columns (unchanged for a whole row).
    pub fn select<E: EntityTrait<Column = M::Column>>(self, q: Select<E>) -> Select<E> {
        if self.is_all() {
            return q;
        }
        self.iter().fold(q.select_only(), |q, c| q.column(c))
    }

    /// These columns of the table aliased `alias` in a statement about another table, each named
    /// with `prefix` before its own name (read back with [`Self::reader`] or [`Self::read_as`]).
    pub fn select_as<E: EntityTrait>(self, q: Select<E>, alias: &str, prefix: &str) -> Select<E> {
        self.iter().fold(q, |q, c| q.expr_as(Expr::col((Alias::new(alias), c)), format!("{prefix}{}", c.as_str())))
    }

    /// A model from a row read with these columns (see [`Self::select`]).
    /// ([`Self::ALL`] reads the whole row at once; a set that names every column one by one reads
    /// the same row field by field.)
    pub fn read(self, row: &QueryResult) -> Result<M, DbErr> {
        self.read_as(row, "")
    }

    /// A model from a row whose columns carry `prefix` (see [`Self::select_as`]); none when the row
    /// has no such model (an outer join that found nothing: the primary key is null).
    pub fn read_as(self, row: &QueryResult, prefix: &str) -> Result<M, DbErr> {
        if self == Self::ALL {
            return M::from_query_result(row, prefix);
        }
        M::pick(&Pick { row, columns: self, place: Place::Named(prefix) })
    }

    /// A reader of these columns (carrying `prefix`) in the rows of one statement, whose columns
    /// are `names` (`QueryResult::column_names` of any of its rows): it finds each column's place
    /// in the row by name once, and reads every row by place (a lookup by name hashes the name, for
    /// every column of every row).
    pub fn reader(self, names: &[String], prefix: &str) -> Result<Reader<M>, DbErr> {
        let mut at = [usize::MAX; 64];
        for column in M::Column::iter().filter(|c| self.has(*c)) {
            let name = column.as_str();
            let place = names.iter().position(|n| n.strip_prefix(prefix) == Some(name));
            at[M::position(column) as usize] = place
                .ok_or_else(|| DbErr::Type(format!("the statement reads no column {prefix}{name} of this table")))?;
        }
        Ok(Reader { columns: self, at })
    }
}

fn bit<M: Partial>(column: M::Column) -> u64 {
    1 << M::position(column)
}

// By hand: derived impls would ask the same of `M`, which a set of its columns does not need.
impl<M> Clone for Columns<M> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<M> Copy for Columns<M> {}
impl<M> PartialEq for Columns<M> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<M> Eq for Columns<M> {}
impl<M> Hash for Columns<M> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}
impl<M> fmt::Debug for Columns<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Columns({:#x})", self.0)
    }
}

/// Reads a table's columns out of the rows of one statement by their places (see [`Columns::reader`]).
pub struct Reader<M> {
    columns: Columns<M>,
    /// Each column's place in the row, by its position in the table.
    at: [usize; 64],
}

impl<M: Partial> Reader<M> {
    /// The model in `row` (a row of the statement the reader was made for).
    pub fn read(&self, row: &QueryResult) -> Result<M, DbErr> {
        M::pick(&Pick { row, columns: self.columns, place: Place::At(&self.at) })
    }

    /// Whether `row` holds a model (an outer join found one: its primary key is not null).
    pub fn found(&self, row: &QueryResult) -> Result<bool, DbErr> {
        Ok(self.key(row)?.is_some())
    }

    /// The primary key of the model in `row`, without reading the rest; none after an outer join
    /// that found nothing.
    pub fn key(&self, row: &QueryResult) -> Result<Option<uuid::Uuid>, DbErr> {
        row.try_get_by_index(self.at[M::position(M::ID) as usize])
    }
}

/// A row read with some columns, for [`Partial::pick`].
pub struct Pick<'a, M> {
    row: &'a QueryResult,
    columns: Columns<M>,
    place: Place<'a>,
}

/// Where a row holds a table's columns.
enum Place<'a> {
    /// Under their names, after a prefix.
    Named(&'a str),
    /// At these places, by the columns' positions in the table.
    At(&'a [usize; 64]),
}

impl<M: Partial> Pick<'_, M> {
    /// The column's value when it was read, else `placeholder`.
    pub fn or<T: TryGetable>(&self, column: M::Column, placeholder: T) -> Result<T, DbErr> {
        if self.columns.has(column) { self.get(column) } else { Ok(placeholder) }
    }

    /// A column always read (the primary key).
    pub fn get<T: TryGetable>(&self, column: M::Column) -> Result<T, DbErr> {
        match self.place {
            Place::Named(prefix) => self.row.try_get(prefix, column.as_str()),
            Place::At(at) => self.row.try_get_by_index(at[M::position(column) as usize]),
        }
    }
}

#[cfg(test)]
mod tests {
    use entity::monthly_report;

    use super::*;

    #[test]
    fn every_column_has_a_bit_of_its_own() {
        type C = monthly_report::Column;
        let columns: Vec<C> = C::iter().collect();
        assert!(columns.len() <= 64);
        let id = Columns::<monthly_report::Model>::id();
        for (i, c) in columns.iter().enumerate() {
            assert_eq!(monthly_report::Model::position(*c), i as u32);
            assert!(id.with(*c).has(*c));
        }
        assert!(!id.has(C::Period));
        assert!(!id.is_all());
        assert!(columns.iter().fold(id, |s, c| s.with(*c)).is_all());
    }

    /// A reader finds each column under its prefix, wherever the statement puts it and whatever
    /// else the row holds under the same names, and reads the same model as a lookup by name.
    #[tokio::test]
    async fn a_reader_reads_each_column_from_its_own_place() -> Result<(), DbErr> {
        use sea_orm::{ConnectionTrait, Database, Statement};
        type C = monthly_report::Column;
        let db = Database::connect("sqlite::memory:").await?;
        let id = uuid::Uuid::new_v4();
        let sql = r#"SELECT 'not this one' AS "period", 7 AS "progress_bp", ? AS "r_id", 'x' AS "r_narrative",
            '2026-10' AS "r_period", 4250 AS "r_progress_bp", NULL AS "n_id", NULL AS "n_period""#;
        let rows = db.query_all(Statement::from_sql_and_values(db.get_database_backend(), sql, [id.into()])).await?;
        let row = &rows[0];
        let names = row.column_names();
        let columns = Columns::<monthly_report::Model>::id().with(C::Period).with(C::ProgressBp);
        let reader = columns.reader(&names, "r_")?;
        let read = reader.read(row)?;
        assert_eq!((read.id, read.period.as_str(), read.progress_bp), (id, "2026-10", 4250));
        assert_eq!(read.narrative, "", "a column not asked for is a placeholder");
        assert_eq!(read, columns.read_as(row, "r_")?);
        assert!(reader.found(row)?);
        // An outer join that found nothing: the primary key is null.
        assert!(!Columns::<monthly_report::Model>::id().with(C::Period).reader(&names, "n_")?.found(row)?);
        // A column the statement does not read is refused when the reader is made, not guessed.
        let missing = columns.with(C::Version).reader(&names, "r_");
        assert!(matches!(missing, Err(DbErr::Type(m)) if m.contains("r_version")));
        Ok(())
    }
}
