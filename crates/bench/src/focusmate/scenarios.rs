//! The focusmate benchmarks of docs/benchmarks.md, against a running server: the
//! leaderboard and the room list at 64 connections beside a bare axum server
//! measured in the same run, and the fan-out of `room_state` from phase changes to
//! every participant's WebSocket.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use hyper::Method;
use platform::auth::JwtKeys;
use platform::config::Config;
use tokio::sync::{Semaphore, mpsc};
use tokio_tungstenite::tungstenite::Message;

use super::{PER_ROOM, room_id, user_id};
use crate::harness::Run;
use crate::load::{self, Target};
use crate::stats::{Samples, rss_mib};
use crate::ws::Ws;

pub struct Options {
    pub run: Run,
    pub only: Vec<String>,
    /// WebSocket connections of the fan-out (ten per room).
    pub connections: usize,
}

fn keys(config: &Config) -> anyhow::Result<JwtKeys> {
    crate::harness::signing_keys(config, "focusmate", Duration::from_secs(7200))
}

/// `POST {path}` with an empty JSON body as `token`'s user.
fn post(addr: std::net::SocketAddr, path: String, token: &str) -> Target {
    Target {
        body: Some(bytes::Bytes::from_static(b"{}")),
        ..crate::harness::target(addr, Method::POST, path, Some(token))
    }
}

fn token(keys: &JwtKeys, user: usize) -> anyhow::Result<String> {
    keys.issue(&user_id(user).to_string(), focusmate::model::UserClaims {})
        .map(|(t, _)| t)
        .map_err(|e| anyhow::anyhow!("{}", e.message))
}

pub async fn run(config: &Config, opts: &Options) -> anyhow::Result<()> {
    let o = &opts.run;
    o.ensure_loopback()?;
    let wants = |name: &str| opts.only.is_empty() || opts.only.iter().any(|x| x == name);
    let keys = keys(config)?;
    let reader = token(&keys, 1)?;
    let base = o.start(wants("baseline")).await?;
    let addr = o.addr;
    let get = {
        let reader = reader.clone();
        move |path: &str| crate::harness::target(addr, Method::GET, path.to_owned(), Some(&reader))
    };
    if wants("leaderboard") {
        for period in ["all", "weekly", "daily"] {
            let t = get(&format!("/api/v1/leaderboard?period={period}"));
            o.closed_and_paced(load::fixed(t), &format!("leaderboard {period}"), base)
                .await?;
        }
        o.report_rss("after leaderboard");
    }
    if wants("rooms") {
        let t = get("/api/v1/rooms?limit=20");
        o.closed_and_paced(load::fixed(t), "room list (20 rooms)", base)
            .await?;
        let t = get(&format!("/api/v1/rooms/{}", room_id(0)));
        o.closed_and_paced(load::fixed(t), "room detail", base)
            .await?;
        o.report_rss("after rooms");
    }
    if wants("fanout") {
        fanout(o, &keys, opts.connections).await?;
    }
    Ok(())
}

/// What one connection saw: a phase change's delay after its scheduled end.
enum Seen {
    Change(Duration),
    Failed(String),
}

fn millis(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.timestamp_millis())
}

/// Reads one connection until `stop`: for each room state whose phase ends later
/// than the last one seen, the delay between the last one's end (when the phase
/// changed on the schedule) and now.
async fn watch(mut ws: Ws, tx: mpsc::UnboundedSender<Seen>, stop: Instant) {
    let mut last_end: HashMap<String, i64> = HashMap::new();
    loop {
        let left = stop.saturating_duration_since(Instant::now());
        let frame = match tokio::time::timeout(left, ws.next()).await {
            Err(_) => break,
            Ok(None) => {
                let _ = tx.send(Seen::Failed("closed by the server".into()));
                break;
            }
            Ok(Some(Err(e))) => {
                let _ = tx.send(Seen::Failed(e.to_string()));
                break;
            }
            Ok(Some(Ok(frame))) => frame,
        };
        let Message::Text(text) = frame else { continue };
        let now = chrono::Utc::now().timestamp_millis();
        let Ok(m) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        if m["type"] != "room_state" {
            continue;
        }
        let room = m["data"]["id"].as_str().unwrap_or_default().to_owned();
        let Some(ends) = m["data"]["timer"]["ends_at"].as_str().and_then(millis) else {
            continue;
        };
        match last_end.insert(room, ends) {
            Some(previous) if ends > previous && now >= previous => {
                let _ = tx.send(Seen::Change(Duration::from_millis((now - previous) as u64)));
            }
            _ => {}
        }
    }
    let _ = ws.close(None).await;
}

/// `connections` participants connected (ten per room), every room's timer
/// started, spread over one phase; then, for the run's duration, the delay from
/// each phase change's scheduled moment to its arrival at each participant.
async fn fanout(o: &Run, keys: &JwtKeys, connections: usize) -> anyhow::Result<()> {
    let rooms = connections.div_ceil(PER_ROOM);
    let limit = platform::server::raise_fd_limit(connections as u64 * 2 + 1024);
    println!("open-file limit: {limit}");
    let before = o.server_pid.and_then(rss_mib).map(|(_, now)| now);
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(64));
    let mut opening = Vec::with_capacity(connections);
    for i in 0..connections {
        let user = (i / PER_ROOM) * PER_ROOM + 1 + i % PER_ROOM;
        let token = token(keys, user)?;
        let gate = gate.clone();
        let addr = o.addr;
        opening.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let path = format!("/api/v1/notifications/ws?token={token}");
            crate::ws::connect(addr, i, &path).await
        }));
    }
    let mut sockets = Vec::with_capacity(connections);
    let mut failed = 0usize;
    let mut first_error = None;
    for h in opening {
        match h.await? {
            Ok(ws) => sockets.push(ws),
            Err(e) => {
                failed += 1;
                first_error.get_or_insert(e.to_string());
            }
        }
    }
    println!(
        "{:<28} {} connected, {failed} failed in {:.1} s{}",
        "[fan-out]",
        sockets.len(),
        started.elapsed().as_secs_f64(),
        first_error
            .map(|e| format!(" (first: {e})"))
            .unwrap_or_default()
    );
    tokio::time::sleep(Duration::from_secs(2)).await;
    if let (Some(before), Some((_, after))) = (before, o.server_pid.and_then(rss_mib)) {
        println!(
            "{:<28} server RSS {before:.0} → {after:.0} MiB: {:.1} KiB per connection",
            "",
            (after - before) * 1024.0 / sockets.len().max(1) as f64
        );
    }

    // The watchers run from now until the end of the measurement.
    let phase = phase_length(o, keys).await?;
    let stop = Instant::now() + phase + o.duration + Duration::from_secs(1);
    let (tx, mut rx) = mpsc::unbounded_channel();
    for ws in sockets {
        tokio::spawn(watch(ws, tx.clone(), stop));
    }
    drop(tx);
    // Every room's timer, started evenly over one phase, so that changes are
    // spread as in a busy evening rather than all at once.
    let hosts: Vec<String> = (0..rooms)
        .map(|r| token(keys, r * PER_ROOM + 1))
        .collect::<Result<_, _>>()?;
    let step = phase / rooms.max(1) as u32;
    let t0 = Instant::now();
    for (r, host) in hosts.iter().enumerate() {
        tokio::time::sleep_until((t0 + step * r as u32).into()).await;
        let t = post(
            o.addr,
            format!("/api/v1/rooms/{}/timer/start", room_id(r)),
            host,
        );
        let (status, _) = load::once(&t).await?;
        anyhow::ensure!(status == 200, "starting room {r}'s timer: {status}");
    }
    println!(
        "{:<28} {rooms} timers started over {:.1} s (phases of {:.1} s)",
        "",
        t0.elapsed().as_secs_f64(),
        phase.as_secs_f64()
    );
    let mut samples = Samples::default();
    let mut changes = 0u64;
    while let Some(seen) = rx.recv().await {
        match seen {
            Seen::Change(d) => {
                changes += 1;
                samples.record(d);
            }
            Seen::Failed(e) => {
                samples.errors += 1;
                samples.note(e);
            }
        }
    }
    let summary = samples.summary(o.duration + phase);
    summary.print("room_state after phase end");
    println!(
        "{:<28} {changes} deliveries of phase changes to {connections} connections",
        ""
    );
    o.report_rss("after fan-out");
    // Leave the rooms idle for the next run.
    for (r, host) in hosts.iter().enumerate() {
        let t = post(
            o.addr,
            format!("/api/v1/rooms/{}/timer/reset", room_id(r)),
            host,
        );
        load::once(&t).await?;
    }
    Ok(())
}

/// One phase's real length on the server: starting room 0's timer and reading
/// how far away its end is (its timer minute, as the server is configured).
async fn phase_length(o: &Run, keys: &JwtKeys) -> anyhow::Result<Duration> {
    let host = token(keys, 1)?;
    let path = format!("/api/v1/rooms/{}", room_id(0));
    let t = crate::harness::target(o.addr, Method::GET, path, Some(&host));
    let (_, body) = load::once(&t).await?;
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let focus = v["data"]["focus_minutes"].as_i64().unwrap_or(1);
    let start = post(
        o.addr,
        format!("/api/v1/rooms/{}/timer/start", room_id(0)),
        &host,
    );
    let now = chrono::Utc::now().timestamp_millis();
    let (_, body) = load::once(&start).await?;
    let v: serde_json::Value = serde_json::from_slice(&body)?;
    let ends = v["data"]["timer"]["ends_at"]
        .as_str()
        .and_then(millis)
        .ok_or_else(|| anyhow::anyhow!("room 0's timer did not start: {v}"))?;
    let reset = post(
        o.addr,
        format!("/api/v1/rooms/{}/timer/reset", room_id(0)),
        &host,
    );
    load::once(&reset).await?;
    let ms = ((ends - now) as f64 / focus as f64 / 100.0).round() * 100.0;
    anyhow::ensure!(ms >= 500.0, "phases of {ms} ms are too short to measure");
    Ok(Duration::from_millis(ms as u64))
}
