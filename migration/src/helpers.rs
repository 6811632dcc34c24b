//! Small builders the migrations share.

use sea_orm_migration::prelude::*;

/// A foreign key that refuses to delete a referenced row.
pub fn fk(
    name: &str,
    from: (impl IntoIden + 'static, impl IntoIden + 'static),
    to: (impl IntoIden + 'static, impl IntoIden + 'static),
) -> ForeignKeyCreateStatement {
    ForeignKey::create().name(name).from(from.0, from.1).to(to.0, to.1).on_delete(ForeignKeyAction::Restrict).to_owned()
}

/// A UUID column that is never null.
pub fn uuid(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).uuid().not_null().to_owned()
}

/// A timestamp-with-zone column that is never null.
pub fn at(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).timestamp_with_time_zone().not_null().to_owned()
}

/// A string column of at most `len` characters that is never null.
pub fn text(c: impl IntoIden, len: u32) -> ColumnDef {
    ColumnDef::new(c).string_len(len).not_null().to_owned()
}

/// A text column that is never null.
pub fn long(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).text().not_null().to_owned()
}

/// A money column (fen in a BIGINT) that is never null.
pub fn fen(c: impl IntoIden) -> ColumnDef {
    ColumnDef::new(c).big_integer().not_null().to_owned()
}

/// An index named `name` on `cols` of `table`.
pub fn index(
    name: &str,
    table: impl IntoIden + 'static,
    cols: Vec<impl IntoIden + Clone + 'static>,
) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(table);
    for c in cols {
        i.col(c);
    }
    i.to_owned()
}
