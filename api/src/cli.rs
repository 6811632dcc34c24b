//! The command line: `serve` (the default), `migrate`, `seed --demo`, `export-schema`, `user create`,
//! `unit create`, `unit import`, `documents register`.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use entity::unit::UnitKind;
use entity::user::Role;
use migration::{Migrator, MigratorTrait};
use sea_orm::ActiveEnum;

use crate::config::Config;
use crate::error::AppError;
use crate::service::{Actor, account};
use crate::{Application, graphql, seed};

#[derive(Parser, Debug)]
#[command(name = "keyprojects", version, about = "GraphQL back end for a county's key construction projects")]
struct Cli {
    /// TOML configuration file; environment variables (KP_*) override it.
    #[arg(long, global = true, env = "KP_CONFIG")]
    config: Option<PathBuf>,
    /// Production mode: require an explicit JWT secret, turn GraphiQL and introspection off.
    #[arg(long, global = true)]
    production: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Address to listen on, e.g. 0.0.0.0:8080.
        #[arg(long)]
        bind: Option<SocketAddr>,
    },
    /// Apply pending migrations and exit.
    Migrate,
    /// Load seed data into an empty database.
    Seed {
        /// Load the demo county.
        #[arg(long)]
        demo: bool,
        /// With --production: install the demo county and its accounts (every one with the public
        /// demo password) into this production database all the same.
        #[arg(long)]
        install_demo_accounts_in_production: bool,
    },
    /// Write the GraphQL schema (SDL) to a file, or check that the file is current.
    ExportSchema {
        /// Fail if the file differs from the schema instead of writing it.
        #[arg(long)]
        check: bool,
        /// Where the schema lives.
        #[arg(long, default_value = "schema.graphql")]
        path: PathBuf,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the county's units (the first step on an empty production database).
    Unit {
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// Manage trusted documents (what runs with KP_TRUSTED_DOCUMENTS=only).
    Documents {
        #[command(subcommand)]
        command: DocumentsCommand,
    },
}

#[derive(Subcommand, Debug)]
enum DocumentsCommand {
    /// Register documents as trusted: each `.graphql` file is one document, byte for byte; a `.json`
    /// file is a manifest `{ "<sha256>": "<document>", … }` (as persisted-operation tools write them),
    /// each hash checked. Prints each document's id.
    Register {
        /// The files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
enum UnitCommand {
    /// Create one unit.
    Create {
        /// The unit's name, e.g. 自然资源局.
        #[arg(long)]
        name: String,
        /// DEPARTMENT, TOWNSHIP, ENTERPRISE, PROJECT_OFFICE or LEADING_GROUP.
        #[arg(long, value_parser = parse_unit_kind)]
        kind: UnitKind,
        /// The unit carries yearly funding targets.
        #[arg(long)]
        funding_targets: bool,
    },
    /// Create the units listed in a CSV file with the header `name,kind,funding_targets`
    /// (`funding_targets`: true/false, may be left empty). All or none are created.
    Import {
        /// The CSV file (UTF-8).
        #[arg(long)]
        csv: PathBuf,
    },
}

fn parse_unit_kind(raw: &str) -> Result<UnitKind, String> {
    use sea_orm::Iterable;
    UnitKind::iter()
        .find(|k| k.to_value().eq_ignore_ascii_case(raw.trim()))
        .ok_or_else(|| "expected DEPARTMENT, TOWNSHIP, ENTERPRISE, PROJECT_OFFICE or LEADING_GROUP".to_string())
}

/// The rows of a unit CSV file: name, kind, funding targets.
fn parse_units_csv(text: &str) -> Result<Vec<account::NewUnit>, String> {
    let mut lines = text.trim_start_matches('\u{feff}').lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let header: Vec<String> = match lines.next() {
        Some((_, h)) => h.split(',').map(|c| c.trim().to_ascii_lowercase()).collect(),
        None => return Err("the CSV file is empty".into()),
    };
    if header.first().map(String::as_str) != Some("name") || header.get(1).map(String::as_str) != Some("kind") {
        return Err("the CSV header must be `name,kind,funding_targets`".into());
    }
    lines
        .map(|(i, line)| {
            let cols: Vec<&str> = line.split(',').map(str::trim).collect();
            let at = |e: String| format!("line {}: {e}", i + 1);
            let name = cols.first().copied().unwrap_or_default().to_owned();
            let kind = parse_unit_kind(cols.get(1).copied().unwrap_or_default()).map_err(at)?;
            let has_funding_targets = match cols.get(2).copied().unwrap_or_default().to_ascii_lowercase().as_str() {
                "" | "false" | "no" | "0" => false,
                "true" | "yes" | "1" => true,
                other => return Err(at(format!("funding_targets is true or false, not `{other}`"))),
            };
            Ok(account::NewUnit { name, kind, has_funding_targets })
        })
        .collect()
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account; the password is read from standard input.
    Create {
        #[arg(long)]
        username: String,
        /// ADMIN, LEADER, DEPARTMENT, INSPECTOR or INTEGRATION.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The unit's name, e.g. 自然资源局.
        #[arg(long)]
        unit: String,
        /// Name shown to others (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        /// Read the password from standard input (required, so it never appears in `ps`).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

fn parse_role(raw: &str) -> Result<Role, String> {
    use sea_orm::Iterable;
    Role::iter()
        .find(|r| format!("{r:?}").eq_ignore_ascii_case(raw))
        .ok_or_else(|| "expected ADMIN, LEADER, DEPARTMENT, INSPECTOR or INTEGRATION".to_string())
}

/// The binary's entry point.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            // Once, through the log, so that a JSON log collector gets it as one record too.
            tracing::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error: plain text, coloured only on a terminal, or one JSON object a line with
/// `KP_LOG_FORMAT=json` for log collectors. Read before the configuration, so that its errors are
/// logged in the chosen format too.
fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let format = std::env::var(format!("{}LOG_FORMAT", crate::config::ENV_PREFIX)).unwrap_or_default();
    let _ = match format.trim() {
        "json" => builder.json().with_current_span(false).try_init(),
        _ => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
    };
    if !matches!(format.trim(), "" | "text" | "json") {
        tracing::warn!("KP_LOG_FORMAT `{format}` is neither text nor json; logging text");
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let command = cli.command.unwrap_or(Command::Serve { bind: None });
    if let Command::ExportSchema { check, path } = &command {
        return export_schema(*check, path);
    }
    let mut config = Config::load(cli.config.as_deref(), cli.production).map_err(|e| e.to_string())?;
    match command {
        Command::Serve { bind } => {
            if let Some(bind) = bind {
                config.bind = bind;
            }
            serve(config).await
        }
        Command::Migrate => {
            let db = crate::db::connect(&config, Default::default()).await.map_err(|e| e.to_string())?;
            Migrator::up(&db, None).await.map_err(|e| e.to_string())?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { demo, install_demo_accounts_in_production } => {
            if !demo {
                return Err("say which seed to load: `seed --demo`".into());
            }
            if config.production && !install_demo_accounts_in_production {
                return Err("refusing to install the demo county, whose accounts share a published password, into a \
                            production database; create units with `unit create` or `unit import` and the first \
                            ADMIN with `user create` (or pass --install-demo-accounts-in-production)"
                    .into());
            }
            config.seed_demo_when_empty = false;
            let state = crate::prepare(config).await.map_err(|e| e.to_string())?;
            match seed::demo::load(&state.db, &state.hasher, state.config.clock.today()).await.map_err(describe)? {
                Some(l) => println!("loaded the demo county: {} units, {} users", l.units, l.users),
                None => println!("the database already holds units; nothing loaded"),
            }
            Ok(())
        }
        Command::User { command: UserCommand::Create { username, role, unit, display_name, password_stdin: _ } } => {
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password).map_err(|e| format!("reading the password: {e}"))?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            config.seed_demo_when_empty = false;
            let state = crate::prepare(config).await.map_err(|e| e.to_string())?;
            let unit = account::find_unit_by_name(&state.db, &unit).await.map_err(describe)?;
            let new = account::NewUser {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                password,
                role,
                unit_id: unit.id,
            };
            let user = account::create_user(&state.db, &state.hasher, &Actor::System, new).await.map_err(describe)?;
            println!("created {} ({}, {}) id {}", user.username, user.role.to_value(), unit.name, user.id);
            Ok(())
        }
        Command::Unit { command } => {
            config.seed_demo_when_empty = false;
            let state = crate::prepare(config).await.map_err(|e| e.to_string())?;
            let units = match command {
                UnitCommand::Create { name, kind, funding_targets } => {
                    vec![account::NewUnit { name, kind, has_funding_targets: funding_targets }]
                }
                UnitCommand::Import { csv } => {
                    let text = std::fs::read_to_string(&csv).map_err(|e| format!("reading {}: {e}", csv.display()))?;
                    parse_units_csv(&text)?
                }
            };
            let made = account::create_units(&state.db, &Actor::System, units).await.map_err(describe)?;
            for unit in &made {
                println!("created unit {} ({}) id {}", unit.name, unit.kind.to_value(), unit.id);
            }
            Ok(())
        }
        Command::Documents { command: DocumentsCommand::Register { files } } => {
            let mut documents = Vec::new();
            for file in &files {
                documents.extend(crate::service::documents::from_file(file)?);
            }
            config.seed_demo_when_empty = false;
            let state = crate::prepare(config).await.map_err(|e| e.to_string())?;
            let max = state.config.limits.max_body_bytes;
            let now = state.config.clock.now();
            for chunk in documents.chunks(crate::service::documents::MAX_PER_REGISTRATION) {
                let ids = crate::service::documents::register(&state.db, &Actor::System, chunk, max, now)
                    .await
                    .map_err(describe)?;
                for id in ids {
                    println!("{id}");
                }
            }
            Ok(())
        }
        Command::ExportSchema { .. } => Ok(()),
    }
}

fn describe(err: AppError) -> String {
    match err {
        AppError::Internal(detail) => detail,
        AppError::BadUserInput { field: Some(field), message } => format!("{field}: {message}"),
        other => other.to_string(),
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let app = Application::build(config).await.map_err(|e| e.to_string())?;
    let addr = app.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("serving GraphQL on http://{addr}/graphql (health: /healthz, readiness: /readyz)");
    if app.state().demo_loaded {
        // Named once, when the county was just loaded; only accounts whose password is still the
        // published one are worth naming.
        let logins = seed::demo::logins_with_demo_password(&app.state().db, &app.state().hasher).await;
        if !logins.is_empty() {
            tracing::info!("demo logins, password `{}`: {}", seed::demo::DEMO_PASSWORD, logins.join(", "));
        }
    }
    app.run(shutdown_signal()).await.map_err(|e| e.to_string())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

fn export_schema(check: bool, path: &std::path::Path) -> Result<(), String> {
    let sdl = graphql::sdl();
    if check {
        let current = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
        if current != sdl {
            return Err(format!("{} is out of date; run `cargo run -- export-schema`", path.display()));
        }
        println!("{} is current", path.display());
        return Ok(());
    }
    std::fs::write(path, sdl).map_err(|e| format!("writing {}: {e}", path.display()))?;
    println!("wrote {}", path.display());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_csv_rows_are_read_or_refused_with_their_line() {
        let rows = parse_units_csv("\u{feff}name,kind,funding_targets\n交通运输局,department,true\n城关镇,TOWNSHIP,\n")
            .unwrap_or_default();
        assert_eq!(rows.len(), 2);
        assert!(rows[0].has_funding_targets && rows[1].kind == UnitKind::Township);
        let err = parse_units_csv("name,kind\n甲,NOPE\n").err().unwrap_or_default();
        assert!(err.contains("line 2"), "{err}");
        assert!(parse_units_csv("kind,name\n").is_err());
    }
}
