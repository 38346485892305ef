//! The seed's SlowAPI limits: 60 requests a minute per client address, five a
//! minute on login and on signup; 429 in the error body with `Retry-After`.
//! Limits are fixed windows of a calendar minute, so each test starts early in
//! one.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::*;
use serde_json::json;

/// Waits, if needed, until at least 20 s of the current minute are left.
async fn early_in_a_minute() {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    if secs % 60 > 40 {
        tokio::time::sleep(Duration::from_secs(61 - secs % 60)).await;
    }
}

#[tokio::test]
async fn sixty_requests_a_minute_per_address() {
    let s = server_with(&[("ONDOL_RATE_LIMITS", "on")]).await;
    early_in_a_minute().await;
    for i in 0..60 {
        let r = s.get("/genres", None).await;
        assert_eq!(r.status, 200, "request {i}: {}", r.body);
        assert_eq!(r.header("x-ratelimit-limit"), Some("60"));
        assert_eq!(
            r.header("x-ratelimit-remaining"),
            Some((59 - i).to_string().as_str())
        );
    }
    let r = s.get("/contents?page=1", None).await;
    assert_error(&r, 429, "RATE_LIMITED", "/contents");
    let retry: u64 = r
        .header("retry-after")
        .expect("Retry-After")
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
}

#[tokio::test]
async fn five_logins_and_five_signups_a_minute_per_address() {
    let s = server_with(&[("ONDOL_RATE_LIMITS", "on")]).await;
    early_in_a_minute().await;
    for i in 0..5 {
        let r = s
            .post(
                "/auth/signup",
                None,
                &json!({"email": unique_email("r"), "password": PASSWORD, "nickname": "r"}),
            )
            .await;
        assert_eq!(r.status, 201, "signup {i}: {}", r.body);
    }
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": unique_email("r"), "password": PASSWORD, "nickname": "r"}),
        )
        .await;
    assert_error(&r, 429, "RATE_LIMITED", "/auth/signup");
    assert!(r.header("retry-after").is_some());
    // Login has a budget of its own; wrong passwords count too.
    for _ in 0..5 {
        let r = s
            .post(
                "/auth/login",
                None,
                &json!({"email": "a@b.co", "password": "wrong-one"}),
            )
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
    }
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"email": "a@b.co", "password": "wrong-one"}),
        )
        .await;
    assert_error(&r, 429, "RATE_LIMITED", "/auth/login");
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn the_login_limit_holds_across_instances() {
    platform::testing::require_shared_backends();
    let a = server_with(&[("ONDOL_RATE_LIMITS", "on")]).await;
    let b = a.peer().await;
    early_in_a_minute().await;
    for i in 0..5 {
        let s = if i % 2 == 0 { &a } else { &b };
        let r = s
            .post(
                "/auth/login",
                None,
                &json!({"email": "a@b.co", "password": "wrong-one"}),
            )
            .await;
        assert_eq!(r.status, 401, "{}", r.body);
    }
    for s in [&a, &b] {
        let r = s
            .post(
                "/auth/login",
                None,
                &json!({"email": "a@b.co", "password": "wrong-one"}),
            )
            .await;
        assert_error(&r, 429, "RATE_LIMITED", "/auth/login");
    }
}
