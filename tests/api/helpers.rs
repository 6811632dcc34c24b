//! Every test gets its own server on port 0 and its own database: a SQLite file in a temporary
//! folder, or, when `TEST_DATABASE_URL` names a PostgreSQL database, a fresh database beside it.
//! The demo county is seeded once per test run and copied for each test (a file copy on SQLite,
//! `CREATE DATABASE … TEMPLATE` on PostgreSQL); tests that must start empty use [`fresh_database`].

use std::net::SocketAddr;

use api::{AppState, Application, Config};
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};

pub type TestResult<T = ()> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

pub const DEMO_PASSWORD: &str = api::seed::demo::DEMO_PASSWORD;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub state: AppState,
    pub database_url: String,
    /// Holds the SQLite file and the data folder until the test ends.
    _dir: tempfile::TempDir,
    stop: std::sync::Arc<tokio::sync::Notify>,
}

/// An empty database URL of this test's own (for tests that must start empty).
pub async fn fresh_database(dir: &std::path::Path) -> TestResult<String> {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let (server, base_name) = base.rsplit_once('/').ok_or("TEST_DATABASE_URL has no database name")?;
            let base_name = base_name.split('?').next().unwrap_or(base_name);
            let name = format!("{base_name}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
            let admin = Database::connect(base.as_str()).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            admin.close().await?;
            Ok(format!("{server}/{name}"))
        }
        _ => Ok(format!("sqlite://{}?mode=rwc", dir.join("test.db").display())),
    }
}

/// The demo county, seeded once for the whole test run.
enum Prepared {
    /// A SQLite file to copy.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database to use as a template: (server URL without the database, template name).
    Postgres(String, String),
}

/// Seeds the demo county into a database of its own, once per process, on a thread and runtime of
/// its own (each test has its own runtime; the prepared database must outlive every one of them).
fn prepared() -> TestResult<&'static Prepared> {
    static PREPARED: std::sync::OnceLock<Result<Prepared, String>> = std::sync::OnceLock::new();
    let made = PREPARED.get_or_init(|| {
        std::thread::spawn(|| -> Result<Prepared, String> {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(prepare_demo()).map_err(|e| e.to_string())
        })
        .join()
        .unwrap_or_else(|_| Err("seeding the demo county panicked".into()))
    });
    made.as_ref().map_err(|e| format!("preparing the demo database: {e}").into())
}

async fn prepare_demo() -> TestResult<Prepared> {
    use migration::MigratorTrait;
    let dir = tempfile::Builder::new().prefix("kp-demo-").tempdir()?.keep();
    let (url, prepared) = match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if base.starts_with("postgres") => {
            let (server, base_name) = base.rsplit_once('/').ok_or("TEST_DATABASE_URL has no database name")?;
            let base_name = base_name.split('?').next().unwrap_or(base_name);
            let name = format!("{base_name}_demo_{}", std::process::id());
            let admin = Database::connect(base.as_str()).await?;
            admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\"")).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\"")).await?;
            admin.close().await?;
            (format!("{server}/{name}"), Prepared::Postgres(server.to_owned(), name))
        }
        _ => {
            let file = dir.join("demo.db");
            (format!("sqlite://{}?mode=rwc", file.display()), Prepared::Sqlite(file))
        }
    };
    let config = Config::for_tests(url, dir);
    let db = api::db::connect(&config, Default::default()).await?;
    migration::Migrator::up(&db, None).await?;
    let hasher = api::auth::PasswordHasher::new(2);
    api::seed::demo::load(&db, &hasher, config.clock.today()).await?.ok_or("the demo database was not empty")?;
    if let Prepared::Sqlite(_) = prepared {
        // Everything into the main file, so that copying it copies the county.
        db.execute_unprepared("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    db.close().await?;
    Ok(prepared)
}

/// A database of this test's own holding the demo county.
pub async fn demo_database(dir: &std::path::Path) -> TestResult<String> {
    match prepared()? {
        Prepared::Sqlite(file) => {
            let copy = dir.join("test.db");
            std::fs::copy(file, &copy)?;
            Ok(format!("sqlite://{}?mode=rwc", copy.display()))
        }
        Prepared::Postgres(server, template) => {
            let base = std::env::var("TEST_DATABASE_URL")?;
            let name = format!("{template}_{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
            let admin = Database::connect(base.as_str()).await?;
            admin.execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"")).await?;
            admin.close().await?;
            Ok(format!("{server}/{name}"))
        }
    }
}

impl TestApp {
    /// A server with the demo county loaded.
    pub async fn spawn() -> TestResult<Self> {
        Self::spawn_with(|_| {}).await
    }

    /// A server with the demo county, whose configuration `adjust` may change first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestResult<Self> {
        let dir = tempfile::tempdir()?;
        let database_url = demo_database(dir.path()).await?;
        Self::spawn_on(database_url, dir, adjust).await
    }

    /// A server on an existing database (a second instance, or after the command line touched it).
    pub async fn spawn_on(
        database_url: String,
        dir: tempfile::TempDir,
        adjust: impl FnOnce(&mut Config),
    ) -> TestResult<Self> {
        let mut config = Config::for_tests(database_url.clone(), dir.path().to_owned());
        adjust(&mut config);
        let app = Application::build(config).await?;
        let addr = app.local_addr()?;
        let state = app.state().clone();
        let stop = std::sync::Arc::new(tokio::sync::Notify::new());
        let stopped = stop.clone();
        tokio::spawn(app.run(async move { stopped.notified().await }));
        // The periodic jobs' first round runs at start; its statements must not fall into a test's
        // count of a request's statements.
        let started = std::time::Instant::now();
        while state.job_rounds.load(std::sync::atomic::Ordering::Acquire) == 0 {
            if started.elapsed() > std::time::Duration::from_secs(30) {
                return Err("the periodic jobs' first round did not finish in 30 s".into());
            }
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
        Ok(Self { addr, client: reqwest::Client::new(), state, database_url, _dir: dir, stop })
    }

    /// Stops the server as a shutdown signal does: requests in flight finish, background work (the
    /// periodic jobs, webhook deliveries) is cut off wherever it stands, as in a crash.
    pub fn stop(&self) {
        self.stop.notify_one();
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Posts a raw body to `/graphql`.
    pub async fn post(&self, body: Value, token: Option<&str>) -> TestResult<reqwest::Response> {
        let mut request = self.client.post(self.url("/graphql")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        Ok(request.send().await?)
    }

    /// Runs one operation and returns the whole response body.
    pub async fn gql(&self, query: &str, variables: Value, token: Option<&str>) -> TestResult<Value> {
        let response = self.post(json!({ "query": query, "variables": variables }), token).await?;
        Ok(response.json().await?)
    }

    /// Runs one operation that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value, token: Option<&str>) -> TestResult<Value> {
        let body = self.gql(query, variables, token).await?;
        if body.get("errors").is_some() {
            return Err(format!("unexpected errors: {body}").into());
        }
        Ok(body["data"].clone())
    }

    pub async fn login(&self, username: &str, password: &str) -> TestResult<String> {
        let data = self
            .data(
                "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }",
                json!({ "u": username, "p": password }),
                None,
            )
            .await?;
        data["login"]["token"].as_str().map(str::to_owned).ok_or_else(|| "no token".into())
    }

    /// Signs in as a demo account.
    pub async fn login_as(&self, username: &str) -> TestResult<String> {
        self.login(username, DEMO_PASSWORD).await
    }

    /// Sends one operation with files, by the GraphQL multipart request spec: `files` are
    /// (variable path, file name, bytes), e.g. `("variables.file", "a.jpg", bytes)`.
    pub async fn upload(
        &self,
        query: &str,
        variables: Value,
        files: Vec<(&str, &str, Vec<u8>)>,
        token: Option<&str>,
    ) -> TestResult<reqwest::Response> {
        let operations = json!({ "query": query, "variables": variables });
        let map: serde_json::Map<String, Value> =
            files.iter().enumerate().map(|(i, (path, _, _))| (i.to_string(), json!([path]))).collect();
        let mut form = reqwest::multipart::Form::new()
            .text("operations", operations.to_string())
            .text("map", Value::Object(map).to_string());
        for (i, (_, name, bytes)) in files.into_iter().enumerate() {
            form = form.part(i.to_string(), reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned()));
        }
        Ok(self.send_multipart(form, token).await?)
    }

    /// Posts a multipart form to `/graphql` as the multipart spec's clients do (with the preflight
    /// header), with `token` when given.
    pub async fn send_multipart(
        &self,
        form: reqwest::multipart::Form,
        token: Option<&str>,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request =
            self.client.post(self.url("/graphql")).multipart(form).header("apollo-require-preflight", "true");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await
    }

    /// Every statement the server ran since it started, in requests and in the background alike.
    pub fn statements(&self) -> u64 {
        self.state.statements_executed()
    }

    /// Runs one operation that must succeed and tells how many statements the server ran for it:
    /// its own, its loaders' and its account check, whatever ran beside it (the server's count in
    /// the `x-sql-statements` header).
    pub async fn cost(&self, query: &str, variables: Value, token: Option<&str>) -> TestResult<u64> {
        Ok(self.data_and_cost(query, variables, token).await?.1)
    }

    /// [`Self::data`] and [`Self::cost`] of one run.
    pub async fn data_and_cost(&self, query: &str, variables: Value, token: Option<&str>) -> TestResult<(Value, u64)> {
        let response = self.post(json!({ "query": query, "variables": variables }), token).await?;
        let statements = response
            .headers()
            .get("x-sql-statements")
            .ok_or("the response tells no statement count")?
            .to_str()?
            .parse::<u64>()?;
        let body: Value = response.json().await?;
        if body.get("errors").is_some() {
            return Err(format!("unexpected errors: {body}").into());
        }
        Ok((body["data"].clone(), statements))
    }
}

/// `extensions.code` of the first error, if any.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// The demo id of a unit by name.
pub fn unit_id(name: &str) -> String {
    api::seed::demo::demo_id("unit", name).to_string()
}

/// Today in the county (China's time), as the server counts days: not UTC's date, which lags
/// behind from 00:00 to 08:00 there.
pub fn county_today() -> chrono::NaiveDate {
    api::clock::Clock::default().today()
}

/// `date` as a day of a county in China.
pub fn county_day(date: chrono::NaiveDate) -> api::clock::Day {
    api::clock::Day { date, zone: api::clock::china() }
}
