//! The delivery benchmarks of docs/benchmarks.md, against a running server.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::Utc;
use hyper::Method;

use crate::load::{self, Plan, Target};
use crate::seed::{BENCH_PASSWORD, BENCH_USER};
use crate::stats::{Samples, rss_mib};

pub struct Options {
    pub addr: SocketAddr,
    pub duration: Duration,
    pub server_pid: Option<u32>,
    pub excel_runs: usize,
    pub max_id: i64,
    pub only: Vec<String>,
    /// Also measure detail and lock latency at this fixed offered rate (req/s).
    pub rate: Option<f64>,
}

fn target(
    addr: SocketAddr,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<serde_json::Value>,
) -> Target {
    Target {
        addr,
        method,
        path: path.to_owned(),
        token: token.map(str::to_owned),
        body: body.map(|b| Bytes::from(b.to_string())),
        headers: Vec::new(),
    }
}

pub async fn login(addr: SocketAddr) -> anyhow::Result<String> {
    let t = target(
        addr,
        Method::POST,
        "/auth/login",
        None,
        Some(serde_json::json!({"user_id": BENCH_USER, "password": BENCH_PASSWORD})),
    );
    let (status, body) = load::once(&t).await?;
    anyhow::ensure!(
        status == 200,
        "login failed ({status}): {}",
        String::from_utf8_lossy(&body)
    );
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    Ok(v["token"]["access_token"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no access token"))?
        .to_owned())
}

fn report_rss(pid: Option<u32>, when: &str) {
    if let Some((peak, now)) = pid.and_then(rss_mib) {
        println!(
            "{:<28} server RSS {now:.0} MiB, peak {peak:.0} MiB",
            format!("[{when}]")
        );
    }
}

/// The 31-day range ending today in Asia/Seoul (the default zone).
pub fn month_range() -> serde_json::Value {
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .date_naive();
    let start = today - chrono::Duration::days(30);
    serde_json::json!({"start_date": start.format("%Y-%m-%d").to_string(), "end_date": today.format("%Y-%m-%d").to_string()})
}

pub async fn run(o: &Options) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.addr.ip().is_loopback(),
        "load is only ever sent to loopback"
    );
    let token = login(o.addr).await?;
    let wants = |name: &str| o.only.is_empty() || o.only.iter().any(|x| x == name);
    report_rss(o.server_pid, "start");
    let plan = |connections| Plan::closed(connections, o.duration);
    let paced = |connections, rate| Plan {
        rate: Some(rate),
        ..plan(connections)
    };

    if wants("session") {
        let t = target(
            o.addr,
            Method::GET,
            "/auth/check-session",
            Some(&token),
            None,
        );
        load::run(load::fixed(t), &plan(64))
            .await?
            .print("check-session c=64");
        report_rss(o.server_pid, "after session");
    }

    if wants("list") {
        let range = month_range();
        let t = target(
            o.addr,
            Method::POST,
            "/dashboard/list",
            Some(&token),
            Some(range.clone()),
        );
        let (status, body) = load::once(&t).await?;
        anyhow::ensure!(status == 200, "list failed: {status}");
        let v: serde_json::Value = serde_json::from_slice(&body)?;
        println!(
            "list range {} .. {}: {} items, {:.1} MB of JSON",
            range["start_date"],
            range["end_date"],
            v["data"]["items"].as_array().map_or(0, Vec::len),
            body.len() as f64 / 1e6
        );
        load::run(load::fixed(t), &plan(8))
            .await?
            .print("list 31 days c=8");
        report_rss(o.server_pid, "after list");
    }

    if wants("detail") {
        let max_id = o.max_id.max(1);
        let token = token.clone();
        let addr = o.addr;
        let make: load::MakeRequest = Arc::new(move |c, i| {
            // A spread of ids, different per connection, deterministic.
            let id = 1 + ((c as i64 * 7_919 + i as i64 * 104_729) % max_id);
            target(
                addr,
                Method::GET,
                &format!("/dashboard/{id}"),
                Some(&token),
                None,
            )
        });
        load::run(make.clone(), &plan(64))
            .await?
            .print("detail c=64");
        if let Some(rate) = o.rate {
            load::run(make, &paced(64, rate))
                .await?
                .print(&format!("detail c=64 @{rate}/s"));
        }
        report_rss(o.server_pid, "after detail");
    }

    if wants("lock") {
        let token = token.clone();
        let addr = o.addr;
        // Each connection works on its own order: acquire, release, acquire, ...
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let path = format!("/dashboard/{}/lock", 1 + c);
            if i % 2 == 0 {
                target(
                    addr,
                    Method::POST,
                    &path,
                    Some(&token),
                    Some(serde_json::json!({"lock_type": "EDIT"})),
                )
            } else {
                target(addr, Method::DELETE, &path, Some(&token), None)
            }
        });
        let s = load::run(make.clone(), &plan(64)).await?;
        s.print("lock acquire|release c=64");
        println!("{:<28} {:>10.0} cycles/s", "", s.rps() / 2.0);
        if let Some(rate) = o.rate {
            load::run(make, &paced(64, rate))
                .await?
                .print(&format!("lock a|r c=64 @{rate}/s"));
        }
        report_rss(o.server_pid, "after locks");
    }

    if wants("excel") {
        let t = target(
            o.addr,
            Method::POST,
            "/download/excel",
            Some(&token),
            Some(month_range()),
        );
        let mut samples = Samples::default();
        let started = Instant::now();
        let mut size = 0;
        for _ in 0..o.excel_runs.max(1) {
            let t0 = Instant::now();
            let (status, body) = load::once(&t).await?;
            anyhow::ensure!(status == 200, "excel failed: {status}");
            samples.record(t0.elapsed());
            size = body.len();
        }
        println!("excel 31 days: {:.1} MB workbook", size as f64 / 1e6);
        samples
            .summary(started.elapsed())
            .print("excel 31 days sequential");
        report_rss(o.server_pid, "after excel");
    }
    Ok(())
}
