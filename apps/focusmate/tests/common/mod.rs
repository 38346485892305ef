//! Shared test helpers: a focusmate server, accounts, rooms, the envelopes'
//! checks and the live channel.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use focusmate::Focusmate;
use futures_util::{SinkExt, StreamExt};
use platform::testing::WsStream;
use platform::testing::tokio_tungstenite::tungstenite::Message;
pub use platform::testing::{TestResponse, TestServer};
use serde_json::{Value, json};

pub const PASSWORD: &str = "deep-work-25";

pub async fn server() -> TestServer {
    TestServer::start(Arc::new(Focusmate)).await
}

pub async fn server_with(overrides: &[(&str, &str)]) -> TestServer {
    TestServer::start_with(Arc::new(Focusmate), overrides).await
}

/// A server whose timer minute lasts `ms` milliseconds.
pub async fn fast_server(ms: u64) -> TestServer {
    let seconds = format!("{}", ms as f64 / 1000.0);
    server_with(&[("ONDOL_FOCUSMATE_MINUTE_SECONDS", &seconds)]).await
}

/// A registered, logged-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub email: String,
    pub username: String,
    pub token: String,
}

pub use platform::testing::unique_email;

pub async fn register(s: &TestServer, username: &str) -> User {
    let email = unique_email(username);
    let r = s
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "username": username}),
        )
        .await;
    assert_eq!(r.status, 201, "register: {}", r.body);
    login(s, &email).await
}

pub async fn login(s: &TestServer, email: &str) -> User {
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_success(&r, 200);
    let data = &r.body["data"];
    User {
        id: data["user"]["id"].as_str().expect("a user id").to_owned(),
        email: email.to_owned(),
        username: data["user"]["username"]
            .as_str()
            .expect("a name")
            .to_owned(),
        token: data["access_token"].as_str().expect("a token").to_owned(),
    }
}

/// A room created by `host` with `body`'s fields (a name is added).
pub async fn room(s: &TestServer, host: &User, body: Value) -> Value {
    let mut body = body;
    if body.get("name").is_none() {
        body["name"] = json!("Deep work");
    }
    let r = s.post("/api/v1/rooms", Some(&host.token), &body).await;
    assert_success(&r, 201);
    r.body["data"].clone()
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// The success envelope of seed §2.3.
pub fn assert_success(r: &TestResponse, status: u16) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["status"], "success", "{}", r.body);
    assert!(r.body.get("data").is_some(), "{}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.body
    );
}

/// The error envelope of seed §2.3: exactly `status` and `error`, the error with
/// `code`, `message` and `details` (a list, with `{field, message}` items).
pub fn assert_error(r: &TestResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let body = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("a JSON object: {:?}", r.bytes));
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["error", "status"], "{}", r.body);
    assert_eq!(r.body["status"], "error", "{}", r.body);
    let error = &r.body["error"];
    assert_eq!(error["code"], code, "{}", r.body);
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.body
    );
    let details = error["details"].as_array().expect("details is a list");
    if code == "VALIDATION_ERROR" {
        assert!(!details.is_empty(), "{}", r.body);
    }
    for d in details {
        assert!(d["field"].is_string() && d["message"].is_string(), "{d}");
    }
}

/// The field named first in a validation error.
pub fn field(r: &TestResponse) -> &str {
    r.body["error"]["details"][0]["field"]
        .as_str()
        .unwrap_or("")
}

/// Opens the live channel of `user`.
pub async fn live(s: &TestServer, user: &User) -> WsStream {
    s.ws(&format!("/api/v1/notifications/ws?token={}", user.token))
        .await
        .expect("the live channel opens")
}

/// The next text message, as JSON, within `wait`.
pub async fn next(ws: &mut WsStream, wait: Duration) -> Option<Value> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let frame = tokio::time::timeout_at(deadline, ws.next()).await.ok()??;
        match frame.ok()? {
            Message::Text(t) => return Some(serde_json::from_str(&t).expect("JSON text")),
            Message::Close(_) => return None,
            _ => continue,
        }
    }
}

/// The next message of `kind` (others are skipped) matching `pred`, within `wait`.
pub async fn next_of(
    ws: &mut WsStream,
    kind: &str,
    wait: Duration,
    pred: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        let m = next(ws, left)
            .await
            .unwrap_or_else(|| panic!("no {kind} message within {wait:?}"));
        if m["type"] == kind && pred(&m["data"]) {
            return m;
        }
    }
}

pub async fn send(ws: &mut WsStream, text: &str) {
    ws.send(Message::Text(text.into())).await.expect("sent");
}

/// The close code the server ends the channel with, within `wait`.
pub async fn close_code(ws: &mut WsStream, wait: Duration) -> Option<u16> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await.ok()? {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| f.code.into()),
            Some(Ok(_)) => continue,
            _ => return None,
        }
    }
}

/// Runs `sql` against the app's database and returns the first column of each
/// row as text (recounts from the rows themselves).
pub async fn scalar_i64(s: &TestServer, sql: &str) -> i64 {
    use platform::on_pool;
    on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(p)
        .await)
    .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Stores `minutes` of focus for `user` at `at_ms`, from a room since closed.
pub async fn insert_credit(s: &TestServer, user: &str, minutes: i64, at_ms: i64) {
    let id: uuid::Uuid = user.parse().expect("a user id");
    focusmate::import_focus(&s.ctx, id, minutes as i32, at_ms)
        .await
        .expect("a credit is stored");
}
