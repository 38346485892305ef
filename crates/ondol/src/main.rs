//! `ondol`: one binary running the ondol apps on one shared platform.

mod apps;
mod cli;
mod serve;

use std::io::{BufRead, IsTerminal, Write};
use std::sync::Arc;

use clap::Parser;
use platform::config::{Config, RunEnv};
use platform::{NewUser, server};
use tokio_util::sync::CancellationToken;

use crate::cli::{Cli, Command, UserCommand};

/// mimalloc: the server allocates many small short-lived buffers per request, where
/// it is markedly faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Every WebSocket is a file descriptor.
    platform::server::raise_fd_limit(1 << 20);
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    // ONDOL_WORKER_THREADS: request-handling threads (default: one per core).
    if let Some(n) = std::env::var("ONDOL_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    {
        builder.worker_threads(n.max(1));
    }
    let runtime = builder
        .enable_all()
        .build()
        .expect("the tokio runtime starts");
    match runtime.block_on(run(cli)) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ondol: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli, data_dir: Option<&std::path::Path>) -> anyhow::Result<Config> {
    let mut config = Config::load(cli.config.as_deref(), &apps::names())?;
    if let Some(dir) = data_dir {
        config.data_dir = dir.to_owned();
    }
    if let Some(env) = &cli.env {
        config.env = match env.as_str() {
            "production" | "prod" => RunEnv::Production,
            "development" | "dev" => RunEnv::Development,
            other => anyhow::bail!("--env must be development or production, not {other:?}"),
        };
    }
    Ok(config)
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match &cli.command {
        Command::Serve(args) => {
            let config = load_config(&cli, args.data_dir.as_deref())?;
            let apps = apps::select(&args.apps)?;
            serve::run(Arc::new(config), apps, args.demo).await
        }
        Command::Migrate { apps: names } => {
            let config = Arc::new(load_config(&cli, None)?);
            platform::telemetry::init_logging(&config);
            for app in apps::select(names)? {
                let ctx = server::open(app.as_ref(), config.clone(), CancellationToken::new())
                    .await
                    .map_err(|e| anyhow::anyhow!("{}: {e}", app.manifest().name))?;
                println!("{}: migrated ({})", app.manifest().name, ctx.db.engine());
                ctx.db.close().await;
            }
            Ok(())
        }
        Command::User(command) => user(&cli, command).await,
        Command::Import { app, what, file } => {
            let config = Arc::new(load_config(&cli, None)?);
            let app = apps::one(app)?;
            let data = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            let ctx = server::open(app.as_ref(), config, CancellationToken::new())
                .await
                .map_err(|e| anyhow::anyhow!("{}: {e}", app.manifest().name))?;
            let n = app
                .import(&ctx, what, &data)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}: {n} {what} rows imported", app.manifest().name);
            ctx.db.close().await;
            Ok(())
        }
    }
}

/// `ondol user ...`.
async fn user(cli: &Cli, command: &UserCommand) -> anyhow::Result<()> {
    let app_name = match command {
        UserCommand::Add(args) => &args.app,
        UserCommand::List { app } | UserCommand::SetRole { app, .. } => app,
        UserCommand::Disable { app, .. } => app,
    };
    let config = Arc::new(load_config(cli, None)?);
    let app = apps::one(app_name)?;
    let name = app.manifest().name;
    let password = match command {
        UserCommand::Add(args) => Some(read_password(args.password_stdin)?),
        _ => None,
    };
    let ctx = server::open(app.as_ref(), config, CancellationToken::new())
        .await
        .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
    let done = match command {
        UserCommand::Add(args) => app
            .add_user(
                &ctx,
                NewUser {
                    login: args.login.clone(),
                    password: password.unwrap_or_default(),
                    role: args.role.clone(),
                    department: args.department.clone(),
                    name: args.name.clone(),
                },
            )
            .await
            .map(|()| println!("{name}: user {} added", args.login)),
        UserCommand::List { .. } => app.list_users(&ctx).await.map(|users| {
            println!(
                "{:<32} {:<10} {:<20} {:<9} created",
                "login", "role", "", "state"
            );
            for u in users {
                println!(
                    "{:<32} {:<10} {:<20} {:<9} {}",
                    u.login,
                    u.role.as_deref().unwrap_or("-"),
                    u.detail,
                    if u.disabled { "disabled" } else { "active" },
                    u.created_at.format("%Y-%m-%d %H:%M")
                );
            }
        }),
        UserCommand::SetRole { login, role, .. } => app
            .set_role(&ctx, login, role)
            .await
            .map(|()| println!("{name}: {login} is now {role}; their sessions were ended")),
        UserCommand::Disable { login, .. } => app
            .disable_user(&ctx, login)
            .await
            .map(|()| println!("{name}: {login} is disabled; their sessions were ended")),
    };
    ctx.db.close().await;
    done.map_err(|e| anyhow::anyhow!("{name}: {e}"))
}

/// The password from the first line of stdin (prompting when stdin is a terminal).
fn read_password(explicit_stdin: bool) -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !explicit_stdin && stdin.is_terminal() {
        eprint!("password: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    anyhow::ensure!(!password.is_empty(), "empty password");
    Ok(password)
}
