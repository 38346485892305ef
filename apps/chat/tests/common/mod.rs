//! Shared test helpers: a chat server, accounts, couples and a small STOMP client
//! over a real WebSocket.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use chat::Chat;
use futures_util::{SinkExt, StreamExt};
use platform::testing::WsStream;
use platform::testing::tokio_tungstenite::tungstenite::Message;
pub use platform::testing::{TestResponse, TestServer};
use serde_json::{Value, json};
use stomp::{Command, Decoder, Frame, Item, Version};

pub const PASSWORD: &str = "password-1234";

pub async fn server() -> TestServer {
    TestServer::start(Arc::new(Chat)).await
}

pub async fn server_with(overrides: &[(&str, &str)]) -> TestServer {
    TestServer::start_with(Arc::new(Chat), overrides).await
}

/// A signed-up, logged-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub async fn signup(s: &TestServer, name: &str) -> User {
    let email = format!("{name}-{}@example.com", uuid_suffix());
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": email, "password": PASSWORD, "name": name}),
        )
        .await;
    assert_eq!(r.status, 201, "signup: {}", r.body);
    login(s, &email).await
}

pub async fn login(s: &TestServer, email: &str) -> User {
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "login: {}", r.body);
    User {
        id: r.body["user"]["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        token: r.body["accessToken"].as_str().unwrap().to_owned(),
        refresh: r.body["refreshToken"].as_str().unwrap().to_owned(),
    }
}

fn uuid_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Two users joined as a couple: (a, b, room id).
pub async fn couple(s: &TestServer) -> (User, User, String) {
    let a = signup(s, "a").await;
    let b = signup(s, "b").await;
    let room = join(s, &a, &b).await;
    (a, b, room)
}

/// `a` invites, `b` joins; the room id.
pub async fn join(s: &TestServer, a: &User, b: &User) -> String {
    let invite = s.post("/couples/invite", Some(&a.token), &json!({})).await;
    assert_eq!(invite.status, 201, "invite: {}", invite.body);
    let code = invite.body["inviteCode"].as_str().unwrap();
    let joined = s
        .post(
            "/couples/join",
            Some(&b.token),
            &json!({"inviteCode": code}),
        )
        .await;
    assert_eq!(joined.status, 200, "join: {}", joined.body);
    joined.body["coupleId"].as_str().unwrap().to_owned()
}

/// Sends a message over REST; the response.
pub async fn rest_send(s: &TestServer, u: &User, room: &str, body: Value) -> TestResponse {
    s.post(
        &format!("/chat/rooms/{room}/messages"),
        Some(&u.token),
        &body,
    )
    .await
}

/// Asserts an error in the chat envelope.
pub fn assert_error(r: &TestResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["code"], code, "{}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.body
    );
    let ts = r.body["timestamp"].as_str().expect("timestamp");
    assert_eq!(ts.len(), 19, "naive local timestamp: {ts}");
}

/// A STOMP client over a real WebSocket.
pub struct Stomp {
    pub ws: WsStream,
    buf: Vec<u8>,
    pub version: Version,
}

pub const WAIT: Duration = Duration::from_secs(5);

impl Stomp {
    /// Opens `/ws/chat` with `?token=` (if given) without sending CONNECT.
    pub async fn open(s: &TestServer, token: Option<&str>) -> Self {
        let path = match token {
            Some(t) => format!("/ws/chat?token={t}"),
            None => "/ws/chat".to_owned(),
        };
        let ws = s.ws(&path).await.expect("websocket opens");
        Self {
            ws,
            buf: Vec::new(),
            version: Version::V1_2,
        }
    }

    /// Opens with `?token=` and completes CONNECT (no heart-beats).
    pub async fn connect(s: &TestServer, u: &User) -> Self {
        let mut c = Self::open(s, Some(&u.token)).await;
        c.send(
            Frame::new(Command::Connect)
                .with("accept-version", "1.1,1.2")
                .with("host", "localhost")
                .with("heart-beat", "0,0"),
        )
        .await;
        let f = c.frame().await;
        assert_eq!(f.command, Command::Connected, "{f:?}");
        c
    }

    /// Connected and subscribed to the room and the error queue, with receipts
    /// awaited so that nothing published afterwards is missed.
    pub async fn joined(s: &TestServer, u: &User, room: &str) -> Self {
        let mut c = Self::connect(s, u).await;
        c.subscribe_sync("room", &format!("/topic/couple/{room}"))
            .await;
        c.subscribe_sync("errors", "/user/queue/errors").await;
        c
    }

    pub async fn send(&mut self, frame: Frame) {
        let bytes = stomp::encode(&frame, self.version);
        self.ws
            .send(Message::Text(String::from_utf8(bytes).unwrap().into()))
            .await
            .expect("frame sent");
    }

    pub async fn send_raw(&mut self, text: &str) {
        self.ws
            .send(Message::Text(text.to_owned().into()))
            .await
            .expect("frame sent");
    }

    pub async fn subscribe_sync(&mut self, id: &str, destination: &str) {
        let receipt = format!("sub-{id}");
        self.send(
            Frame::new(Command::Subscribe)
                .with("id", id)
                .with("destination", destination)
                .with("receipt", receipt.as_str()),
        )
        .await;
        assert_eq!(self.receipt().await, receipt);
    }

    pub async fn send_json(&mut self, destination: &str, body: &Value) {
        self.send(
            Frame::new(Command::Send)
                .with("destination", destination)
                .with("content-type", "application/json")
                .with_body(body.to_string().into_bytes()),
        )
        .await;
    }

    /// The next frame (heart-beats skipped); panics after [`WAIT`].
    pub async fn frame(&mut self) -> Frame {
        self.try_frame(WAIT).await.expect("a frame arrives in time")
    }

    /// The next frame, or `None` on timeout or close.
    pub async fn try_frame(&mut self, wait: Duration) -> Option<Frame> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let decoder = Decoder::new(self.version, Default::default());
            while let Some((item, used)) = decoder.decode(&self.buf).expect("server frames decode")
            {
                self.buf.drain(..used);
                if let Item::Frame(f) = item {
                    return Some(f);
                }
            }
            let msg = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .ok()??;
            match msg.ok()? {
                Message::Text(t) => self.buf.extend_from_slice(t.as_bytes()),
                Message::Binary(b) => self.buf.extend_from_slice(&b),
                Message::Close(_) => return None,
                _ => {}
            }
        }
    }

    /// The next RECEIPT's id, skipping MESSAGE frames.
    pub async fn receipt(&mut self) -> String {
        loop {
            let f = self.frame().await;
            match f.command {
                Command::Message => continue,
                Command::Receipt => return f.header("receipt-id").unwrap().to_owned(),
                _ => panic!("expected a RECEIPT: {f:?}"),
            }
        }
    }

    /// The next MESSAGE body as JSON.
    pub async fn message(&mut self) -> (Frame, Value) {
        let f = self.frame().await;
        assert_eq!(
            f.command,
            Command::Message,
            "{f:?} {}",
            String::from_utf8_lossy(&f.body)
        );
        let body = serde_json::from_slice(&f.body).expect("JSON body");
        (f, body)
    }

    /// The next MESSAGE that is not a SYSTEM (presence/typing) event, with its frame.
    pub async fn non_system_message(&mut self) -> (Frame, Value) {
        loop {
            let (f, body) = self.message().await;
            if body["type"] != "SYSTEM" {
                return (f, body);
            }
        }
    }

    /// The next MESSAGE on the subscription `sub`, skipping others.
    pub async fn message_on(&mut self, sub: &str) -> Value {
        loop {
            let (f, body) = self.message().await;
            if f.header("subscription") == Some(sub) {
                return body;
            }
        }
    }

    /// The next SYSTEM event `event` of `user` on the room subscription.
    pub async fn system_event(&mut self, event: &str, user: &str) -> Value {
        loop {
            let body = self.message_on("room").await;
            if body["type"] == "SYSTEM" && body["event"] == event && body["userId"] == user {
                return body;
            }
        }
    }

    /// The next room MESSAGE that is not a SYSTEM presence/typing event.
    pub async fn chat_message(&mut self) -> Value {
        loop {
            let body = self.message_on("room").await;
            if body["type"] != "SYSTEM" {
                return body;
            }
        }
    }

    /// Waits for the WebSocket to close; the close code.
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| f.code.into()),
                Ok(Some(Ok(_))) => continue,
                Ok(_) => return None,
                Err(_) => panic!("the socket did not close in time"),
            }
        }
    }
}
