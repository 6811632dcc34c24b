//! Counties upgrade in place: a database made by an earlier release keeps every row under the new
//! migrations.

use migration::MigratorTrait;
use sea_orm::sea_query::{Alias, Expr, Query};
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

#[tokio::test]
async fn passwords_move_out_of_the_accounts_and_still_sign_in() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(dir.path()).await?;
    let db = Database::connect(url.as_str()).await?;
    // The release before: eleven migrations, hashes in `users.password_hash`. A demo county made by
    // this release is copied in, its hashes put back where that release kept them.
    migration::Migrator::up(&db, Some(11)).await?;
    let hash = api::auth::PasswordHasher::new(1).hash("old-release-pw-1".to_owned()).await?;
    let (unit, user) = (uuid::Uuid::now_v7(), uuid::Uuid::now_v7());
    let at = chrono::Utc::now();
    let units = Query::insert()
        .into_table(Alias::new("units"))
        .columns(["id", "name", "kind", "has_funding_targets", "created_at"].map(Alias::new))
        .values([unit.into(), "项目办".into(), "PROJECT_OFFICE".into(), false.into(), at.into()])?
        .to_owned();
    let users = Query::insert()
        .into_table(Alias::new("users"))
        .columns(
            [
                "id",
                "username",
                "display_name",
                "password_hash",
                "role",
                "unit_id",
                "active",
                "session_epoch",
                "created_at",
                "updated_at",
            ]
            .map(Alias::new),
        )
        .values([
            user.into(),
            "veteran".into(),
            "老用户".into(),
            hash.clone().into(),
            "ADMIN".into(),
            unit.into(),
            true.into(),
            3.into(),
            at.into(),
            at.into(),
        ])?
        .to_owned();
    let backend = db.get_database_backend();
    db.execute(backend.build(&units)).await?;
    db.execute(backend.build(&users)).await?;
    db.close().await?;
    let app = crate::helpers::TestApp::spawn_on(url.clone(), dir, |_| {}).await?;
    let token = app.login("veteran", "old-release-pw-1").await?;
    let me = app.data("{ me { username displayName role } }", serde_json::json!({}), Some(&token)).await?;
    assert_eq!(me["me"]["displayName"], "老用户");
    // The account table holds no hash any more; the hash moved whole.
    let db = Database::connect(url.as_str()).await?;
    let backend = db.get_database_backend();
    let names = columns(&db, "users").await?;
    assert!(names.contains(&"username".to_owned()) && !names.iter().any(|n| n.contains("password")), "{names:?}");
    let select = Query::select()
        .column(Alias::new("password_hash"))
        .from(Alias::new("user_credentials"))
        .and_where(Expr::col(Alias::new("user_id")).eq(user))
        .to_owned();
    let row = db.query_one(backend.build(&select)).await?.ok_or("the hash did not move")?;
    assert_eq!(row.try_get::<String>("", "password_hash")?, hash);
    db.close().await?;
    Ok(())
}

#[tokio::test]
async fn create_payloads_move_out_of_their_rows_and_still_tell_replays() -> TestResult {
    let app = crate::helpers::TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let project = crate::projects::create(&app, &admin, "幂等迁移项目").await?;
    let id = uuid::Uuid::new_v4();
    let raise = "mutation($i: RaiseIssueInput!) { raiseIssue(input: $i) { id number } }";
    let input = |title: &str| serde_json::json!({ "i": { "id": id, "projectId": project, "kind": "UTILITIES", "title": title } });
    let first = app.data(raise, input("施工用电未接入"), Some(&admin)).await?;
    // Back to the release before (payloads in the rows) and forward again: the payload travels.
    let db = Database::connect(app.database_url.as_str()).await?;
    let applied = migration::Migrator::get_applied_migrations(&db).await?.len() as u32;
    migration::Migrator::down(&db, Some(applied - 12)).await?;
    let backend = db.get_database_backend();
    let kept = Query::select()
        .column(Alias::new("create_payload"))
        .from(Alias::new("issues"))
        .and_where(Expr::col(Alias::new("id")).eq(id))
        .to_owned();
    let row = db.query_one(backend.build(&kept)).await?.ok_or("the issue is gone")?;
    let payload: serde_json::Value = row.try_get("", "create_payload")?;
    assert_eq!(payload["title"], "施工用电未接入", "{payload}");
    migration::Migrator::up(&db, None).await?;
    // Reading issues and inspections loads what they show, not the requests that made them.
    for table in ["issues", "inspections"] {
        let names = columns(&db, table).await?;
        assert!(names.contains(&"id".to_owned()) && !names.iter().any(|n| n.contains("payload")), "{table}: {names:?}");
    }
    db.close().await?;
    let again = crate::helpers::TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    let admin = again.login_as("admin").await?;
    let replayed = again.data(raise, input("施工用电未接入"), Some(&admin)).await?;
    assert_eq!(replayed, first, "the same create again answers the stored issue");
    let other = again.gql(raise, input("另一个问题"), Some(&admin)).await?;
    assert_eq!(crate::helpers::error_code(&other), Some("CONFLICT"), "{other}");
    Ok(())
}

/// The column names of `table`.
async fn columns(db: &sea_orm::DatabaseConnection, table: &str) -> TestResult<Vec<String>> {
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DatabaseBackend::Postgres => {
            format!("SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}'")
        }
        _ => format!("SELECT name FROM pragma_table_info('{table}')"),
    };
    Ok(db
        .query_all(Statement::from_string(backend, sql))
        .await?
        .iter()
        .filter_map(|r| r.try_get::<String>("", "name").ok())
        .collect())
}

#[tokio::test]
async fn a_key_narrowed_to_a_unit_keeps_it_when_keys_may_name_several() -> TestResult {
    let app = crate::helpers::TestApp::spawn().await?;
    let admin = app.login_as("admin").await?;
    let make = "mutation($i: CreateIntegrationKeyInput!) { createIntegrationKey(input: $i) { secret } }";
    let input = serde_json::json!({ "i": { "name": "自然资源局 系统", "scopes": ["ISSUES_READ", "DIRECTORY_READ"], "unitIds": [crate::helpers::unit_id("自然资源局")] } });
    let secret = app.data(make, input, Some(&admin)).await?["createIntegrationKey"]["secret"]
        .as_str()
        .ok_or("secret")?
        .to_owned();
    let issues = "{ issues(first: 100) { totalCount } }";
    let before = app.data(issues, serde_json::json!({}), Some(&secret)).await?;
    // Back to the release where a key named one unit in its own row, and forward again.
    let db = Database::connect(app.database_url.as_str()).await?;
    let applied = migration::Migrator::get_applied_migrations(&db).await?.len() as u32;
    migration::Migrator::down(&db, Some(applied - 18)).await?;
    assert!(!columns(&db, "integration_key_units").await?.contains(&"key_id".to_owned()));
    migration::Migrator::up(&db, None).await?;
    db.close().await?;
    let again = crate::helpers::TestApp::spawn_on(app.database_url.clone(), tempfile::tempdir()?, |_| {}).await?;
    assert_eq!(
        again.data(issues, serde_json::json!({}), Some(&secret)).await?,
        before,
        "the key still sees its unit's"
    );
    let listed = again
        .data(
            "{ integrationKeys { edges { node { units { name } } } } }",
            serde_json::json!({}),
            Some(&again.login_as("admin").await?),
        )
        .await?;
    assert_eq!(listed["integrationKeys"]["edges"][0]["node"]["units"], serde_json::json!([{ "name": "自然资源局" }]));
    Ok(())
}

#[tokio::test]
async fn the_unit_rollups_have_a_column_for_every_category_and_industry() -> TestResult {
    let app = crate::helpers::TestApp::spawn().await?;
    let db = Database::connect(app.database_url.as_str()).await?;
    let have = columns(&db, "unit_rollups").await?;
    for column in api::service::rollups::figure_columns() {
        assert!(have.contains(&column), "unit_rollups has no column {column}: a new category or industry needs one");
    }
    Ok(())
}
