//! Rows kept under a version: computed from inputs read after the version, stored only as current
//! when no write moved the version meanwhile (the kept lights, the units' rollups).

use sea_orm::sea_query::{Alias, Expr, SimpleExpr};

/// In an upsert of rows computed under the version read before their inputs: the new
/// `computed` column when the stored `version` is still the one read, else empty (not current).
pub fn computed_if_unmoved<T, V>(table: T, version: V, computed: V) -> SimpleExpr
where
    T: sea_orm::sea_query::IntoIden + 'static,
    V: sea_orm::sea_query::IntoIden + Copy + 'static,
{
    let excluded = Alias::new("excluded");
    let unmoved = Expr::col((table, version)).equals((excluded.clone(), version));
    Expr::case(unmoved, Expr::col((excluded, computed))).finally(Expr::value(Option::<i64>::None)).into()
}
