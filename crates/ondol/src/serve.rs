//! `ondol serve`: open every selected app, print the startup table, serve until
//! SIGINT/SIGTERM, then drain within the configured grace period.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use platform::config::Config;
use platform::{App, DemoLogin, db::Location, server};
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

struct Started {
    name: &'static str,
    addr: SocketAddr,
    storage: String,
    realtime: &'static str,
    demo: Vec<DemoLogin>,
}

pub async fn run(config: Arc<Config>, apps: Vec<Arc<dyn App>>, demo: bool) -> anyhow::Result<()> {
    let names: Vec<&str> = apps.iter().map(|a| a.manifest().name).collect();
    config.check_production(&names)?;
    platform::telemetry::init_logging(&config);
    let shutdown = CancellationToken::new();
    let mut started = Vec::new();
    let mut tasks = Vec::new();
    let mut contexts = Vec::new();
    for app in &apps {
        let name = app.manifest().name;
        let ctx = server::open(app.as_ref(), config.clone(), shutdown.clone())
            .await
            .map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let logins = if demo {
            app.seed_demo(&ctx)
                .await
                .map_err(|e| anyhow::anyhow!("{name} demo data: {e}"))?
        } else {
            Vec::new()
        };
        let router =
            server::router(app.as_ref(), &ctx).map_err(|e| anyhow::anyhow!("{name}: {e}"))?;
        let port = server::port(&ctx, app.as_ref());
        let listener = TcpListener::bind((config.host, port))
            .await
            .map_err(|e| anyhow::anyhow!("{name}: cannot listen on {}:{port}: {e}", config.host))?;
        let addr = listener.local_addr()?;
        started.push(Started {
            name,
            addr,
            storage: Location::for_app(&config, name, &ctx.platform).describe(),
            realtime: if ctx.redis.is_some() {
                "redis"
            } else {
                "in-process"
            },
            demo: logins,
        });
        tasks.push(tokio::spawn(server::serve(
            listener,
            router,
            shutdown.clone(),
        )));
        contexts.push(ctx);
    }
    print!("{}", table(&started));
    server::shutdown_signal().await;
    tracing::info!("shutting down");
    shutdown.cancel();
    let grace = Duration::from_secs(config.shutdown_grace_secs);
    let deadline = tokio::time::Instant::now() + grace;
    let drained = tokio::time::timeout_at(deadline, futures_util::future::join_all(tasks)).await;
    // Upgraded WebSocket sessions outlive their HTTP connections: let them finish
    // their goodbyes (close frames, presence updates) before the pools close.
    let sockets_closed = tokio::time::timeout_at(deadline, async {
        while contexts.iter().any(|c| c.metrics.open_websockets() > 0) {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    if drained.is_err() || sockets_closed.is_err() {
        tracing::warn!(
            ?grace,
            "in-flight work did not finish within the grace period"
        );
    }
    for ctx in contexts {
        ctx.db.close().await;
    }
    Ok(())
}

/// One line per app; columns as wide as their longest value.
fn table(started: &[Started]) -> String {
    let mut out = format!("ondol {}\n", env!("CARGO_PKG_VERSION"));
    let rows: Vec<[String; 5]> = started
        .iter()
        .map(|s| {
            let logins = s
                .demo
                .iter()
                .map(|l| format!("{} / {} ({})", l.login, l.password, l.role))
                .collect::<Vec<_>>()
                .join(", ");
            [
                s.name.to_owned(),
                format!("http://{}", s.addr),
                s.storage.clone(),
                s.realtime.to_owned(),
                if logins.is_empty() {
                    "-".into()
                } else {
                    logins
                },
            ]
        })
        .collect();
    let header = ["app", "url", "storage", "realtime", "demo logins"].map(str::to_owned);
    let mut widths = [0usize; 4];
    for row in std::iter::once(&header).chain(&rows) {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (cell, width) in row.iter().zip(widths) {
            line.push_str(cell);
            line.push_str(&" ".repeat(width - cell.chars().count() + 2));
        }
        line.push_str(&row[4]);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_lines_up_whatever_the_storage() {
        let started = |name, storage: &str| Started {
            name,
            addr: "127.0.0.1:8001".parse().unwrap(),
            storage: storage.to_owned(),
            realtime: "redis",
            demo: Vec::new(),
        };
        let text = table(&[
            started("delivery", "postgres 127.0.0.1:5432/ondol schema delivery"),
            started("chat", "sqlite data/chat.db"),
        ]);
        let lines: Vec<&str> = text.lines().skip(1).collect();
        let column = |line: &str, word: &str| line.find(word).unwrap();
        assert_eq!(column(lines[0], "realtime"), column(lines[1], "redis"));
        assert_eq!(column(lines[1], "redis"), column(lines[2], "redis"));
        assert_eq!(column(lines[0], "storage"), column(lines[2], "sqlite"));
    }
}
