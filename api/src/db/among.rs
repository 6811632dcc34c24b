//! "One of these ids" in a statement whose text does not depend on how many ids there are.

use sea_orm::sea_query::{Expr, PgFunc, SimpleExpr};
use sea_orm::{DbBackend, IntoSimpleExpr};
use uuid::Uuid;

/// `column` is one of `ids`. PostgreSQL gets `column = ANY($1)` with the ids bound as one array: a
/// batch of three and a batch of a hundred are then one statement, parsed and planned once per
/// connection and kept in its statement cache, where a list of parameters made a statement (and a
/// cache entry) of every length and was evaluated element by element for every row it was checked
/// against. SQLite, which turns a list into a lookup table of its own, keeps the bound list.
pub fn among(column: impl IntoSimpleExpr, ids: impl IntoIterator<Item = Uuid>, backend: DbBackend) -> SimpleExpr {
    let column = Expr::expr(column.into_simple_expr());
    match backend {
        DbBackend::Postgres => column.eq(PgFunc::any(Expr::val(ids.into_iter().collect::<Vec<Uuid>>()))),
        _ => column.is_in(ids),
    }
}

#[cfg(test)]
mod tests {
    use entity::unit::Column;
    use sea_orm::{EntityTrait, QueryFilter, QueryTrait};

    use super::*;

    fn sql(n: usize, backend: DbBackend) -> String {
        let ids = (0..n).map(|i| Uuid::from_u128(i as u128));
        entity::unit::Entity::find().filter(among(Column::Id, ids, backend)).build(backend).sql
    }

    #[test]
    fn on_postgresql_the_statement_is_one_whatever_the_number_of_ids() {
        let three = sql(3, DbBackend::Postgres);
        assert_eq!(three, sql(100, DbBackend::Postgres));
        assert!(three.ends_with(r#"WHERE "units"."id" = ANY($1)"#), "{three}");
    }

    #[test]
    fn on_sqlite_the_ids_are_a_bound_list() {
        let three = sql(3, DbBackend::Sqlite);
        assert!(three.ends_with(r#"WHERE "units"."id" IN (?, ?, ?)"#), "{three}");
    }

    #[test]
    fn no_ids_match_nothing_on_either() {
        let statement = |backend| {
            let q = entity::unit::Entity::find().filter(among(Column::Id, [], backend));
            q.build(backend).to_string()
        };
        assert!(statement(DbBackend::Sqlite).contains("1 = 2"), "{}", statement(DbBackend::Sqlite));
        assert!(statement(DbBackend::Postgres).contains("ANY"), "{}", statement(DbBackend::Postgres));
    }
}
