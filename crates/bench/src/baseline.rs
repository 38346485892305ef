//! A bare axum server with no middleware: the calibration row of docs/benchmarks.md
//! (what this machine's loopback and scheduler allow at all). Serves for a bounded
//! time, then exits.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::routing::get;

pub struct Options {
    pub addr: SocketAddr,
    pub lifetime: Duration,
    pub current_thread: bool,
}

pub fn run(opts: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        opts.addr.ip().is_loopback(),
        "the baseline only listens on loopback"
    );
    let rt = if opts.current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
    };
    rt.block_on(async {
        let app = Router::new().route("/health", get(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind(opts.addr).await?;
        println!(
            "bare axum on http://{} for {} s ({} runtime)",
            opts.addr,
            opts.lifetime.as_secs(),
            if opts.current_thread {
                "current-thread"
            } else {
                "multi-thread"
            }
        );
        let stop = tokio::time::sleep(opts.lifetime);
        axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await?;
        Ok(())
    })
}
