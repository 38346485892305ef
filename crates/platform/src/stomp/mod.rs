//! A STOMP 1.0–1.2 server session over a WebSocket, as a Spring
//! `@EnableWebSocketMessageBroker` server runs it: CONNECT (authenticated),
//! SUBSCRIBE to the destinations the app allows, SEND to the app, receipts,
//! heart-beats both ways, ERROR then close.
//!
//! The session is a [`crate::ws::Protocol`], so the WebSocket primitive gives it
//! its bounded queue, shutdown and slow-consumer close. Every subscription feeds the
//! one queue of the connection. What destinations mean is the app's, behind
//! [`StompApp`]. Frames from the client are handled one at a time, in order, so one
//! client's SENDs reach the app in the order it sent them.

pub mod frames;

use std::fmt::Display;
use std::future::Future;
use std::time::Duration;

use ::stomp::{Command, Decoder, Frame, Item, Limits, Version};
use axum::extract::ws::{Message, WebSocketUpgrade};
use axum::response::Response;
use tokio::time::Instant;

pub use frames::ErrorFrame;

use crate::realtime::{Attachment, Tagged};
use crate::ws::{
    CLOSE_NORMAL, CLOSE_POLICY, CLOSE_PROTOCOL, CLOSE_SERVER_ERROR, Flow, Heartbeat, Incoming, Io,
    Protocol, Session,
};

/// Subprotocols of STOMP over WebSocket, preferred first.
pub const SUBPROTOCOLS: [&str; 3] = ["v12.stomp", "v11.stomp", "v10.stomp"];

/// Settings of every session.
#[derive(Debug, Clone)]
pub struct StompConfig {
    /// The heart-beat interval the server offers and asks for; zero: none.
    pub heartbeat: Duration,
    /// The largest frame a client may send.
    pub max_frame: usize,
    /// How long a new connection may take to send CONNECT.
    pub connect_timeout: Duration,
    /// Messages queued for one connection before it counts as too slow.
    pub queue: usize,
}

/// Why a SUBSCRIBE is refused.
#[derive(Debug)]
pub enum Refusal {
    /// No such destination: a protocol error.
    UnknownDestination,
    /// Not allowed: this ERROR, then close (1008).
    Denied(ErrorFrame),
    /// The app failed (logged by it): a generic ERROR, then close (1011).
    Failed,
}

/// What an app's destinations mean. One value per session (cloned from the app's
/// state), called from the session's task.
pub trait StompApp: Send + Sync + 'static {
    /// Who a session belongs to.
    type User: Clone + Display + Send + Sync + 'static;
    /// The app's own per-session state (caches of what it checked once).
    type Session: Default + Send + 'static;

    /// The user of a token from CONNECT's `Authorization` or `token` header.
    fn authenticate(&self, token: &str) -> Option<Self::User>;

    /// The ERROR sent when CONNECT carries no valid token.
    fn unauthenticated(&self) -> ErrorFrame;

    /// After CONNECTED was sent; `true` if the session now counts somewhere
    /// (presence) and [`Self::disconnected`] must follow.
    fn connected(&self, user: &Self::User) -> impl Future<Output = bool> + Send;

    /// After a session that [`Self::connected`] counted ended, however it ended.
    fn disconnected(&self, user: &Self::User) -> impl Future<Output = ()> + Send;

    /// The hub topic a SUBSCRIBE destination is, for this user.
    fn subscribe(
        &self,
        user: &Self::User,
        destination: &str,
    ) -> impl Future<Output = Result<String, Refusal>> + Send;

    /// A SEND. Its outcome is the app's to report (on a queue the user subscribes
    /// to); the session goes on either way.
    fn send(
        &self,
        session: &mut Self::Session,
        user: &Self::User,
        destination: &str,
        body: &[u8],
    ) -> impl Future<Output = ()> + Send;
}

/// Upgrades to a STOMP session. `user`: the user of a token that came with the
/// upgrade request, if any; otherwise CONNECT must carry one.
pub fn upgrade<A: StompApp>(
    upgrade: WebSocketUpgrade,
    session: Session,
    app: A,
    config: StompConfig,
    user: Option<A::User>,
) -> Response {
    let protocol = Stomp::new(app, config.clone(), user);
    upgrade_with(upgrade, session, protocol, &config)
}

/// [`upgrade`] with the session's protocol already built.
pub fn upgrade_with<A: StompApp>(
    upgrade: WebSocketUpgrade,
    session: Session,
    protocol: Stomp<A>,
    config: &StompConfig,
) -> Response {
    let max_message = config.max_frame + 1024;
    crate::ws::lean(upgrade, max_message)
        .protocols(SUBPROTOCOLS)
        .on_failed_upgrade(|e| tracing::debug!(error = %e, "stomp: upgrade failed"))
        .on_upgrade(move |socket| session.run(socket, protocol))
}

struct Subscription {
    id: String,
    destination: String,
    tag: u64,
    _attachment: Attachment,
}

/// One STOMP session.
pub struct Stomp<A: StompApp> {
    app: A,
    config: StompConfig,
    app_session: A::Session,
    buf: Vec<u8>,
    decoder: Decoder,
    version: Version,
    pre_auth: Option<A::User>,
    user: Option<A::User>,
    /// [`StompApp::connected`] counted this session.
    counted: bool,
    subscriptions: Vec<Subscription>,
    next_tag: u64,
    sent: u64,
    session_id: String,
    connect_deadline: Instant,
    heartbeat: Heartbeat,
}

impl<A: StompApp> Stomp<A> {
    pub fn new(app: A, config: StompConfig, pre_auth: Option<A::User>) -> Self {
        Self {
            decoder: Decoder::new(
                Version::V1_2,
                Limits {
                    max_frame: config.max_frame,
                    ..Limits::default()
                },
            ),
            connect_deadline: Instant::now() + config.connect_timeout,
            app,
            config,
            app_session: A::Session::default(),
            buf: Vec::new(),
            version: Version::V1_2,
            pre_auth,
            user: None,
            counted: false,
            subscriptions: Vec::new(),
            next_tag: 1,
            sent: 0,
            session_id: uuid::Uuid::new_v4().simple().to_string(),
            heartbeat: Heartbeat::default(),
        }
    }

    async fn send(&mut self, io: &mut Io, frame: &Frame) -> Flow {
        let bytes = ::stomp::encode(frame, self.version);
        let message = match String::from_utf8(bytes) {
            Ok(text) => Message::Text(text.into()),
            Err(e) => Message::Binary(e.into_bytes().into()),
        };
        io.send(message).await
    }

    /// Sends an ERROR frame and asks to close.
    async fn fail(&mut self, io: &mut Io, frame: Frame, code: u16, reason: &'static str) -> Flow {
        match self.send(io, &frame).await {
            Flow::Continue => Flow::Close(code, reason),
            other => other,
        }
    }

    async fn protocol_error(&mut self, io: &mut Io, message: &str, receipt: Option<&str>) -> Flow {
        let frame = frames::error(message, receipt);
        self.fail(io, frame, CLOSE_PROTOCOL, "protocol error").await
    }

    /// Handles every whole frame in the buffer.
    async fn process(&mut self, io: &mut Io) -> Flow {
        let mut start = 0;
        let flow = loop {
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Some((item, used))) => {
                    start += used;
                    if let Item::Frame(frame) = item {
                        match self.handle(io, frame).await {
                            Flow::Continue => {}
                            other => break other,
                        }
                    }
                }
                Ok(None) => break Flow::Continue,
                Err(e) => break self.protocol_error(io, &e.to_string(), None).await,
            }
        };
        self.buf.drain(..start);
        // An idle connection keeps no large buffer.
        if self.buf.is_empty() && self.buf.capacity() > 4096 {
            self.buf = Vec::new();
        }
        flow
    }

    async fn handle(&mut self, io: &mut Io, frame: Frame) -> Flow {
        let receipt = frame.header("receipt").map(str::to_owned);
        let receipt = receipt.as_deref();
        let Some(user) = self.user.clone() else {
            return match frame.command {
                Command::Connect | Command::Stomp => self.connect(io, frame).await,
                _ => {
                    self.protocol_error(io, "expected a CONNECT frame first", receipt)
                        .await
                }
            };
        };
        let flow = match frame.command {
            Command::Send => {
                let Some(destination) = frame.header("destination") else {
                    return self
                        .protocol_error(io, "SEND requires a destination header", receipt)
                        .await;
                };
                self.app
                    .send(&mut self.app_session, &user, destination, &frame.body)
                    .await;
                Flow::Continue
            }
            Command::Subscribe => self.subscribe(io, &user, &frame, receipt).await,
            Command::Unsubscribe => match frame.header("id") {
                Some(id) => {
                    self.subscriptions.retain(|s| s.id != id);
                    Flow::Continue
                }
                None => {
                    return self
                        .protocol_error(io, "UNSUBSCRIBE requires an id header", receipt)
                        .await;
                }
            },
            // Subscriptions are auto-acknowledged; explicit ACK/NACK are accepted.
            Command::Ack | Command::Nack => Flow::Continue,
            Command::Disconnect => {
                if let Some(r) = receipt
                    && let Flow::Gone = self.send(io, &frames::receipt(r)).await
                {
                    return Flow::Gone;
                }
                return Flow::Close(CLOSE_NORMAL, "disconnected");
            }
            Command::Begin | Command::Commit | Command::Abort => {
                return self
                    .protocol_error(io, "transactions are not supported", receipt)
                    .await;
            }
            Command::Connect | Command::Stomp => {
                return self.protocol_error(io, "already connected", receipt).await;
            }
            Command::Connected | Command::Message | Command::Receipt | Command::Error => {
                return self
                    .protocol_error(io, "a server frame was sent by the client", receipt)
                    .await;
            }
        };
        match (flow, receipt) {
            (Flow::Continue, Some(r)) => self.send(io, &frames::receipt(r)).await,
            (flow, _) => flow,
        }
    }

    async fn connect(&mut self, io: &mut Io, frame: Frame) -> Flow {
        let Some(version) = Version::negotiate(frame.header("accept-version")) else {
            let f = frames::error("unsupported STOMP version", None).with("version", "1.0,1.1,1.2");
            return self
                .fail(io, f, CLOSE_PROTOCOL, "unsupported version")
                .await;
        };
        self.version = version;
        self.decoder.version = version;
        let user = match self.pre_auth.take() {
            Some(user) => Some(user),
            None => connect_token(&frame).and_then(|t| self.app.authenticate(t)),
        };
        let Some(user) = user else {
            let f = self.app.unauthenticated().frame(None);
            return self
                .fail(io, f, CLOSE_POLICY, "authentication failed")
                .await;
        };
        let (client_send, client_expect) = match frame.header("heart-beat") {
            Some(hb) if version >= Version::V1_1 => match parse_heart_beat(hb) {
                Some(v) => v,
                None => {
                    return self
                        .protocol_error(io, "malformed heart-beat header", None)
                        .await;
                }
            },
            _ => (0, 0),
        };
        let ours = self.config.heartbeat.as_millis() as u64;
        // Negotiation, STOMP 1.2 §Heart-beating: the larger of what one side can do
        // and the other wants; zero on either side means none.
        self.heartbeat = Heartbeat {
            send_every: (ours > 0 && client_expect > 0)
                .then(|| Duration::from_millis(ours.max(client_expect))),
            expect_every: (ours > 0 && client_send > 0)
                .then(|| Duration::from_millis(ours.max(client_send))),
        };
        let mut connected = Frame::new(Command::Connected);
        if version >= Version::V1_1 {
            connected = connected
                .with("version", version.as_str())
                .with("heart-beat", format!("{ours},{ours}"));
        }
        connected = connected
            .with("server", frames::SERVER)
            .with("session", self.session_id.clone())
            .with("user-name", user.to_string());
        self.user = Some(user.clone());
        if let Flow::Gone = self.send(io, &connected).await {
            return Flow::Gone;
        }
        self.counted = self.app.connected(&user).await;
        tracing::debug!(user = %user, version = version.as_str(), "stomp: connected");
        Flow::Continue
    }

    async fn subscribe(
        &mut self,
        io: &mut Io,
        user: &A::User,
        frame: &Frame,
        receipt: Option<&str>,
    ) -> Flow {
        let Some(destination) = frame.header("destination") else {
            return self
                .protocol_error(io, "SUBSCRIBE requires a destination header", receipt)
                .await;
        };
        // STOMP 1.0 made the id optional; the destination then names the subscription.
        let id = match (frame.header("id"), self.version) {
            (Some(id), _) => id.to_owned(),
            (None, Version::V1_0) => destination.to_owned(),
            (None, _) => {
                return self
                    .protocol_error(io, "SUBSCRIBE requires an id header", receipt)
                    .await;
            }
        };
        if self.subscriptions.iter().any(|s| s.id == id) {
            return self
                .protocol_error(io, "subscription id already in use", receipt)
                .await;
        }
        let topic = match self.app.subscribe(user, destination).await {
            Ok(topic) => topic,
            Err(Refusal::UnknownDestination) => {
                return self
                    .protocol_error(io, &format!("unknown destination {destination}"), receipt)
                    .await;
            }
            Err(Refusal::Denied(error)) => {
                let f = error.frame(receipt);
                return self.fail(io, f, CLOSE_POLICY, "subscription refused").await;
            }
            Err(Refusal::Failed) => {
                let f = frames::error("server error", receipt);
                return self.fail(io, f, CLOSE_SERVER_ERROR, "server error").await;
            }
        };
        let tag = self.next_tag;
        self.next_tag += 1;
        self.subscriptions.push(Subscription {
            id,
            destination: destination.to_owned(),
            tag,
            _attachment: io.attach(&topic, tag),
        });
        Flow::Continue
    }
}

impl<A: StompApp> Protocol for Stomp<A> {
    async fn on_message(&mut self, io: &mut Io, message: Incoming) -> Flow {
        match message {
            Incoming::Text(text) => self.buf.extend_from_slice(text.as_bytes()),
            Incoming::Binary(bytes) => self.buf.extend_from_slice(&bytes),
        }
        self.process(io).await
    }

    async fn on_published(&mut self, io: &mut Io, tagged: Tagged) -> Flow {
        let Some(sub) = self.subscriptions.iter().find(|s| s.tag == tagged.tag) else {
            return Flow::Continue;
        };
        self.sent += 1;
        let message_id = format!("{}-{}", self.session_id, self.sent);
        let frame = frames::message(&sub.id, &sub.destination, &message_id, &tagged.message);
        self.send(io, &frame).await
    }

    fn heartbeat(&self) -> Heartbeat {
        self.heartbeat
    }

    /// STOMP's heart-beat is an end of line.
    fn heartbeat_message(&self) -> Message {
        Message::Text("\n".into())
    }

    fn deadline(&self) -> Option<Instant> {
        self.user.is_none().then_some(self.connect_deadline)
    }

    async fn on_deadline(&mut self, _io: &mut Io) -> Flow {
        Flow::Close(CLOSE_POLICY, "no CONNECT frame")
    }

    async fn on_too_slow(&mut self, io: &mut Io) {
        let f = frames::error("slow consumer: too many undelivered messages", None);
        let _ = self.send(io, &f).await;
    }

    async fn on_broken(&mut self, io: &mut Io, error: axum::Error) -> Flow {
        // Mostly a message over the size limit; tell the client if it still
        // listens.
        let limit = self.config.max_frame;
        self.protocol_error(
            io,
            &format!("frame larger than {limit} bytes or broken WebSocket: {error}"),
            None,
        )
        .await
    }

    async fn on_end(&mut self) {
        self.subscriptions.clear();
        if let Some(user) = self.user.take()
            && self.counted
        {
            self.app.disconnected(&user).await;
        }
    }
}

/// The token of CONNECT's `Authorization` (Bearer or bare) or `token` header.
fn connect_token(frame: &Frame) -> Option<&str> {
    frame
        .header("Authorization")
        .or_else(|| frame.header("authorization"))
        .map(crate::auth::extract::bearer_or_bare)
        .or_else(|| frame.header("token").map(str::trim))
}

/// `heart-beat:cx,cy` → (cx, cy) in milliseconds.
fn parse_heart_beat(value: &str) -> Option<(u64, u64)> {
    let (cx, cy) = value.split_once(',')?;
    Some((cx.trim().parse().ok()?, cy.trim().parse().ok()?))
}
