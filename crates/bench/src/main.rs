//! `ondol-bench`: load and data generators for the numbers in docs/benchmarks.md.
//! Every run targets loopback, is bounded in time, and stops by itself.

mod baseline;
mod bulk;
mod chat;
mod focusmate;
mod harness;
mod load;
mod month;
mod reviews;
mod scenarios;
mod seed;
mod shop;
mod stats;
mod ws;

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

/// What every app's scenario command takes besides its address.
#[derive(clap::Args)]
struct ScenarioArgs {
    /// Seconds per scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The server's process, for its memory.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Run only these scenarios (named in docs/benchmarks.md; `baseline` among them).
    #[arg(long)]
    only: Vec<String>,
    #[arg(long, default_value = "127.0.0.1:8009")]
    baseline_addr: SocketAddr,
    /// Also run the read scenarios open loop at this total rate (req/s).
    #[arg(long)]
    rate: Option<f64>,
}

impl ScenarioArgs {
    /// A run against `addr`, with the scenarios chosen.
    fn run(self, addr: SocketAddr) -> (harness::Run, Vec<String>) {
        let run = harness::Run {
            addr,
            duration: Duration::from_secs(self.seconds.clamp(1, 300)),
            server_pid: self.server_pid,
            baseline_addr: self.baseline_addr,
            rate: self.rate,
        };
        (run, self.only)
    }
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
    /// The month list under changes on one or two instances, with and without
    /// gzip, and its floors (scenarios list-changes, list-changes-gzip,
    /// floor-db, floor-loopback).
    DeliveryMonth {
        /// The instances, sharing a database (give it twice for two).
        #[arg(long, default_value = "127.0.0.1:8001")]
        addr: Vec<SocketAddr>,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 8)]
        connections: usize,
        /// Order changes per second, spread over the instances.
        #[arg(long, default_value_t = 20.0)]
        changes: f64,
        /// The servers' processes, for their memory.
        #[arg(long)]
        server_pid: Vec<u32>,
        #[arg(long, default_value = "127.0.0.1:8009")]
        baseline_addr: SocketAddr,
        /// The servers' data directory (SQLite), for the database floor.
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
        #[arg(long)]
        only: Vec<String>,
    },
    /// Adds couples to a chat database (SQLite under --data-dir, or ONDOL_DATABASE_URL).
    SeedChat {
        #[arg(long, default_value_t = 10_000)]
        couples: usize,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Holds many authenticated, subscribed STOMP connections to a chat server.
    ChatConnections {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(short, long, default_value_t = 20_000)]
        connections: usize,
        /// Seconds to hold them open once all are connected.
        #[arg(long, default_value_t = 10)]
        hold: u64,
        /// Connection attempts in flight at once.
        #[arg(long, default_value_t = 256)]
        parallel: usize,
        /// Couples to skip (to run several benchmark processes side by side).
        #[arg(long, default_value_t = 0)]
        skip: usize,
        #[arg(long)]
        server_pid: Option<u32>,
        /// The server's data directory (to find the seeded couples).
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Send-to-delivery latency at a fixed message rate across many rooms.
    ChatLatency {
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        #[arg(long, default_value_t = 1_000)]
        rooms: usize,
        /// Messages per second, in total.
        #[arg(long, default_value_t = 2_000.0)]
        rate: f64,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 2)]
        warmup: u64,
        #[arg(long)]
        server_pid: Option<u32>,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Fills a shop database (SQLite under --data-dir, or ONDOL_DATABASE_URL).
    SeedShop {
        #[arg(long, default_value_t = 100_000)]
        products: usize,
        #[arg(long, default_value_t = 1_000_000)]
        orders: usize,
        #[arg(long, default_value_t = 10_000)]
        buyers: usize,
        #[arg(long, default_value_t = 200)]
        sellers: usize,
        #[arg(long, default_value_t = 20_251_119)]
        seed: u64,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Runs the shop scenarios against a server on loopback, beside a bare axum
    /// server measured in the same run.
    Shop {
        #[arg(long, default_value = "127.0.0.1:8003")]
        addr: SocketAddr,
        #[command(flatten)]
        scenarios: ScenarioArgs,
        /// The server's data directory (its database, when SQLite).
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Fills a reviews database over the bundled catalogue (SQLite under
    /// --data-dir, or ONDOL_DATABASE_URL).
    SeedReviews {
        #[arg(long, default_value_t = 1_000_000)]
        reviews: usize,
        /// Readers who review and like (the 64 writers come on top).
        #[arg(long, default_value_t = 20_000)]
        users: usize,
        #[arg(long, default_value_t = 20_021_205)]
        seed: u64,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Runs the reviews scenarios against a server on loopback, beside a bare axum
    /// server measured in the same run.
    Reviews {
        #[arg(long, default_value = "127.0.0.1:8002")]
        addr: SocketAddr,
        #[command(flatten)]
        scenarios: ScenarioArgs,
        /// The server's data directory (its database, when SQLite).
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Fills a focusmate database: users, rooms of ten and a history of focus
    /// credits (SQLite under --data-dir, or ONDOL_DATABASE_URL).
    SeedFocusmate {
        #[arg(long, default_value_t = 10_000)]
        users: usize,
        #[arg(long, default_value_t = 1_000)]
        rooms: usize,
        #[arg(long, default_value_t = 1_000_000)]
        credits: usize,
        #[arg(long, default_value_t = 20_251_218)]
        seed: u64,
        #[arg(long)]
        data_dir: Option<std::path::PathBuf>,
    },
    /// Runs the focusmate scenarios against a server on loopback: the
    /// leaderboard and room list beside a bare axum server, and the room-state
    /// fan-out over WebSockets (start the server with a short
    /// ONDOL_FOCUSMATE_MINUTE_SECONDS so that phases change often).
    Focusmate {
        #[arg(long, default_value = "127.0.0.1:8000")]
        addr: SocketAddr,
        #[command(flatten)]
        scenarios: ScenarioArgs,
        /// WebSocket connections of the fan-out, ten per room.
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
    },
    /// Serves a bare axum `GET /health` (no middleware) to calibrate the machine.
    Baseline {
        #[arg(long, default_value = "127.0.0.1:8009")]
        addr: SocketAddr,
        /// Seconds to serve before exiting.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// One runtime thread, leaving the other core to the load generator.
        #[arg(long)]
        current_thread: bool,
        /// The size of `/blob` (a month list's).
        #[arg(long, default_value_t = 7_500_000)]
        blob_bytes: usize,
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

/// The apps whose settings the benchmarks read.
const APPS: &[&str] = &["delivery", "chat", "shop", "reviews", "focusmate"];

/// The configuration the server uses (env), with its data directory.
fn config_with(data_dir: Option<std::path::PathBuf>) -> anyhow::Result<platform::config::Config> {
    let mut config = platform::config::Config::load(None, APPS)?;
    if let Some(dir) = data_dir {
        config.data_dir = dir;
    }
    Ok(config)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Baseline {
        addr,
        seconds,
        current_thread,
        blob_bytes,
    } = cli.command
    {
        return baseline::run(&baseline::Options {
            addr,
            lifetime: Duration::from_secs(seconds.clamp(1, 600)),
            current_thread,
            blob_bytes,
        });
    }
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
                let mut config = platform::config::Config::load(None, APPS)?;
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
            Command::DeliveryMonth {
                addr,
                seconds,
                connections,
                changes,
                server_pid,
                baseline_addr,
                data_dir,
                only,
            } => {
                month::run(&month::Options {
                    addrs: addr,
                    duration: Duration::from_secs(seconds.clamp(1, 300)),
                    connections: connections.clamp(1, 256),
                    changes_per_second: changes,
                    server_pids: server_pid,
                    baseline_addr,
                    data_dir,
                    only,
                })
                .await
            }
            Command::SeedChat { couples, data_dir } => {
                chat::seed(config_with(data_dir)?, couples).await
            }
            Command::ChatConnections {
                addr,
                connections,
                hold,
                parallel,
                skip,
                server_pid,
                data_dir,
            } => {
                chat::connections(
                    &config_with(data_dir)?,
                    &chat::ConnectionsOptions {
                        addr,
                        connections,
                        hold: Duration::from_secs(hold.clamp(0, 600)),
                        server_pid,
                        parallel,
                        skip,
                    },
                )
                .await
            }
            Command::ChatLatency {
                addr,
                rooms,
                rate,
                seconds,
                warmup,
                server_pid,
                data_dir,
            } => {
                chat::latency(
                    &config_with(data_dir)?,
                    &chat::LatencyOptions {
                        addr,
                        rooms,
                        rate,
                        duration: Duration::from_secs(seconds.clamp(1, 300)),
                        warmup: Duration::from_secs(warmup.min(60)),
                        server_pid,
                    },
                )
                .await
            }
            Command::SeedShop {
                products,
                orders,
                buyers,
                sellers,
                seed,
                data_dir,
            } => {
                shop::seed::run(
                    config_with(data_dir)?,
                    shop::seed::SeedArgs {
                        products,
                        orders,
                        buyers,
                        sellers,
                        seed,
                    },
                )
                .await
            }
            Command::Shop {
                addr,
                data_dir,
                scenarios,
            } => {
                let (run, only) = scenarios.run(addr);
                shop::scenarios::run(
                    &config_with(data_dir)?,
                    &shop::scenarios::Options { run, only },
                )
                .await
            }
            Command::SeedReviews {
                reviews,
                users,
                seed,
                data_dir,
            } => {
                reviews::seed::run(
                    config_with(data_dir)?,
                    reviews::seed::SeedArgs {
                        reviews,
                        users,
                        seed,
                    },
                )
                .await
            }
            Command::Reviews {
                addr,
                data_dir,
                scenarios,
            } => {
                let (run, only) = scenarios.run(addr);
                reviews::scenarios::run(
                    &config_with(data_dir)?,
                    &reviews::scenarios::Options { run, only },
                )
                .await
            }
            Command::SeedFocusmate {
                users,
                rooms,
                credits,
                seed,
                data_dir,
            } => {
                focusmate::seed::run(
                    config_with(data_dir)?,
                    focusmate::seed::SeedArgs {
                        users,
                        rooms,
                        credits,
                        seed,
                    },
                )
                .await
            }
            Command::Focusmate {
                addr,
                connections,
                scenarios,
            } => {
                let (run, only) = scenarios.run(addr);
                focusmate::scenarios::run(
                    &config_with(None)?,
                    &focusmate::scenarios::Options {
                        run,
                        only,
                        connections: connections.clamp(10, 50_000),
                    },
                )
                .await
            }
            Command::Baseline { .. } => unreachable!("the baseline runs on its own runtime"),
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
                    headers: Vec::new(),
                };
                let plan = load::Plan {
                    connections,
                    duration: Duration::from_secs(seconds.clamp(1, 300)),
                    max_per_connection: usize::MAX,
                    warmup: Duration::from_secs(1),
                    rate,
                    also_ok: &[],
                };
                load::run(load::fixed(target), &plan)
                    .await?
                    .print(&format!("http c={connections}"));
                Ok(())
            }
        }
    })
}
