//! WebSocket sessions: one primitive under every WebSocket of every app.
//!
//! A [`Session`] owns what is the same everywhere: one bounded outbound queue (a hub
//! [`Mailbox`]) for everything the connection subscribes to, heart-beats and
//! dead-peer detection, closing a client that cannot keep up (1013), close 1001 on
//! shutdown, a close frame on every end the server decides, and the open-socket
//! gauge. What the connection speaks (a live feed, STOMP, an app's JSON messages)
//! is a [`Protocol`] it drives. Tokens are checked on the upgrade request by the
//! auth extractors (`?token=`, then `Authorization`), or inside the protocol.

mod forward;
pub mod sockjs;

use std::future::Future;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, Utf8Bytes, WebSocket};
use bytes::Bytes;
use futures_util::SinkExt;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::app::{AppContext, BoxFuture};
use crate::realtime::{Attachment, Hub, Mailbox, Tagged};
use crate::telemetry::Metrics;

pub use forward::Forward;

pub const CLOSE_NORMAL: u16 = 1000;
pub const CLOSE_GOING_AWAY: u16 = 1001;
pub const CLOSE_PROTOCOL: u16 = 1002;
pub const CLOSE_POLICY: u16 = 1008;
pub const CLOSE_SERVER_ERROR: u16 = 1011;
pub const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

/// `upgrade` with small buffers and `max_message` as the largest message and
/// frame a client may send: most connections sit idle, and the library's 128 KiB
/// default read buffer would be most of their memory; frames are written out as
/// they are sent.
pub fn lean(
    upgrade: axum::extract::ws::WebSocketUpgrade,
    max_message: usize,
) -> axum::extract::ws::WebSocketUpgrade {
    upgrade
        .read_buffer_size(1024)
        .write_buffer_size(0)
        .max_message_size(max_message)
        .max_frame_size(max_message)
}

/// How long a close frame may take to leave: a dead peer must not hold the task.
const CLOSE_WAIT: Duration = Duration::from_secs(2);

/// Counts an open WebSocket for `/metrics` while alive.
pub struct OpenSocket(Metrics);

impl OpenSocket {
    pub fn new(metrics: &Metrics) -> Self {
        metrics.websocket_opened();
        Self(metrics.clone())
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.websocket_closed();
    }
}

/// What a protocol step leaves the session to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flow {
    Continue,
    /// Send a close frame with this code and reason, then end.
    Close(u16, &'static str),
    /// The peer is gone; nothing more can be sent.
    Gone,
}

/// Heart-beats in effect: how often the server sends one when it has sent nothing
/// else, and how often the peer must be heard from (it is dropped after twice
/// that, as STOMP clients allow for network delay).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Heartbeat {
    pub send_every: Option<Duration>,
    pub expect_every: Option<Duration>,
}

impl Heartbeat {
    /// WebSocket pings every `every`, the peer heard from (a pong will do) within
    /// twice that; zero: none.
    pub fn ping(every: Duration) -> Self {
        let every = (!every.is_zero()).then_some(every);
        Self {
            send_every: every,
            expect_every: every,
        }
    }
}

/// A message from the client.
#[derive(Debug)]
pub enum Incoming {
    Text(Utf8Bytes),
    Binary(Bytes),
}

/// What a WebSocket speaks. Each method runs on the session's task, one at a time,
/// so a protocol keeps its state in `self` without locks.
pub trait Protocol: Send + 'static {
    /// A text or binary message from the client.
    fn on_message(&mut self, io: &mut Io, message: Incoming) -> impl Future<Output = Flow> + Send;

    /// A message of one of the session's hub attachments ([`Io::attach`]).
    fn on_published(&mut self, io: &mut Io, tagged: Tagged) -> impl Future<Output = Flow> + Send;

    /// The heart-beats in effect now (they may be negotiated by the protocol).
    fn heartbeat(&self) -> Heartbeat;

    /// What a heart-beat sends: a WebSocket ping unless the protocol has its own.
    fn heartbeat_message(&self) -> Message {
        Message::Ping(Bytes::new())
    }

    /// A moment the protocol waits for (a handshake's deadline), if any; when it
    /// passes, [`Self::on_deadline`] runs.
    fn deadline(&self) -> Option<Instant> {
        None
    }

    fn on_deadline(&mut self, _io: &mut Io) -> impl Future<Output = Flow> + Send {
        async { Flow::Continue }
    }

    /// The outbound queue overflowed: the session closes with 1013 after this (a
    /// protocol may tell the client why first).
    fn on_too_slow(&mut self, _io: &mut Io) -> impl Future<Output = ()> + Send {
        async {}
    }

    /// The WebSocket failed to read (mostly a message over the size limit).
    fn on_broken(
        &mut self,
        _io: &mut Io,
        _error: axum::Error,
    ) -> impl Future<Output = Flow> + Send {
        async { Flow::Gone }
    }

    /// The session has ended (after its close frame), for clean-up that awaits.
    fn on_end(&mut self) -> impl Future<Output = ()> + Send {
        async {}
    }
}

/// What a session's messages travel over: a WebSocket, or another framing of the
/// same messages (SockJS). Boxed futures: one allocation per message is nothing
/// next to the write itself, and protocols stay free of type parameters.
pub trait Transport: Send + 'static {
    /// The next message from the client; `None` once it is gone.
    fn recv(&mut self) -> BoxFuture<'_, Option<Result<Message, axum::Error>>>;
    fn send(&mut self, message: Message) -> BoxFuture<'_, Result<(), axum::Error>>;
    /// Tells the client the session ends with `code` and closes.
    fn close(&mut self, code: u16, reason: &'static str) -> BoxFuture<'_, ()>;
}

impl Transport for WebSocket {
    fn recv(&mut self) -> BoxFuture<'_, Option<Result<Message, axum::Error>>> {
        Box::pin(WebSocket::recv(self))
    }

    fn send(&mut self, message: Message) -> BoxFuture<'_, Result<(), axum::Error>> {
        Box::pin(WebSocket::send(self, message))
    }

    fn close(&mut self, code: u16, reason: &'static str) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let frame = Message::Close(Some(CloseFrame {
                code,
                reason: reason.into(),
            }));
            let _ = WebSocket::send(self, frame).await;
            let _ = SinkExt::close(self).await;
        })
    }
}

/// A WebSocket session before its upgrade completes. Attach topics here to miss
/// nothing published after the `101`.
pub struct Session {
    mailbox: Mailbox,
    hub: Hub,
    shutdown: CancellationToken,
    metrics: Metrics,
}

/// The session's side a protocol acts through: sending, and attaching topics to
/// the session's queue.
pub struct Io {
    transport: Box<dyn Transport>,
    mailbox: Mailbox,
    hub: Hub,
    last_out: Instant,
}

impl Io {
    pub async fn send(&mut self, message: Message) -> Flow {
        self.last_out = Instant::now();
        match self.transport.send(message).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Gone,
        }
    }

    pub async fn send_text(&mut self, text: impl Into<Utf8Bytes>) -> Flow {
        self.send(Message::Text(text.into())).await
    }

    /// Delivers `topic` into this session's queue, tagged with `tag`, until the
    /// attachment is dropped.
    pub fn attach(&self, topic: &str, tag: u64) -> Attachment {
        self.hub.attach(&self.mailbox, topic, tag)
    }

    async fn close(&mut self, code: u16, reason: &'static str) {
        let _ = tokio::time::timeout(CLOSE_WAIT, self.transport.close(code, reason)).await;
    }
}

impl Session {
    /// A session of the app, with an outbound queue of `queue` messages.
    pub fn new(ctx: &AppContext, queue: usize) -> Self {
        Self {
            mailbox: ctx.hub.mailbox(queue),
            hub: ctx.hub.clone(),
            shutdown: ctx.shutdown.clone(),
            metrics: ctx.metrics.clone(),
        }
    }

    pub fn attach(&self, topic: &str, tag: u64) -> Attachment {
        self.hub.attach(&self.mailbox, topic, tag)
    }

    /// Runs `protocol` over `transport` until the client leaves, the protocol or a
    /// heart-beat ends it, the client falls behind, or the server shuts down.
    pub async fn run<P: Protocol>(self, transport: impl Transport, mut protocol: P) {
        let _open = OpenSocket::new(&self.metrics);
        let now = Instant::now();
        let mut io = Io {
            transport: Box::new(transport),
            mailbox: self.mailbox,
            hub: self.hub,
            last_out: now,
        };
        let mut last_in = now;
        let shutdown = self.shutdown;
        let flow = loop {
            let heartbeat = protocol.heartbeat();
            let deadline = protocol.deadline();
            let tick = next_tick(heartbeat, deadline, io.last_out, last_in);
            let flow = tokio::select! {
                _ = shutdown.cancelled() => Flow::Close(CLOSE_GOING_AWAY, "server shutting down"),
                published = io.mailbox.recv() => match published {
                    Some(tagged) => protocol.on_published(&mut io, tagged).await,
                    None => {
                        protocol.on_too_slow(&mut io).await;
                        Flow::Close(CLOSE_TRY_AGAIN_LATER, "too slow; reconnect")
                    }
                },
                incoming = io.transport.recv() => {
                    last_in = Instant::now();
                    match incoming {
                        Some(Ok(Message::Text(text))) => {
                            protocol.on_message(&mut io, Incoming::Text(text)).await
                        }
                        Some(Ok(Message::Binary(bytes))) => {
                            protocol.on_message(&mut io, Incoming::Binary(bytes)).await
                        }
                        // Pings are answered by the WebSocket layer itself.
                        Some(Ok(Message::Ping(_) | Message::Pong(_))) => Flow::Continue,
                        Some(Ok(Message::Close(_))) | None => Flow::Gone,
                        Some(Err(e)) => {
                            tracing::debug!(error = %e, "websocket: read failed");
                            protocol.on_broken(&mut io, e).await
                        }
                    }
                },
                _ = tokio::time::sleep_until(tick) => {
                    on_tick(&mut protocol, &mut io, heartbeat, deadline, last_in).await
                }
            };
            if flow != Flow::Continue {
                break flow;
            }
        };
        if let Flow::Close(code, reason) = flow {
            io.close(code, reason).await;
        }
        protocol.on_end().await;
    }
}

/// The next moment something is due: the protocol's deadline, a heart-beat to
/// send, or the latest the peer may be heard from.
fn next_tick(
    heartbeat: Heartbeat,
    deadline: Option<Instant>,
    last_out: Instant,
    last_in: Instant,
) -> Instant {
    let far = Instant::now() + Duration::from_secs(3600);
    let send = heartbeat.send_every.map_or(far, |d| last_out + d);
    let expect = heartbeat.expect_every.map_or(far, |d| last_in + d * 2);
    send.min(expect).min(deadline.unwrap_or(far))
}

async fn on_tick<P: Protocol>(
    protocol: &mut P,
    io: &mut Io,
    heartbeat: Heartbeat,
    deadline: Option<Instant>,
    last_in: Instant,
) -> Flow {
    let now = Instant::now();
    if deadline.is_some_and(|d| now >= d) {
        return protocol.on_deadline(io).await;
    }
    if let Some(every) = heartbeat.expect_every
        && now >= last_in + every * 2
    {
        tracing::debug!("websocket: heart-beat missed, closing");
        return Flow::Close(CLOSE_GOING_AWAY, "heart-beat missed");
    }
    if let Some(every) = heartbeat.send_every
        && now >= io.last_out + every
    {
        return io.send(protocol.heartbeat_message()).await;
    }
    Flow::Continue
}
