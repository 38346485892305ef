//! A STOMP session over one WebSocket, as a Spring `@EnableWebSocketMessageBroker`
//! server runs it: CONNECT (authenticated), SUBSCRIBE to a room or the error queue,
//! SEND to the app destinations, receipts, heart-beats both ways, ERROR then close.
//!
//! One task per connection. Every subscription of the session feeds one bounded
//! mailbox of the hub; a client that falls behind is disconnected, not buffered.
//! Frames from the client are handled one at a time, in order, so one client's
//! messages are stored in the order it sent them.

pub mod destination;
mod frames;

use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use platform::realtime::{Attachment, Mailbox, Tagged};
use platform::ws::OpenSocket;
use platform::{ApiError, ErrorKind};
use serde::Deserialize;
use stomp::{Command, Decoder, Frame, Item, Limits, Version};
use tokio::time::Instant;

use crate::model::{CoupleId, ErrorCode, ErrorMessage, MessageId, SendRequest, UserClaims, UserId};
use crate::model::{errors_topic, room_topic};
use crate::routes::AppState;
use crate::service::messages::{Author, is_client_error};
use destination::{Action, Topic};

/// Settings of every session (`heartbeat_ms`, `max_frame_bytes`, ...).
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// The heart-beat interval the server offers and asks for; zero: none.
    pub heartbeat: Duration,
    /// The largest frame a client may send.
    pub max_frame: usize,
    /// How long a new connection may take to send CONNECT.
    pub connect_timeout: Duration,
    /// Messages queued for one connection before it counts as too slow.
    pub queue: usize,
}

const CLOSE_NORMAL: u16 = 1000;
const CLOSE_GOING_AWAY: u16 = platform::ws::CLOSE_GOING_AWAY;
const CLOSE_PROTOCOL: u16 = 1002;
const CLOSE_POLICY: u16 = 1008;
const CLOSE_SERVER_ERROR: u16 = 1011;
const CLOSE_TRY_AGAIN_LATER: u16 = platform::ws::CLOSE_TRY_AGAIN_LATER;

/// What to do after a frame.
enum Flow {
    Continue,
    /// Close the WebSocket with this code.
    Close(u16, &'static str),
    /// The peer is gone; nothing more can be sent.
    Gone,
}

struct Subscription {
    id: String,
    destination: String,
    tag: u64,
    _attachment: Attachment,
}

struct Session {
    state: AppState,
    tx: SplitSink<WebSocket, Message>,
    buf: Vec<u8>,
    decoder: Decoder,
    version: Version,
    pre_auth: Option<UserId>,
    user: Option<UserId>,
    /// Counted in presence (so it must be uncounted at the end).
    present: bool,
    /// The rooms this session sent to, with how they show the sender (checked once).
    authors: Vec<(CoupleId, Author)>,
    subscriptions: Vec<Subscription>,
    mailbox: Mailbox,
    next_tag: u64,
    sent: u64,
    session_id: String,
    connect_deadline: Instant,
    send_every: Option<Duration>,
    expect_every: Option<Duration>,
    last_in: Instant,
    last_out: Instant,
}

/// Runs one session until the client leaves, an error closes it, or the server
/// shuts down. `pre_auth`: the user of a token on the upgrade request.
pub async fn run(socket: WebSocket, state: AppState, pre_auth: Option<UserId>) {
    let _open = OpenSocket::new(&state.ctx().metrics);
    let (tx, mut rx) = socket.split();
    let config = state.stomp.clone();
    let now = Instant::now();
    let mut s = Session {
        mailbox: state.svc.hub.mailbox(config.queue),
        state,
        tx,
        buf: Vec::new(),
        decoder: Decoder::new(
            Version::V1_2,
            Limits {
                max_frame: config.max_frame,
                ..Limits::default()
            },
        ),
        version: Version::V1_2,
        pre_auth,
        user: None,
        present: false,
        authors: Vec::new(),
        subscriptions: Vec::new(),
        next_tag: 1,
        sent: 0,
        session_id: uuid::Uuid::new_v4().simple().to_string(),
        connect_deadline: now + config.connect_timeout,
        send_every: None,
        expect_every: None,
        last_in: now,
        last_out: now,
    };
    let shutdown = s.state.ctx().shutdown.clone();
    let flow = loop {
        let tick = s.next_tick();
        tokio::select! {
            _ = shutdown.cancelled() => break Flow::Close(CLOSE_GOING_AWAY, "server shutting down"),
            delivery = s.mailbox.recv() => match delivery {
                Some(tagged) => {
                    if let Flow::Gone = s.deliver(tagged).await {
                        break Flow::Gone;
                    }
                }
                None => {
                    let f = frames::error("slow consumer: too many undelivered messages", None, None);
                    let _ = s.send(&f).await;
                    break Flow::Close(CLOSE_TRY_AGAIN_LATER, "too slow; reconnect");
                }
            },
            incoming = rx.next() => {
                s.last_in = Instant::now();
                match incoming {
                    Some(Ok(Message::Text(text))) => {
                        s.buf.extend_from_slice(text.as_bytes());
                    }
                    Some(Ok(Message::Binary(bytes))) => s.buf.extend_from_slice(&bytes),
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | None => break Flow::Gone,
                    Some(Err(e)) => {
                        // Mostly a message over the size limit; tell the client
                        // if it still listens.
                        tracing::debug!(error = %e, "stomp: websocket error");
                        let limit = s.state.stomp.max_frame;
                        break s.protocol_error(&format!("frame larger than {limit} bytes or broken WebSocket: {e}"), None).await;
                    }
                }
                match s.process().await {
                    Flow::Continue => {}
                    other => break other,
                }
            },
            _ = tokio::time::sleep_until(tick) => match s.on_tick().await {
                Flow::Continue => {}
                other => break other,
            },
        }
    };
    if let Flow::Close(code, reason) = flow {
        let close = Message::Close(Some(CloseFrame {
            code,
            reason: reason.into(),
        }));
        // A dead peer must not hold the task: bounded.
        let _ = tokio::time::timeout(Duration::from_secs(2), async {
            let _ = s.tx.send(close).await;
            let _ = s.tx.close().await;
        })
        .await;
    }
    s.subscriptions.clear();
    if let (Some(user), true) = (s.user, s.present)
        && let Err(e) = s.state.svc.disconnected(user).await
    {
        tracing::warn!(error = %e.message, "stomp: presence update failed");
    }
}

impl Session {
    /// The next moment something is due: the CONNECT deadline, a heart-beat to
    /// send, or the latest a client heart-beat may arrive.
    fn next_tick(&self) -> Instant {
        if self.user.is_none() {
            return self.connect_deadline;
        }
        let far = Instant::now() + Duration::from_secs(3600);
        let send = self.send_every.map_or(far, |d| self.last_out + d);
        let expect = self.expect_every.map_or(far, |d| self.last_in + d * 2);
        send.min(expect)
    }

    async fn on_tick(&mut self) -> Flow {
        let now = Instant::now();
        if self.user.is_none() {
            if now >= self.connect_deadline {
                return Flow::Close(CLOSE_POLICY, "no CONNECT frame");
            }
            return Flow::Continue;
        }
        // Twice the negotiated interval, as clients allow for network delay.
        if let Some(every) = self.expect_every
            && now >= self.last_in + every * 2
        {
            tracing::debug!(session = %self.session_id, "stomp: heart-beat missed, dropping");
            return Flow::Gone;
        }
        if let Some(every) = self.send_every
            && now >= self.last_out + every
        {
            self.last_out = now;
            if self.tx.send(Message::Text("\n".into())).await.is_err() {
                return Flow::Gone;
            }
        }
        Flow::Continue
    }

    async fn send(&mut self, frame: &Frame) -> Flow {
        let bytes = stomp::encode(frame, self.version);
        let message = match String::from_utf8(bytes) {
            Ok(text) => Message::Text(text.into()),
            Err(e) => Message::Binary(e.into_bytes().into()),
        };
        self.last_out = Instant::now();
        match self.tx.send(message).await {
            Ok(()) => Flow::Continue,
            Err(_) => Flow::Gone,
        }
    }

    /// Sends an ERROR frame and asks to close.
    async fn fail(&mut self, frame: Frame, code: u16, reason: &'static str) -> Flow {
        match self.send(&frame).await {
            Flow::Continue => Flow::Close(code, reason),
            other => other,
        }
    }

    async fn protocol_error(&mut self, message: &str, receipt: Option<&str>) -> Flow {
        let frame = frames::error(message, None, receipt);
        self.fail(frame, CLOSE_PROTOCOL, "protocol error").await
    }

    async fn deliver(&mut self, tagged: Tagged) -> Flow {
        let Some(sub) = self.subscriptions.iter().find(|s| s.tag == tagged.tag) else {
            return Flow::Continue;
        };
        self.sent += 1;
        let message_id = format!("{}-{}", self.session_id, self.sent);
        let frame = frames::message(&sub.id, &sub.destination, &message_id, &tagged.message);
        self.send(&frame).await
    }

    /// Handles every whole frame in the buffer.
    async fn process(&mut self) -> Flow {
        let mut start = 0;
        let flow = loop {
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Some((item, used))) => {
                    start += used;
                    if let Item::Frame(frame) = item {
                        match self.handle(frame).await {
                            Flow::Continue => {}
                            other => break other,
                        }
                    }
                }
                Ok(None) => break Flow::Continue,
                Err(e) => break self.protocol_error(&e.to_string(), None).await,
            }
        };
        self.buf.drain(..start);
        // An idle connection keeps no large buffer.
        if self.buf.is_empty() && self.buf.capacity() > 4096 {
            self.buf = Vec::new();
        }
        flow
    }

    async fn handle(&mut self, frame: Frame) -> Flow {
        let receipt = frame.header("receipt").map(str::to_owned);
        let Some(user) = self.user else {
            return match frame.command {
                Command::Connect | Command::Stomp => self.connect(frame).await,
                _ => {
                    self.protocol_error("expected a CONNECT frame first", receipt.as_deref())
                        .await
                }
            };
        };
        let flow = match frame.command {
            Command::Send => self.on_send(user, frame).await,
            Command::Subscribe => self.on_subscribe(user, &frame, receipt.as_deref()).await,
            Command::Unsubscribe => {
                match frame.header("id") {
                    Some(id) => self.subscriptions.retain(|s| s.id != id),
                    None => {
                        return self
                            .protocol_error("UNSUBSCRIBE requires an id header", receipt.as_deref())
                            .await;
                    }
                }
                Flow::Continue
            }
            // Subscriptions are auto-acknowledged; explicit ACK/NACK are accepted.
            Command::Ack | Command::Nack => Flow::Continue,
            Command::Disconnect => {
                if let Some(r) = &receipt
                    && let Flow::Gone = self.send(&frames::receipt(r)).await
                {
                    return Flow::Gone;
                }
                return Flow::Close(CLOSE_NORMAL, "disconnected");
            }
            Command::Begin | Command::Commit | Command::Abort => {
                return self
                    .protocol_error("transactions are not supported", receipt.as_deref())
                    .await;
            }
            Command::Connect | Command::Stomp => {
                return self
                    .protocol_error("already connected", receipt.as_deref())
                    .await;
            }
            Command::Connected | Command::Message | Command::Receipt | Command::Error => {
                return self
                    .protocol_error("a server frame was sent by the client", receipt.as_deref())
                    .await;
            }
        };
        match (flow, receipt) {
            (Flow::Continue, Some(r)) => self.send(&frames::receipt(&r)).await,
            (flow, _) => flow,
        }
    }

    async fn connect(&mut self, frame: Frame) -> Flow {
        let Some(version) = Version::negotiate(frame.header("accept-version")) else {
            let f = frames::error("unsupported STOMP version", None, None)
                .with("version", "1.0,1.1,1.2");
            return self.fail(f, CLOSE_PROTOCOL, "unsupported version").await;
        };
        self.version = version;
        self.decoder.version = version;
        let user = match self.pre_auth {
            Some(user) => Some(user),
            None => self.user_of_connect(&frame),
        };
        let Some(user) = user else {
            let f = frames::seed_error(ErrorCode::AuthFailed, "인증에 실패했습니다.", None);
            return self.fail(f, CLOSE_POLICY, "authentication failed").await;
        };
        let (client_send, client_expect) = match frame.header("heart-beat") {
            Some(hb) if version >= Version::V1_1 => match parse_heart_beat(hb) {
                Some(v) => v,
                None => {
                    return self
                        .protocol_error("malformed heart-beat header", None)
                        .await;
                }
            },
            _ => (0, 0),
        };
        let ours = self.state.stomp.heartbeat.as_millis() as u64;
        // Negotiation, STOMP 1.2 §Heart-beating: the larger of what one side can do
        // and the other wants; zero on either side means none.
        self.send_every =
            (ours > 0 && client_expect > 0).then(|| Duration::from_millis(ours.max(client_expect)));
        self.expect_every =
            (ours > 0 && client_send > 0).then(|| Duration::from_millis(ours.max(client_send)));
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
        self.user = Some(user);
        self.last_in = Instant::now();
        if let Flow::Gone = self.send(&connected).await {
            return Flow::Gone;
        }
        match self.state.svc.connected(user).await {
            Ok(()) => self.present = true,
            Err(e) => tracing::warn!(error = %e.message, "stomp: presence update failed"),
        }
        tracing::debug!(user = %user, version = version.as_str(), "stomp: connected");
        Flow::Continue
    }

    /// The user of an `Authorization` (Bearer or bare) or `token` header of CONNECT.
    fn user_of_connect(&self, frame: &Frame) -> Option<UserId> {
        let token = frame
            .header("Authorization")
            .or_else(|| frame.header("authorization"))
            .map(platform::auth::extract::bearer_or_bare)
            .or_else(|| frame.header("token").map(str::trim))?;
        let claims = self.state.ctx().jwt.verify::<UserClaims>(token).ok()?;
        claims.subject().ok()
    }

    async fn on_subscribe(&mut self, user: UserId, frame: &Frame, receipt: Option<&str>) -> Flow {
        let Some(destination) = frame.header("destination") else {
            return self
                .protocol_error("SUBSCRIBE requires a destination header", receipt)
                .await;
        };
        // STOMP 1.0 made the id optional; the destination then names the subscription.
        let id = match (frame.header("id"), self.version) {
            (Some(id), _) => id.to_owned(),
            (None, Version::V1_0) => destination.to_owned(),
            (None, _) => {
                return self
                    .protocol_error("SUBSCRIBE requires an id header", receipt)
                    .await;
            }
        };
        if self.subscriptions.iter().any(|s| s.id == id) {
            return self
                .protocol_error("subscription id already in use", receipt)
                .await;
        }
        let topic = match Topic::parse(destination) {
            Some(Topic::Errors) => errors_topic(user),
            Some(Topic::Room(couple)) => match self.state.svc.require_member(couple, user).await {
                Ok(()) => room_topic(couple),
                Err(e) if e.kind == ErrorKind::Forbidden => {
                    let f = frames::seed_error(ErrorCode::Unauthorized, &e.message, receipt);
                    return self
                        .fail(f, CLOSE_POLICY, "not a member of this room")
                        .await;
                }
                Err(e) => {
                    tracing::error!(error = %e.message, "stomp: subscribe failed");
                    let f = frames::error("server error", None, receipt);
                    return self.fail(f, CLOSE_SERVER_ERROR, "server error").await;
                }
            },
            None => {
                return self
                    .protocol_error(&format!("unknown destination {destination}"), receipt)
                    .await;
            }
        };
        let tag = self.next_tag;
        self.next_tag += 1;
        let attachment = self.state.svc.hub.attach(&self.mailbox, &topic, tag);
        self.subscriptions.push(Subscription {
            id,
            destination: destination.to_owned(),
            tag,
            _attachment: attachment,
        });
        Flow::Continue
    }

    async fn on_send(&mut self, user: UserId, frame: Frame) -> Flow {
        let Some(destination) = frame.header("destination") else {
            return self
                .protocol_error(
                    "SEND requires a destination header",
                    frame.header("receipt"),
                )
                .await;
        };
        let result = match Action::parse(destination) {
            None => Err(ApiError::bad_request(format!(
                "알 수 없는 destination입니다: {destination}"
            ))),
            Some(Action::Send(couple)) => match parse_body::<SendRequest>(&frame.body) {
                Ok(req) => match self.author(user, couple).await {
                    Ok(author) => self.state.svc.send(&author, couple, &req).await.map(|_| ()),
                    Err(e) => Err(e),
                },
                Err(e) => Err(e),
            },
            Some(Action::Read(couple)) => match parse_body::<ReadRequest>(&frame.body) {
                Ok(req) => self
                    .state
                    .svc
                    .mark_read(user, couple, &req.message_ids)
                    .await
                    .map(|_| ()),
                Err(e) => Err(e),
            },
            Some(Action::Typing(couple)) => match parse_body::<TypingRequest>(&frame.body) {
                Ok(req) => self.state.svc.typing(user, couple, req.typing).await,
                Err(e) => Err(e),
            },
        };
        if let Err(e) = result {
            self.report(user, &e, &frame.body).await;
        }
        Flow::Continue
    }

    /// The sender as `couple` shows them, looked up once per room and session.
    async fn author(&mut self, user: UserId, couple: CoupleId) -> Result<Author, ApiError> {
        if let Some((_, author)) = self.authors.iter().find(|(c, _)| *c == couple) {
            return Ok(author.clone());
        }
        let author = self.state.svc.author(couple, user).await?;
        self.authors.push((couple, author.clone()));
        Ok(author)
    }

    /// Sends an error to the user's error queue (`/user/queue/errors`), with the
    /// `tempId` of the failed message when there was one.
    async fn report(&self, user: UserId, e: &ApiError, body: &[u8]) {
        let temp_id = temp_id_of(body);
        let code = match e.kind {
            ErrorKind::Forbidden => ErrorCode::Unauthorized,
            ErrorKind::Unauthorized(_) => ErrorCode::AuthFailed,
            _ => ErrorCode::SendFailed,
        };
        let message = if !is_client_error(e) {
            tracing::error!(error = %e.message, cause = ?e.internal_cause(), "stomp: send failed");
            "메시지 전송에 실패했습니다.".to_owned()
        } else if code == ErrorCode::SendFailed {
            let mut text = format!("메시지 전송에 실패했습니다: {}", e.message);
            for d in e.details() {
                text.push_str(&format!(" [{}: {}]", d.field, d.message));
            }
            text
        } else {
            e.message.to_string()
        };
        let error = ErrorMessage::new(code, message, temp_id);
        if let Err(e) = self.state.svc.publish(&errors_topic(user), &error).await {
            tracing::warn!(error = %e.message, "stomp: error report not delivered");
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadRequest {
    message_ids: Vec<MessageId>,
}

#[derive(Deserialize)]
struct TypingRequest {
    typing: bool,
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    platform::extract::parse_json(body)
}

/// The `tempId` of a SEND body, if it has one (even when the body is otherwise bad).
fn temp_id_of(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("tempId")?.as_str().map(str::to_owned)
}

/// `heart-beat:cx,cy` → (cx, cy) in milliseconds.
fn parse_heart_beat(value: &str) -> Option<(u64, u64)> {
    let (cx, cy) = value.split_once(',')?;
    Some((cx.trim().parse().ok()?, cy.trim().parse().ok()?))
}
