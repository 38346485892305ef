//! Chat benchmarks: how many subscribed STOMP connections one server holds (and what
//! each costs it in memory), and send-to-delivery latency at a fixed message rate.
//!
//! Users and couples are written straight into the chat database (`seed-chat`);
//! the benchmark mints their access tokens with the server's JWT secret, so tens of
//! thousands of connections need no logins.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chat::model::{CoupleId, UserClaims, UserId};
use futures_util::{SinkExt, StreamExt};
use platform::app::ShutdownToken;
use platform::auth::JwtKeys;
use platform::config::Config;
use platform::{on_pool, on_tx, server};
use stomp::{Command, Decoder, Frame, Item, Version};
use tokio::sync::{Semaphore, mpsc, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::stats::{Samples, rss_mib};

use crate::ws::Ws;

/// `seed-chat`: `couples` couples (two users each), added to what is there.
pub async fn seed(config: Config, couples: usize) -> anyhow::Result<()> {
    let config = Arc::new(config);
    let ctx = server::open(&chat::Chat, config, ShutdownToken::new())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    // Nobody logs in with these accounts (tokens are minted), so a cheap hash.
    let hash = bcrypt::hash("bench-password", 4)?;
    let existing: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM couples"
    )
    .fetch_one(p)
    .await)?;
    let now = chrono::Utc::now();
    for n in 0..couples {
        let i = existing as usize + n;
        let members = [UserId::new(), UserId::new()];
        let couple = CoupleId::new();
        let mut tx = ctx.db.begin().await?;
        // The rows a sign-up, an invitation and a join leave behind (the seed's schema).
        on_tx!(&mut tx, |c| {
            sqlx::query("INSERT INTO couples (id, created_at) VALUES ($1, $2)")
                .bind(couple)
                .bind(now)
                .execute(&mut *c)
                .await?;
            for (k, member) in members.into_iter().enumerate() {
                sqlx::query(
                    "INSERT INTO users (id, email, password_hash, name, couple_id, created_at)
                     VALUES ($1, $2, $3, 'bench', $4, $5)",
                )
                .bind(member)
                .bind(format!("bench-{i}-{k}@bench.ondol.dev"))
                .bind(&hash)
                .bind(couple)
                .bind(now)
                .execute(&mut *c)
                .await?;
                sqlx::query(
                    "INSERT INTO couple_members (couple_id, user_id, joined_at) VALUES ($1, $2, $3)",
                )
                .bind(couple)
                .bind(member)
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
        });
        tx.commit().await?;
        if (n + 1).is_multiple_of(5_000) {
            println!("{} couples", n + 1);
        }
    }
    println!(
        "seeded {couples} couples ({} users) in {:.1} s",
        couples * 2,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The first `couples` couples of the database, with both members.
async fn couples(config: &Config, wanted: usize) -> anyhow::Result<Vec<(CoupleId, [UserId; 2])>> {
    let settings = config.app("chat").platform()?;
    let location = platform::db::Location::for_app(config, "chat", &settings);
    let db = platform::db::Db::connect(
        &location,
        platform::db::DbOptions::new(2, platform::App::manifest(&chat::Chat).sqlite_page_size),
    )
    .await?;
    let rows: Vec<(CoupleId, UserId)> = on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT m.couple_id, m.user_id FROM couple_members m
         JOIN couples c ON c.id = m.couple_id WHERE c.closed_at IS NULL
         ORDER BY c.created_at, m.couple_id, m.user_id LIMIT $1"
    )
    .bind((wanted * 2) as i64)
    .fetch_all(p)
    .await)?;
    db.close().await;
    let mut out = Vec::new();
    for pair in rows.chunks(2) {
        if let [(c, a), (_, b)] = pair {
            out.push((*c, [*a, *b]));
        }
    }
    anyhow::ensure!(
        out.len() >= wanted,
        "the database has {} couples; run `ondol-bench seed-chat --couples {wanted}` first",
        out.len()
    );
    Ok(out)
}

fn keys(config: &Config) -> anyhow::Result<JwtKeys> {
    crate::harness::signing_keys(config, "chat", Duration::from_secs(3600))
}

/// A STOMP connection of the benchmark.
struct Conn {
    ws: Ws,
    buf: Vec<u8>,
}

impl Conn {
    /// Connects as connection `i` (see [`crate::ws::connect`]), CONNECTs and subscribes to
    /// the room and the error queue, waiting for the receipt.
    async fn open(addr: SocketAddr, i: usize, token: &str, room: CoupleId) -> anyhow::Result<Self> {
        let ws = crate::ws::connect(addr, i, &format!("/ws/chat?token={token}")).await?;
        let mut c = Self {
            ws,
            buf: Vec::new(),
        };
        c.send(
            Frame::new(Command::Connect)
                .with("accept-version", "1.2")
                .with("heart-beat", "0,0"),
        )
        .await?;
        let f = c.frame().await?;
        anyhow::ensure!(f.command == Command::Connected, "CONNECT refused: {f:?}");
        c.send(
            Frame::new(Command::Subscribe)
                .with("id", "errors")
                .with("destination", "/user/queue/errors"),
        )
        .await?;
        c.send(
            Frame::new(Command::Subscribe)
                .with("id", "room")
                .with("destination", format!("/topic/couple/{room}"))
                .with("receipt", "ready"),
        )
        .await?;
        loop {
            let f = c.frame().await?;
            if f.command == Command::Receipt {
                return Ok(c);
            }
            anyhow::ensure!(f.command == Command::Message, "SUBSCRIBE failed: {f:?}");
        }
    }

    async fn send(&mut self, frame: Frame) -> anyhow::Result<()> {
        let bytes = stomp::encode(&frame, Version::V1_2);
        self.ws
            .send(Message::Text(String::from_utf8(bytes)?.into()))
            .await?;
        Ok(())
    }

    async fn frame(&mut self) -> anyhow::Result<Frame> {
        loop {
            let decoder = Decoder::default();
            while let Some((item, used)) = decoder.decode(&self.buf)? {
                self.buf.drain(..used);
                if let Item::Frame(f) = item {
                    return Ok(f);
                }
            }
            match self.ws.next().await {
                Some(Ok(Message::Text(t))) => self.buf.extend_from_slice(t.as_bytes()),
                Some(Ok(Message::Binary(b))) => self.buf.extend_from_slice(&b),
                Some(Ok(Message::Close(c))) => anyhow::bail!("closed by the server: {c:?}"),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => anyhow::bail!("connection ended"),
            }
        }
    }
}

fn report_rss(pid: Option<u32>, label: &str) -> Option<f64> {
    let pid = pid?;
    let (peak, now) = rss_mib(pid)?;
    println!("server RSS {label:<26} {now:>8.1} MiB (peak {peak:.1} MiB)");
    Some(now)
}

pub struct ConnectionsOptions {
    pub addr: SocketAddr,
    pub connections: usize,
    pub hold: Duration,
    pub server_pid: Option<u32>,
    pub parallel: usize,
    /// Couples to skip, so that several benchmark processes use different users.
    pub skip: usize,
}

/// Opens `connections` authenticated, subscribed STOMP connections, holds them idle,
/// and reports how many succeeded, how long it took and the server's memory.
pub async fn connections(config: &Config, o: &ConnectionsOptions) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.addr.ip().is_loopback(),
        "load is only ever sent to loopback"
    );
    let limit = platform::server::raise_fd_limit((o.connections as u64) * 2 + 1024);
    println!("open-file limit: {limit}");
    let rooms = couples(config, o.skip + o.connections.div_ceil(2)).await?;
    let rooms = &rooms[o.skip..];
    let keys = keys(config)?;
    let before = report_rss(o.server_pid, "before");
    let started = Instant::now();
    let gate = Arc::new(Semaphore::new(o.parallel.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let (done_tx, mut done_rx) = mpsc::channel::<anyhow::Result<()>>(1024);
    for i in 0..o.connections {
        let (room, members) = rooms[i / 2];
        let user = members[i % 2];
        let (token, _) = keys
            .issue(&user.to_string(), UserClaims::default())
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let gate = gate.clone();
        let done = done_tx.clone();
        let mut stop = stop_rx.clone();
        let addr = o.addr;
        tokio::spawn(async move {
            let permit = gate.acquire_owned().await;
            let opened =
                tokio::time::timeout(Duration::from_secs(30), Conn::open(addr, i, &token, room))
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("not connected within 30 s")));
            drop(permit);
            let mut conn = match opened {
                Ok(c) => {
                    let _ = done.send(Ok(())).await;
                    c
                }
                Err(e) => {
                    let _ = done.send(Err(e)).await;
                    return;
                }
            };
            // Hold the connection, draining whatever arrives, until told to stop.
            loop {
                tokio::select! {
                    _ = stop.changed() => break,
                    msg = conn.ws.next() => if !matches!(msg, Some(Ok(_))) { break },
                }
            }
            let _ = conn.ws.close(None).await;
        });
    }
    drop(done_tx);
    let mut ok = 0usize;
    let mut failed = 0usize;
    let mut first_error = None;
    while ok + failed < o.connections {
        match done_rx.recv().await {
            Some(Ok(())) => ok += 1,
            Some(Err(e)) => {
                failed += 1;
                first_error.get_or_insert(e.to_string());
            }
            None => break,
        }
        if (ok + failed).is_multiple_of(5_000) {
            println!("  {} connections opened, {failed} failed", ok);
        }
    }
    let setup = started.elapsed();
    println!(
        "connections: {ok} open, {failed} failed, in {:.1} s ({:.0}/s)",
        setup.as_secs_f64(),
        ok as f64 / setup.as_secs_f64()
    );
    if let Some(e) = first_error {
        println!("first error: {e}");
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = report_rss(o.server_pid, "with the connections open");
    if let (Some(b), Some(a)) = (before, after)
        && ok > 0
    {
        println!(
            "server memory per idle connection: {:.1} KiB",
            (a - b) * 1024.0 / ok as f64
        );
    }
    tokio::time::sleep(o.hold).await;
    report_rss(o.server_pid, "after holding");
    let _ = stop_tx.send(true);
    tokio::time::sleep(Duration::from_secs(2)).await;
    report_rss(o.server_pid, "after closing");
    Ok(())
}

pub struct LatencyOptions {
    pub addr: SocketAddr,
    pub rooms: usize,
    pub rate: f64,
    pub duration: Duration,
    pub warmup: Duration,
    pub server_pid: Option<u32>,
}

/// Both members of `rooms` couples connected; messages sent at `rate` per second in
/// total, round-robin over the rooms, each by one member over STOMP; the latency is
/// from the SEND to the MESSAGE reaching the partner. Every message is persisted by
/// the server before it is broadcast.
pub async fn latency(config: &Config, o: &LatencyOptions) -> anyhow::Result<()> {
    anyhow::ensure!(
        o.addr.ip().is_loopback(),
        "load is only ever sent to loopback"
    );
    platform::server::raise_fd_limit((o.rooms as u64) * 4 + 1024);
    let rooms = couples(config, o.rooms).await?;
    let keys = keys(config)?;
    report_rss(o.server_pid, "before");
    let measure_from = o.warmup;
    // The clock starts once every connection is subscribed (below); the tasks wait
    // for it, so that sends are not due before they can be made.
    let (epoch_tx, epoch_rx) = watch::channel(None::<Instant>);
    let (stop_tx, stop_rx) = watch::channel(false);
    // One outbound queue per connection; the driver hands it SEND frames.
    let mut senders: Vec<mpsc::Sender<Frame>> = Vec::new();
    let mut tasks = Vec::new();
    for (r, (room, members)) in rooms.iter().take(o.rooms).enumerate() {
        for (k, user) in members.iter().enumerate() {
            let (token, _) = keys
                .issue(&user.to_string(), UserClaims::default())
                .map_err(|e| anyhow::anyhow!("{}", e.message))?;
            let mut conn = Conn::open(o.addr, r * 2 + k, &token, *room).await?;
            let (tx, mut rx) = mpsc::channel::<Frame>(64);
            senders.push(tx);
            let me = user.to_string();
            let mut stop = stop_rx.clone();
            let mut epoch_rx = epoch_rx.clone();
            tasks.push(tokio::spawn(async move {
                let epoch = match epoch_rx.wait_for(Option::is_some).await {
                    Ok(e) => e.expect("waited for Some"),
                    Err(_) => return (Samples::default(), 0),
                };
                let mut samples = Samples::default();
                let mut received = 0u64;
                loop {
                    tokio::select! {
                        _ = stop.changed() => break,
                        out = rx.recv() => match out {
                            Some(f) => if let Err(e) = conn.send(f).await {
                                samples.errors += 1;
                                samples.note(e.to_string());
                            },
                            None => break,
                        },
                        f = conn.frame() => match f {
                            Ok(f) => {
                                if let Some(sent_at) = partner_message(&f, &me) {
                                    received += 1;
                                    if sent_at >= measure_from {
                                        samples.record(epoch.elapsed().saturating_sub(sent_at));
                                    }
                                }
                            }
                            Err(e) => {
                                samples.errors += 1;
                                samples.note(e.to_string());
                                break;
                            }
                        },
                    }
                }
                (samples, received)
            }));
        }
    }
    println!(
        "{} connections subscribed; sending {} msg/s for {:?}",
        senders.len(),
        o.rate,
        o.duration + o.warmup
    );
    let epoch = Instant::now();
    let _ = epoch_tx.send(Some(epoch));
    // Open loop: each message is due at a fixed time whatever the server does.
    let total = ((o.duration + o.warmup).as_secs_f64() * o.rate) as u64;
    let interval = Duration::from_secs_f64(1.0 / o.rate);
    let mut sent = 0u64;
    for n in 0..total {
        let due = epoch + interval.mul_f64(n as f64);
        tokio::time::sleep_until(due.into()).await;
        let r = (n as usize) % o.rooms;
        let k = (n as usize / o.rooms) % 2;
        let (room, _) = rooms[r];
        let at = epoch.elapsed();
        let body = serde_json::json!({
            "type": "TEXT",
            "content": "벤치마크 메시지입니다",
            "tempId": format!("b{n}-{}", at.as_nanos()),
        });
        let frame = Frame::new(Command::Send)
            .with("destination", format!("/app/chat/{room}"))
            .with("content-type", "application/json")
            .with_body(body.to_string().into_bytes());
        if senders[r * 2 + k].try_send(frame).is_ok() {
            sent += 1;
        }
    }
    // Let the last messages arrive.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let _ = stop_tx.send(true);
    let mut all = Samples::default();
    let mut received = 0;
    for t in tasks {
        let (s, r) = t.await?;
        all.merge(s);
        received += r;
    }
    let summary = all.summary(o.duration);
    summary.print(&format!("chat send→deliver {} rooms", o.rooms));
    println!(
        "sent {sent}, delivered to the partner {received} (excluding warm-up: {})",
        summary.requests
    );
    report_rss(o.server_pid, "after");
    Ok(())
}

/// For a MESSAGE of a text message sent by someone else, when it was sent (since
/// the benchmark's epoch), from its `tempId`.
fn partner_message(f: &Frame, me: &str) -> Option<Duration> {
    if f.command != Command::Message || f.header("subscription") != Some("room") {
        return None;
    }
    let body: serde_json::Value = serde_json::from_slice(&f.body).ok()?;
    if body["senderId"].as_str()? == me {
        return None;
    }
    let nanos: u64 = body["tempId"].as_str()?.split_once('-')?.1.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}
