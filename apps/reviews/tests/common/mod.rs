//! Shared test helpers: a reviews server, accounts, and the error body's check.
#![allow(dead_code)]

use std::sync::Arc;

pub use platform::testing::{TestResponse, TestServer};
use reviews::Reviews;
use serde_json::{Value, json};

pub const PASSWORD: &str = "popcorn-2024";

pub async fn server() -> TestServer {
    TestServer::start(Arc::new(Reviews)).await
}

pub async fn server_with(overrides: &[(&str, &str)]) -> TestServer {
    TestServer::start_with(Arc::new(Reviews), overrides).await
}

/// A signed-up, logged-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub use platform::testing::unique_email;

pub async fn signup(s: &TestServer, nickname: &str) -> User {
    let email = unique_email("u");
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": email, "password": PASSWORD, "nickname": nickname}),
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
    let token = r.body["access_token"].as_str().expect("a token").to_owned();
    let me = s.get("/users/me", Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.body);
    User {
        id: me.body["id"].as_i64().expect("me has an id"),
        email: email.to_owned(),
        token,
        refresh: r.body["refresh_token"]
            .as_str()
            .expect("a refresh token")
            .to_owned(),
    }
}

/// The seed's error body: every key, `status` as sent, `path` without the query.
pub fn assert_error(r: &TestResponse, status: u16, code: &str, path: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    let body = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("a JSON object: {:?}", r.bytes));
    let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["code", "details", "message", "path", "status", "timestamp"],
        "{}",
        r.body
    );
    assert_eq!(r.body["code"], code, "{}", r.body);
    assert_eq!(r.body["status"], status, "{}", r.body);
    assert_eq!(r.body["path"], path, "{}", r.body);
    let ts = r.body["timestamp"].as_str().expect("a timestamp");
    assert!(
        chrono::DateTime::parse_from_rfc3339(ts).is_ok() && ts.ends_with('Z'),
        "{ts}"
    );
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{}",
        r.body
    );
    if code == "VALIDATION_ERROR" {
        let details = r.body["details"]
            .as_array()
            .expect("details list the fields");
        assert!(!details.is_empty());
        for d in details {
            assert!(d["field"].is_string() && d["message"].is_string(), "{d}");
        }
    } else {
        assert_eq!(r.body["details"], Value::Null, "{}", r.body);
    }
}

/// The field named first in a validation error.
pub fn field(r: &TestResponse) -> &str {
    r.body["details"][0]["field"].as_str().unwrap_or("")
}

/// The id of the bundled content titled `title`.
pub async fn content_id(s: &TestServer, title: &str) -> i64 {
    let r = s
        .get(
            &format!("/contents?query={}&size=100", urlencode(title)),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["title"] == title)
        .unwrap_or_else(|| panic!("{title} is in the catalogue: {}", r.body))["id"]
        .as_i64()
        .expect("an id")
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Posts a review and returns its id.
pub async fn review(s: &TestServer, u: &User, content: i64, rating: f64) -> i64 {
    let r = s
        .post(
            &format!("/contents/{content}/reviews"),
            Some(&u.token),
            &json!({"rating": rating, "content": "볼 만하다", "spoiler": false}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body["id"].as_i64().expect("an id")
}
