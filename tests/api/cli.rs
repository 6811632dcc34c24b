//! The binary's subcommands, run as a person or a script would run them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{TestApp, TestResult, fresh_database};

fn keyprojects(database_url: &str, data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyprojects"));
    cmd.env("KP_DATABASE_URL", database_url)
        .env("KP_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .env_remove("KP_JWT_SECRET")
        .env_remove("KP_PRODUCTION")
        .env("RUST_LOG", "warn");
    cmd
}

#[tokio::test]
async fn migrate_seed_and_user_create_make_a_working_account() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(dir.path()).await?;
    let out = keyprojects(&url, dir.path()).arg("migrate").output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let out = keyprojects(&url, dir.path()).args(["seed", "--demo"]).output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("57 units"));
    let again = keyprojects(&url, dir.path()).args(["seed", "--demo"]).output()?;
    assert!(String::from_utf8_lossy(&again.stdout).contains("nothing loaded"));

    let mut child = keyprojects(&url, dir.path())
        .args(["user", "create", "--username", "land.clerk", "--role", "department", "--unit", "自然资源局"])
        .args(["--display-name", "土地科", "--password-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child.stdin.take().ok_or("stdin")?.write_all(b"piped-password-1\n")?;
    let out = child.wait_with_output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let unknown_unit = keyprojects(&url, dir.path())
        .args(["user", "create", "--username", "x.y", "--role", "ADMIN", "--unit", "不存在的局", "--password-stdin"])
        .stdin(Stdio::null())
        .output()?;
    assert!(!unknown_unit.status.success());

    let app = TestApp::spawn_on(url, dir, |_| {}).await?;
    let token = app.login("land.clerk", "piped-password-1").await?;
    let me = app.data("{ me { role unit { name } } }", serde_json::json!({}), Some(&token)).await?;
    assert_eq!(me["me"]["role"], "DEPARTMENT");
    assert_eq!(me["me"]["unit"]["name"], "自然资源局");
    Ok(())
}

#[test]
fn production_mode_refuses_to_start_without_a_secret() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("p.db").display());
    let out = keyprojects(&url, dir.path()).args(["--production", "migrate"]).output()?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("KP_JWT_SECRET"));
    let out =
        keyprojects(&url, dir.path()).args(["--production", "migrate"]).env("KP_JWT_SECRET", "too-short").output()?;
    assert!(!out.status.success());
    let out = keyprojects(&url, dir.path())
        .args(["--production", "migrate"])
        .env("KP_JWT_SECRET", "a-long-enough-secret-for-production-use")
        .output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

#[test]
fn export_schema_check_agrees_with_the_committed_file() -> TestResult {
    let out = Command::new(env!("CARGO_BIN_EXE_keyprojects"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["export-schema", "--check"])
        .output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let dir = tempfile::tempdir()?;
    let stale = dir.path().join("schema.graphql");
    std::fs::write(&stale, "type Query { stale: Int }")?;
    let out = Command::new(env!("CARGO_BIN_EXE_keyprojects"))
        .args(["export-schema", "--check", "--path"])
        .arg(&stale)
        .output()?;
    assert!(!out.status.success());
    Ok(())
}

#[test]
fn the_dev_secret_is_made_once_and_kept_in_the_data_folder() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("d.db").display());
    for _ in 0..2 {
        let out = keyprojects(&url, dir.path()).arg("migrate").output()?;
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    let secret = std::fs::read_to_string(dir.path().join("jwt-secret"))?;
    assert!(secret.len() >= 32);
    Ok(())
}
