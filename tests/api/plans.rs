//! A page of projects reads off an index in every order it offers: the database walks the index
//! from the cursor and stops after the page, with no sort of the library (or of the page) between.
//! Checked on the demo county with the statement the server runs, on SQLite and on PostgreSQL.

use api::service::columns::Columns as Of;
use api::service::page::PageRequest;
use api::service::project::{Columns, Order, OrderField, ProjectFilter, Reads, page_statement};
use api::service::report::Newest;
use entity::project::{Column as C, Light};
use entity::{monthly_report, unit, user};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement, TransactionTrait};

use crate::helpers::{TestResult, county_today, demo_database};

/// The plan the database makes for `statement`, a line per step. PostgreSQL is told to avoid sorts
/// where it can: on a county's few hundred rows it may sort rather than walk an index that would
/// serve, so a sort left in its plan means no index gives the order.
async fn plan(db: &sea_orm::DatabaseConnection, statement: Statement) -> TestResult<Vec<String>> {
    let backend = db.get_database_backend();
    let txn = db.begin().await?;
    let (explain, column) = match backend {
        DbBackend::Postgres => {
            txn.execute_unprepared("SET LOCAL enable_sort = off").await?;
            ("EXPLAIN", "QUERY PLAN")
        }
        _ => ("EXPLAIN QUERY PLAN", "detail"),
    };
    let values = statement.values.map(|v| v.0).unwrap_or_default();
    let rows =
        txn.query_all(Statement::from_sql_and_values(backend, format!("{explain} {}", statement.sql), values)).await?;
    txn.rollback().await?;
    Ok(rows.iter().map(|row| row.try_get::<String>("", column)).collect::<Result<_, _>>()?)
}

#[tokio::test]
async fn every_order_of_the_project_list_reads_off_an_index_without_sorting() -> TestResult {
    let dir = tempfile::tempdir()?;
    let db = Database::connect(demo_database(dir.path()).await?).await?;
    let backend = db.get_database_backend();
    let first_page = PageRequest::new(Some(50), None, 100)?;
    for field in [OrderField::Name, OrderField::TotalInvestment, OrderField::CreatedAt] {
        for descending in [false, true] {
            let order = Order { field, descending };
            let columns = Columns::id().with(C::Name).with(C::TotalInvestmentFen);
            let lit = Reads { light_on: Some(county_today()), ..Default::default() };
            let all = ProjectFilter::default();
            // The projects showing a light, by name, walk the kept lights' index instead.
            let red = ProjectFilter { showing: Some((Light::Red, county_today())), ..all.clone() };
            // A page with everything it can read by its own statement: the kept lights, the units'
            // and leaders' names, and each project's newest reports off their own index.
            let everything = Reads {
                light_on: Some(county_today()),
                unit: Some(Of::<unit::Model>::id().with(unit::Column::Name)),
                leader: Some(Of::<user::Model>::id().with(user::Column::DisplayName)),
                reports: Some(Newest {
                    first: 3,
                    columns: Of::<monthly_report::Model>::id().with(monthly_report::Column::InvestmentFen),
                }),
            };
            let mut cases = vec![(&all, Reads::default()), (&all, lit), (&all, everything)];
            if field == OrderField::Name {
                cases.extend([(&red, Reads::default()), (&red, lit)]);
            }
            for (filter, reads) in cases {
                let statement = page_statement(backend, filter, order, &first_page, columns, reads)?;
                let sql = statement.sql.clone();
                let steps = plan(&db, statement).await?;
                let sorts: Vec<&String> =
                    steps.iter().filter(|s| s.contains("Sort") || s.contains("TEMP B-TREE")).collect();
                assert!(sorts.is_empty(), "{order:?} sorts: {sorts:?}\n{sql}\n{}", steps.join("\n"));
                let index =
                    steps.iter().any(|s| s.contains("ix_projects_") || s.contains("pkey") || s.contains("INDEX"));
                assert!(index, "{order:?} reads no index:\n{sql}\n{}", steps.join("\n"));
            }
        }
    }
    Ok(())
}
