//! Shared test helpers: a shop server, accounts and requests in a language.
#![allow(dead_code)]

use std::sync::Arc;

pub use platform::testing::{TestResponse, TestServer};
use platform::{App, NewUser};
use reqwest::Method;
use serde_json::{Value, json};
use shop::Shop;

pub const PASSWORD: &str = "passw0rd!";

pub async fn server() -> TestServer {
    TestServer::start(Arc::new(Shop)).await
}

/// A registered, logged-in user.
#[derive(Debug, Clone)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub token: String,
    pub refresh: String,
}

pub fn unique_email(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{name}-{}{}@example.com",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Registers (as `role`) and logs in.
pub async fn register(s: &TestServer, role: &str) -> User {
    let email = unique_email(role);
    let r = s
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "name": "테스트", "role": role}),
        )
        .await;
    assert_eq!(r.status, 201, "register: {}", r.body);
    login(s, &email).await
}

/// An admin, added as `ondol user add shop EMAIL --role admin` adds one.
pub async fn admin(s: &TestServer) -> User {
    let email = unique_email("admin");
    Shop.add_user(
        &s.ctx,
        NewUser {
            login: email.clone(),
            password: PASSWORD.into(),
            role: Some("admin".into()),
            department: None,
            name: Some("운영자".into()),
        },
    )
    .await
    .expect("an admin is added");
    login(s, &email).await
}

pub async fn login(s: &TestServer, email: &str) -> User {
    let r = s
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "login: {}", r.body);
    let me = s
        .get("/v1/users/me", r.body["data"]["access_token"].as_str())
        .await;
    User {
        id: me.body["data"]["id"].as_i64().expect("me has an id"),
        email: email.to_owned(),
        token: r.body["data"]["access_token"].as_str().unwrap().to_owned(),
        refresh: r.body["data"]["refresh_token"].as_str().unwrap().to_owned(),
    }
}

/// A request with an `Accept-Language` header.
pub async fn in_language(
    s: &TestServer,
    lang: &str,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> TestResponse {
    let mut req = s
        .client
        .request(method, s.url(path))
        .header("accept-language", lang);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    TestServer::read(req.send().await.expect("request reaches the test server")).await
}

/// The error envelope of the spec, with `code`.
pub fn assert_error(r: &TestResponse, status: u16, code: &str) {
    assert_eq!(r.status, status, "{}", r.body);
    assert_eq!(r.body["success"], false, "{}", r.body);
    assert_eq!(r.body["error"]["code"], code, "{}", r.body);
    assert!(
        r.body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "a message: {}",
        r.body
    );
}
