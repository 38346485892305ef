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

pub use platform::testing::unique_email;

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
    login_with(s, email, PASSWORD).await
}

pub async fn login_with(s: &TestServer, email: &str, password: &str) -> User {
    let r = s
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": email, "password": password}),
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

/// A server that counts requests (the test harness turns rate limits off).
pub async fn limited_server() -> TestServer {
    TestServer::start_with(Arc::new(Shop), &[("ONDOL_RATE_LIMITS", "on")]).await
}

/// An account added without HTTP, so that no request is counted for it.
pub async fn quiet_user(s: &TestServer, role: &str) -> String {
    let email = unique_email(role);
    Shop.add_user(
        &s.ctx,
        NewUser {
            login: email.clone(),
            password: PASSWORD.into(),
            role: Some(role.into()),
            department: None,
            name: Some("조용한".into()),
        },
    )
    .await
    .expect("a user is added");
    email
}

/// A client whose requests come from `ip` (any 127.x address reaches the server).
pub fn client_from(ip: [u8; 4]) -> reqwest::Client {
    platform::external::tls_ready();
    reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(ip))
        .build()
        .expect("a client binds to a loopback address")
}

pub async fn send(
    s: &TestServer,
    client: &reqwest::Client,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> TestResponse {
    let mut req = client.request(method, s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(b);
    }
    TestServer::read(req.send().await.expect("request reaches the test server")).await
}

/// Waits, if needed, so that the next `margin` seconds stay in one fixed window of
/// `secs` seconds (the limits count in windows aligned to the epoch).
pub async fn inside_one_window(secs: u64, margin: u64) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("the clock is after 1970")
        .as_secs();
    let left = secs - now % secs;
    if left < margin {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

pub fn header_u64(r: &TestResponse, name: &str) -> u64 {
    r.header(name)
        .unwrap_or_else(|| panic!("{name} header"))
        .parse()
        .unwrap_or_else(|_| panic!("{name} is a number"))
}

/// A category added by `admin`; its id.
pub async fn category(s: &TestServer, admin: &User, name: &str, parent: Option<i64>) -> i64 {
    let r = s
        .post(
            "/v1/categories",
            Some(&admin.token),
            &json!({"name": name, "parent_id": parent}),
        )
        .await;
    assert_eq!(r.status, 201, "category: {}", r.body);
    r.body["data"]["id"].as_i64().expect("a category id")
}

/// A product listed by `seller` with `fields` over a small default; its body.
pub async fn product(s: &TestServer, seller: &User, fields: Value) -> Value {
    let mut body =
        json!({"name": "상품", "price": 1000.00, "currency": "KRW", "stock_quantity": 10});
    for (k, v) in fields.as_object().expect("fields are an object") {
        body[k] = v.clone();
    }
    let r = s.post("/v1/products", Some(&seller.token), &body).await;
    assert_eq!(r.status, 201, "product: {}", r.body);
    r.body["data"].clone()
}

/// A body sent as written, so that numbers keep their exact text (`15.00`).
pub async fn post_text(
    s: &TestServer,
    path: &str,
    token: Option<&str>,
    body: &str,
) -> TestResponse {
    s.raw(
        Method::POST,
        path,
        token,
        "application/json",
        body.as_bytes().to_vec(),
    )
    .await
}

pub fn address() -> Value {
    json!({"recipient": "김민준", "phone": "010-1234-5678", "line1": "테헤란로 123",
           "city": "서울", "postal_code": "06234", "country": "KR"})
}

/// `POST /v1/orders` with `(product_id, quantity)` lines.
pub async fn place(s: &TestServer, buyer: &User, lines: &[(i64, i64)]) -> TestResponse {
    let items: Vec<Value> = lines
        .iter()
        .map(|(p, q)| json!({"product_id": p, "quantity": q}))
        .collect();
    s.post(
        "/v1/orders",
        Some(&buyer.token),
        &json!({"items": items, "shipping_address": address()}),
    )
    .await
}

pub async fn stock(s: &TestServer, product: i64) -> i64 {
    let r = s.get(&format!("/v1/products/{product}"), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["stock_quantity"].as_i64().expect("a stock")
}

/// Settles an order's payment as the payment webhook does.
pub async fn settle(s: &TestServer, order: i64, succeeded: bool) -> bool {
    shop::settle_payment(&s.ctx, shop::model::OrderId(order), succeeded)
        .await
        .expect("the payment result is applied")
}
