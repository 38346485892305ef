//! A bare axum server with no middleware: the calibration row of docs/benchmarks.md
//! (what this machine's loopback and scheduler allow at all). Serves for a bounded
//! time, then exits. `/blob` answers a buffer held in memory, the size of a month
//! list (the floor of serving one over loopback); `/blob.gz` the same gzipped,
//! answered as `Content-Encoding: gzip`.

use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::http::header;
use axum::routing::get;
use bytes::Bytes;

pub struct Options {
    pub addr: SocketAddr,
    pub lifetime: Duration,
    pub current_thread: bool,
    /// The size of `/blob`.
    pub blob_bytes: usize,
}

/// JSON-like bytes that compress as a month list does (repeated keys, varying values).
fn blob(size: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(size + 256);
    let mut i = 0u64;
    while out.len() < size {
        out.extend_from_slice(
            format!(
                r#"{{"dashboard_id":{i},"order_no":"R{i:08}","type":"DELIVERY","status":"WAITING","eta":"2026-11-{:02}T{:02}:{:02}:00","customer":"고객{}","region":"서울특별시 강남구 역삼동","driver_name":null}},"#,
                i % 28 + 1,
                i % 24,
                i % 60,
                i % 997
            )
            .as_bytes(),
        );
        i += 1;
    }
    out.truncate(size);
    out
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
        let plain = Bytes::from(blob(opts.blob_bytes));
        let gz = platform::http::gzip::join([&platform::http::gzip::Piece::compress(&plain, 6)]);
        let app = Router::new()
            .route("/health", get(|| async { "ok" }))
            .route("/blob", get(move || async move { plain.clone() }))
            .route(
                "/blob.gz",
                get(move || async move { ([(header::CONTENT_ENCODING, "gzip")], gz.clone()) }),
            );
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
