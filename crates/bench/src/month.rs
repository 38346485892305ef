//! `ondol-bench delivery-month`: the month list the way a control room uses it,
//! 8 operators listing the same 31 days on two instances while orders in it
//! change 20 times a second on both, with and without gzip; and the floors
//! beside it: the database handing over the rows, Rust serializing them, and a
//! buffer of the same size served from memory by the bare axum baseline.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::Method;
use platform::app::ShutdownToken;

use crate::load::{self, Plan, Target};
use crate::scenarios::{login, month_range};
use crate::stats::rss_mib;

pub struct Options {
    /// The instances (one or two), sharing a database.
    pub addrs: Vec<SocketAddr>,
    pub duration: Duration,
    pub connections: usize,
    pub changes_per_second: f64,
    pub server_pids: Vec<u32>,
    pub baseline_addr: SocketAddr,
    pub data_dir: Option<PathBuf>,
    pub only: Vec<String>,
}

fn list_target(addr: SocketAddr, token: &str, gzip: bool) -> Target {
    Target {
        addr,
        method: Method::POST,
        path: "/dashboard/list".into(),
        token: Some(token.to_owned()),
        body: Some(Bytes::from(month_range().to_string())),
        headers: if gzip {
            vec![("accept-encoding", "gzip".into())]
        } else {
            Vec::new()
        },
    }
}

fn report_rss(pids: &[u32], when: &str) {
    for pid in pids {
        if let Some((peak, now)) = rss_mib(*pid) {
            println!(
                "{:<28} server {pid} RSS {now:.0} MiB, peak {peak:.0} MiB",
                format!("[{when}]")
            );
        }
    }
}

/// Changes at a fixed rate, alternating instances: a status change, a field
/// edit, a new order, in turn, on orders of the month.
async fn change(
    addrs: Vec<SocketAddr>,
    token: String,
    ids: Vec<i64>,
    per_second: f64,
    until: Instant,
    done: Arc<AtomicU64>,
    failed: Arc<AtomicU64>,
) {
    let interval = Duration::from_secs_f64(1.0 / per_second.max(0.1));
    let mut tick = tokio::time::interval(interval);
    // Unique per call: new orders of an earlier phase or run are not repeated.
    let run = format!(
        "{}-{}",
        std::process::id(),
        chrono::Utc::now().timestamp_millis()
    );
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .date_naive();
    const STATUSES: [&str; 3] = ["WAITING", "IN_PROGRESS", "COMPLETE"];
    let mut i = 0usize;
    while Instant::now() < until {
        tick.tick().await;
        let addr = addrs[i % addrs.len()];
        let id = ids[(i * 7_919) % ids.len()];
        let (method, path, body) = match i % 3 {
            0 => (
                Method::PATCH,
                format!("/dashboard/{id}/status"),
                serde_json::json!({"status": STATUSES[(i / 3) % 3], "is_admin": true}),
            ),
            1 => (
                Method::PATCH,
                format!("/dashboard/{id}/fields"),
                serde_json::json!({"driver_name": format!("기사{}", i % 1000)}),
            ),
            _ => (
                Method::POST,
                "/dashboard".into(),
                serde_json::json!({
                    "order_no": format!("LC{run}-{i}"), "type": "DELIVERY", "department": "CS",
                    "warehouse": "SEOUL", "sla": "당일",
                    "eta": format!("{today}T{:02}:{:02}:00", i % 24, i % 60),
                    "postal_code": "06234", "address": "테헤란로 1", "customer": "부하 고객",
                }),
            ),
        };
        let t = Target {
            addr,
            method,
            path,
            token: Some(token.clone()),
            body: Some(Bytes::from(body.to_string())),
            headers: Vec::new(),
        };
        match load::once(&t).await {
            Ok((s, _)) if (200..300).contains(&s) => done.fetch_add(1, Ordering::Relaxed),
            _ => failed.fetch_add(1, Ordering::Relaxed),
        };
        i += 1;
    }
}

async fn under_changes(o: &Options, token: &str, ids: &[i64], gzip: bool) -> anyhow::Result<()> {
    let done = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let warmup = Duration::from_secs(1);
    let changer = tokio::spawn(change(
        o.addrs.clone(),
        token.to_owned(),
        ids.to_vec(),
        o.changes_per_second,
        Instant::now() + warmup + o.duration,
        done.clone(),
        failed.clone(),
    ));
    let targets: Vec<Target> = o
        .addrs
        .iter()
        .map(|a| list_target(*a, token, gzip))
        .collect();
    let make: load::MakeRequest = Arc::new(move |c, _| targets[c % targets.len()].clone());
    let s = load::run(make, &Plan::closed(o.connections, o.duration)).await?;
    changer.await?;
    let label = format!(
        "list+changes c={}{}",
        o.connections,
        if gzip { " gzip" } else { "" }
    );
    s.print(&label);
    println!(
        "{:<28} {} changes made ({:.1}/s), {} failed, over {} instance(s)",
        "",
        done.load(Ordering::Relaxed),
        done.load(Ordering::Relaxed) as f64 / (o.duration + warmup).as_secs_f64(),
        failed.load(Ordering::Relaxed),
        o.addrs.len()
    );
    report_rss(&o.server_pids, &label);
    Ok(())
}

/// The database and serialization floors, measured in this process against
/// the database the servers use (five runs each, median).
async fn floors_in_process(o: &Options) -> anyhow::Result<()> {
    let mut config = platform::config::Config::load(None, &["delivery"])?;
    if let Some(dir) = &o.data_dir {
        config.data_dir = dir.clone();
    }
    let app = delivery::Delivery;
    let ctx = platform::server::open(&app, Arc::new(config), ShutdownToken::new())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let range = month_range();
    let day =
        |k: &str| chrono::NaiveDate::parse_from_str(range[k].as_str().unwrap_or(""), "%Y-%m-%d");
    let (start, end) = (day("start_date")?, day("end_date")?);
    let mut fetch = Vec::new();
    let mut serialize = Vec::new();
    let mut last = None;
    for _ in 0..6 {
        let f = delivery::floor::measure(&ctx.db, ctx.tz(), start, end).await?;
        fetch.push(f.fetch.as_secs_f64() * 1e3);
        serialize.push(f.serialize.as_secs_f64() * 1e3);
        last = Some((f.rows, f.json_bytes));
    }
    // The first run warms the database's cache; the median of the rest.
    let median = |v: &mut Vec<f64>| {
        v.remove(0);
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (rows, bytes) = last.unwrap_or_default();
    println!(
        "floor: database hands over   {rows} rows in {:.1} ms (median of 5, {})",
        median(&mut fetch),
        ctx.db.engine()
    );
    println!(
        "floor: Rust serializes them  {:.1} MB of JSON in {:.1} ms (median of 5)",
        bytes as f64 / 1e6,
        median(&mut serialize)
    );
    ctx.db.close().await;
    Ok(())
}

pub async fn run(o: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.addrs.iter().all(|a| a.ip().is_loopback()) && o.baseline_addr.ip().is_loopback(),
        "load is only ever sent to loopback"
    );
    let wants = |name: &str| o.only.is_empty() || o.only.iter().any(|x| x == name);
    let token = login(o.addrs[0]).await?;
    let (status, body) = load::once(&list_target(o.addrs[0], &token, false)).await?;
    anyhow::ensure!(status == 200, "list failed: {status}");
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let ids: Vec<i64> = v["data"]["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["dashboard_id"].as_i64())
                .collect()
        })
        .unwrap_or_default();
    anyhow::ensure!(!ids.is_empty(), "the month holds no orders to change");
    println!(
        "month {} .. {}: {} items, {:.1} MB of JSON, {} instance(s)",
        month_range()["start_date"],
        month_range()["end_date"],
        ids.len(),
        body.len() as f64 / 1e6,
        o.addrs.len()
    );
    report_rss(&o.server_pids, "start");
    if wants("list-changes") {
        under_changes(o, &token, &ids, false).await?;
    }
    if wants("list-changes-gzip") {
        under_changes(o, &token, &ids, true).await?;
    }
    if wants("floor-db") {
        floors_in_process(o).await?;
    }
    if wants("floor-loopback") {
        for (path, label) in [
            ("/blob", "floor: buffer over loopback"),
            ("/blob.gz", "floor: gzip buffer"),
        ] {
            let t = Target {
                addr: o.baseline_addr,
                method: Method::GET,
                path: path.into(),
                token: None,
                body: None,
                headers: Vec::new(),
            };
            let (status, body) = load::once(&t).await?;
            anyhow::ensure!(status == 200, "the baseline's {path} answered {status}");
            load::run(load::fixed(t), &Plan::closed(o.connections, o.duration))
                .await?
                .print(&format!("{label} c={}", o.connections));
            println!("{:<28} {:.1} MB per answer", "", body.len() as f64 / 1e6);
        }
    }
    Ok(())
}
