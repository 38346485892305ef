//! `ondol-bench`: load and data generators for the numbers in docs/benchmarks.md.
//! Every run targets loopback, is bounded in time, and stops by itself.

mod load;
mod scenarios;
mod seed;
mod stats;

use std::net::SocketAddr;
use std::time::Duration;

use bytes::Bytes;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "ondol-bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Fills a delivery database (SQLite under --data-dir, or ONDOL_DATABASE_URL).
    SeedDelivery {
        #[arg(long, default_value_t = 1_000_000)]
        orders: usize,
        /// Orders whose ETA falls in the last 31 days.
        #[arg(long, default_value_t = 30_000)]
        recent: usize,
        #[arg(long, default_value_t = 20_231_115)]
        seed: u64,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Runs the delivery scenarios against a server on loopback.
    Delivery {
        #[arg(long, default_value = "127.0.0.1:8001")]
        addr: SocketAddr,
        /// Seconds per scenario.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long, default_value_t = 5)]
        excel_runs: usize,
        /// Highest order id to spread detail requests over.
        #[arg(long, default_value_t = 1_000_000)]
        max_id: i64,
        /// Run only these scenarios (session, list, detail, lock, excel).
        #[arg(long)]
        only: Vec<String>,
        /// Also run detail and lock open-loop at this total rate (req/s).
        #[arg(long)]
        rate: Option<f64>,
    },
    /// Generic closed-loop HTTP load.
    Http {
        #[arg(long, default_value = "127.0.0.1:8001")]
        addr: SocketAddr,
        #[arg(long, default_value = "GET")]
        method: String,
        #[arg(long, default_value = "/health")]
        path: String,
        #[arg(long)]
        token: Option<String>,
        #[arg(long)]
        body: Option<String>,
        #[arg(short, long, default_value_t = 64)]
        connections: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Open loop at this total rate (req/s) instead of as fast as possible.
        #[arg(long)]
        rate: Option<f64>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        match cli.command {
            Command::SeedDelivery {
                orders,
                recent,
                seed,
                data_dir,
            } => {
                let mut config = platform::config::Config::load(None)?;
                if let Some(dir) = data_dir {
                    config.data_dir = dir;
                }
                seed::run(
                    config,
                    seed::SeedArgs {
                        orders,
                        recent,
                        seed,
                    },
                )
                .await
            }
            Command::Delivery {
                addr,
                seconds,
                server_pid,
                excel_runs,
                max_id,
                only,
                rate,
            } => {
                scenarios::run(&scenarios::Options {
                    addr,
                    duration: Duration::from_secs(seconds.clamp(1, 300)),
                    server_pid,
                    excel_runs,
                    max_id,
                    only,
                    rate,
                })
                .await
            }
            Command::Http {
                addr,
                method,
                path,
                token,
                body,
                connections,
                seconds,
                rate,
            } => {
                anyhow::ensure!(
                    addr.ip().is_loopback(),
                    "load is only ever sent to loopback"
                );
                let target = load::Target {
                    addr,
                    method: method.parse()?,
                    path,
                    token,
                    body: body.map(Bytes::from),
                };
                let plan = load::Plan {
                    connections,
                    duration: Duration::from_secs(seconds.clamp(1, 300)),
                    max_per_connection: usize::MAX,
                    warmup: Duration::from_secs(1),
                    rate,
                };
                load::run(load::fixed(target), &plan)
                    .await?
                    .print(&format!("http c={connections}"));
                Ok(())
            }
        }
    })
}
