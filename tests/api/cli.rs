//! The binary's subcommands, run as a person or a script would run them.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::helpers::{TestApp, TestResult, fresh_database};

pub fn keyprojects(database_url: &str, data_dir: &std::path::Path) -> Command {
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
    let why = String::from_utf8_lossy(&unknown_unit.stderr);
    assert!(why.contains("unit not found"), "the failure says why: {why}");

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
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("at least 32 bytes"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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

const PRODUCTION_SECRET: &str = "a-long-enough-secret-for-production-use";

/// Runs the binary with `stdin` as its standard input and says what it printed.
fn run_with_input(mut cmd: Command, stdin: &str) -> TestResult<std::process::Output> {
    let mut child = cmd.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    child.stdin.take().ok_or("stdin")?.write_all(stdin.as_bytes())?;
    Ok(child.wait_with_output()?)
}

#[tokio::test]
async fn a_real_county_is_set_up_from_an_empty_production_database() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = fresh_database(dir.path()).await?;
    let production = |args: &[&str]| {
        let mut cmd = keyprojects(&url, dir.path());
        cmd.arg("--production").args(args).env("KP_JWT_SECRET", PRODUCTION_SECRET);
        cmd
    };
    // The demo county, with its published password, is refused unless asked for by name.
    let out = production(&["seed", "--demo"]).output()?;
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("refusing"), "{}", String::from_utf8_lossy(&out.stderr));
    // Units from the command line and from a CSV file, then the first ADMIN.
    let out = production(&["unit", "create", "--name", "县项目办", "--kind", "PROJECT_OFFICE"]).output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let csv = dir.path().join("units.csv");
    std::fs::write(&csv, "name,kind,funding_targets\n县交通运输局,DEPARTMENT,true\n城关镇,township,\n")?;
    let out = production(&["unit", "import", "--csv"]).arg(&csv).output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let again = production(&["unit", "import", "--csv"]).arg(&csv).output()?;
    assert!(!again.status.success(), "a second import of the same names is refused");
    let mut cmd = production(&["user", "create", "--username", "chief", "--role", "ADMIN", "--unit", "县项目办"]);
    cmd.arg("--password-stdin");
    let weak = run_with_input(cmd, "password\n")?;
    assert!(!weak.status.success(), "a weak first password is refused");
    let mut cmd = production(&["user", "create", "--username", "chief", "--role", "ADMIN", "--unit", "县项目办"]);
    cmd.arg("--password-stdin");
    let out = run_with_input(cmd, "county-office-2027!\n")?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let app = TestApp::spawn_on(url, dir, |c| c.seed_demo_when_empty = false).await?;
    let token = app.login("chief", "county-office-2027!").await?;
    let data = app.data("{ units { totalCount } users { totalCount } }", serde_json::json!({}), Some(&token)).await?;
    assert_eq!(data["units"]["totalCount"], 3);
    assert_eq!(data["users"]["totalCount"], 1, "no demo account was installed");
    Ok(())
}

#[cfg(unix)]
#[test]
fn the_database_and_the_secret_are_readable_by_their_owner_only() -> TestResult {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir()?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_keyprojects"));
    cmd.env("KP_DATA_DIR", dir.path())
        .env_remove("KP_DATABASE_URL")
        .env_remove("DATABASE_URL")
        .env_remove("KP_JWT_SECRET")
        .env_remove("KP_PRODUCTION")
        .env("RUST_LOG", "warn")
        .arg("migrate");
    let out = cmd.output()?;
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["keyprojects.db", "jwt-secret"] {
        let mode = std::fs::metadata(dir.path().join(name))?.permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{name} is {mode:o}");
    }
    Ok(())
}

#[tokio::test]
async fn demo_logins_are_advertised_only_while_their_password_works() -> TestResult {
    let app = TestApp::spawn().await?;
    let listed = api::seed::demo::logins_with_demo_password(&app.state.db, &app.state.hasher).await;
    assert!(listed.contains(&"admin (ADMIN)".to_owned()), "{listed:?}");
    let token = app.login_as("admin").await?;
    let q = "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }";
    app.data(q, serde_json::json!({ "c": crate::helpers::DEMO_PASSWORD, "n": "a-private-password" }), Some(&token))
        .await?;
    let listed = api::seed::demo::logins_with_demo_password(&app.state.db, &app.state.hasher).await;
    assert!(!listed.iter().any(|l| l.starts_with("admin ")), "{listed:?}");
    assert!(listed.contains(&"leader (LEADER)".to_owned()), "{listed:?}");
    Ok(())
}

/// Starts the server from the binary on `url`, waits until it is ready, stops it, and returns what
/// it logged.
async fn serve_once(url: &str, dir: &std::path::Path, envs: &[(&str, &str)]) -> TestResult<String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let mut cmd = keyprojects(url, dir);
    cmd.args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let child = cmd.spawn()?;
    let started = std::time::Instant::now();
    let mut ready = false;
    while started.elapsed() < std::time::Duration::from_secs(30) {
        if let Ok(r) = reqwest::get(format!("http://127.0.0.1:{port}/readyz")).await
            && r.status().is_success()
        {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    // SIGTERM: the server shuts down gracefully and its log ends.
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let out = child.wait_with_output()?;
    let log = String::from_utf8(out.stderr)?;
    assert!(ready, "the server did not become ready: {log}");
    Ok(log)
}

#[tokio::test]
async fn the_log_is_plain_off_a_terminal_json_on_request_and_says_each_thing_once() -> TestResult {
    let dir = tempfile::tempdir()?;
    let url = crate::helpers::fresh_database(dir.path()).await?;
    let first = serve_once(&url, dir.path(), &[]).await?;
    assert!(first.contains("demo logins"), "the demo was just loaded: {first}");
    assert!(!first.contains('\u{1b}'), "no colour codes in a log that is not a terminal: {first:?}");
    let again = serve_once(&url, dir.path(), &[]).await?;
    assert!(!again.contains("demo logins"), "named once, when the county was loaded: {again}");
    let json = serve_once(&url, dir.path(), &[("KP_LOG_FORMAT", "json")]).await?;
    let records: Vec<serde_json::Value> =
        json.lines().filter(|l| !l.trim().is_empty()).map(serde_json::from_str).collect::<Result<_, _>>()?;
    assert!(records.iter().any(|r| r["fields"]["message"].as_str().is_some_and(|m| m.contains("serving GraphQL"))));
    // An error that stops the command is said once.
    let out = keyprojects(&url, dir.path()).args(["serve"]).env("KP_MAX_DEPTH", "0").output()?;
    assert!(!out.status.success());
    let log = String::from_utf8(out.stderr)?;
    assert_eq!(log.matches("KP_MAX_DEPTH").count(), 1, "{log}");
    assert!(log.contains("it must be 4 to 64"), "{log}");
    // A store that cannot be opened stops the start before the database is touched.
    let empty = tempfile::tempdir()?;
    let file = empty.path().join("untouched.db");
    let url = format!("sqlite://{}?mode=rwc", file.display());
    let out = keyprojects(&url, empty.path()).args(["serve"]).env("KP_STORAGE_URL", "ftp://nowhere").output()?;
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr)?.contains("storage_url"));
    assert!(!file.exists(), "nothing was written to the database");
    Ok(())
}
