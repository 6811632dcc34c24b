//! Counties upgrade in place: a database made by an earlier release keeps every row under the new
//! migrations.

use migration::MigratorTrait;
use sea_orm::{ConnectionTrait, Database, Statement};

use crate::helpers::{TestResult, fresh_database};

#[tokio::test]
async fn the_office_settings_keep_their_values_through_the_rename() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(dir.path()).await?;
    let db = Database::connect(url.as_str()).await?;
    // The release before: eight migrations, settings in `health_rules`.
    migration::Migrator::up(&db, Some(8)).await?;
    db.execute_unprepared("UPDATE health_rules SET yellow_gap_pp = 7, red_gap_pp = 19, report_due_day = 9").await?;
    migration::Migrator::up(&db, None).await?;
    let backend = db.get_database_backend();
    let row = db
        .query_one(Statement::from_string(
            backend,
            "SELECT yellow_gap_pp, red_gap_pp, report_due_day FROM office_settings WHERE id = 1",
        ))
        .await?
        .ok_or("the settings row is gone")?;
    let values: (i32, i32, i32) =
        (row.try_get("", "yellow_gap_pp")?, row.try_get("", "red_gap_pp")?, row.try_get("", "report_due_day")?);
    assert_eq!(values, (7, 19, 9));
    db.close().await?;
    Ok(())
}
