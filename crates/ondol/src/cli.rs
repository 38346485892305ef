//! The command line (stable: scripts and tests rely on it).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "ondol",
    version,
    about = "Five backend services on one platform"
)]
pub struct Cli {
    /// TOML configuration file (environment variables ONDOL_* override it).
    #[arg(long, global = true)]
    pub config: Option<PathBuf>,
    /// development (default) or production.
    #[arg(long, global = true)]
    pub env: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Start apps (all by default), each on its own port.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate {
        /// Apps to migrate (all by default).
        apps: Vec<String>,
    },
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load data from a file, e.g. `ondol import delivery postal-codes codes.csv`
    /// or `ondol import delivery orders orders.csv`.
    Import {
        app: String,
        what: String,
        file: PathBuf,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    /// Apps to start (all by default).
    pub apps: Vec<String>,
    /// Load demo users and data into empty databases and print the logins.
    #[arg(long)]
    pub demo: bool,
    /// Where SQLite files and local stores live (default ./data).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create a user (an existing login is refused).
    Add(UserAddArgs),
    /// List an app's users.
    List { app: String },
    /// Give a user another role; their sessions end within seconds.
    SetRole {
        app: String,
        login: String,
        role: String,
    },
    /// Stop a user from logging in; their sessions end within seconds.
    Disable { app: String, login: String },
}

#[derive(Args)]
pub struct UserAddArgs {
    pub app: String,
    /// The app's login field (user_id for delivery, e-mail elsewhere).
    pub login: String,
    #[arg(long)]
    pub role: Option<String>,
    #[arg(long)]
    pub department: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}
