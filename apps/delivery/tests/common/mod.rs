//! Shared test helpers: a delivery server with users, logins and orders.
#![allow(dead_code)]

use std::sync::Arc;

use delivery::Delivery;
use futures_util::StreamExt;
use platform::App;
use platform::testing::WsStream;
use platform::testing::tokio_tungstenite::tungstenite::Message;
pub use platform::testing::{TestResponse, TestServer};
use serde_json::{Value, json};

pub const PASSWORD: &str = "pw-1234";

/// A delivery server with `admin` (ADMIN, CS), `alice` and `bob` (USER, CS) and
/// `hes` (USER, HES).
pub async fn server() -> TestServer {
    server_with(&[]).await
}

pub async fn server_with(overrides: &[(&str, &str)]) -> TestServer {
    let s = TestServer::start_with(Arc::new(Delivery), overrides).await;
    add_users(&s).await;
    s
}

pub async fn add_users(s: &TestServer) {
    for (login, dept, role) in [
        ("admin", "CS", "ADMIN"),
        ("alice", "CS", "USER"),
        ("bob", "CS", "USER"),
        ("hes", "HES", "USER"),
    ] {
        Delivery
            .add_user(
                &s.ctx,
                platform::NewUser {
                    login: login.into(),
                    password: PASSWORD.into(),
                    role: Some(role.into()),
                    department: Some(dept.into()),
                    name: None,
                },
            )
            .await
            .expect("test user is created");
    }
}

pub async fn login_full(s: &TestServer, user: &str) -> Value {
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": user, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "login {user}: {}", r.body);
    r.body
}

/// An access token for `user`.
pub async fn login(s: &TestServer, user: &str) -> String {
    login_full(s, user).await["token"]["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Today in the server's zone, as `YYYY-MM-DD`, with an offset in days.
pub fn day(offset: i64) -> String {
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .date_naive();
    (now + chrono::Duration::days(offset))
        .format("%Y-%m-%d")
        .to_string()
}

pub fn order_body(order_no: &str) -> Value {
    json!({
        "order_no": order_no,
        "type": "DELIVERY",
        "department": "CS",
        "warehouse": "SEOUL",
        "sla": "당일",
        "eta": format!("{}T14:30:00", day(0)),
        "postal_code": "06234",
        "address": "테헤란로 123",
        "customer": "홍길동",
        "contact": "010-1234-5678",
    })
}

/// Creates an order and returns its id.
pub async fn create_order(s: &TestServer, token: &str, order_no: &str) -> i64 {
    let r = s
        .post("/dashboard", Some(token), &order_body(order_no))
        .await;
    assert_eq!(r.status, 201, "create {order_no}: {}", r.body);
    r.body["data"]["dashboard_id"].as_i64().unwrap()
}

/// Asserts the seed's error envelope and returns the body.
pub fn assert_error(r: &TestResponse, status: u16, code: &str) -> Value {
    assert_eq!(r.status, status, "body: {}", r.body);
    assert_eq!(r.body["success"], json!(false), "body: {}", r.body);
    assert_eq!(r.body["error_code"], json!(code), "body: {}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "body: {}",
        r.body
    );
    let ts = r.body["timestamp"].as_str().expect("timestamp");
    assert!(
        chrono::NaiveDateTime::parse_from_str(ts, "%Y-%m-%dT%H:%M:%S").is_ok(),
        "naive local timestamp: {ts}"
    );
    r.body.clone()
}

pub async fn status_of(s: &TestServer, token: &str, id: i64) -> String {
    let r = s.get(&format!("/dashboard/{id}"), Some(token)).await;
    r.body["data"]["status"].as_str().unwrap().to_owned()
}

/// The next JSON text frame of a live view, within 5 s.
pub async fn next_event(ws: &mut WsStream) -> Value {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("an event within 5 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).expect("events are JSON");
        }
    }
}
