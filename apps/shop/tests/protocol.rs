//! The seed's protocol on every response (§2.1) and its rate limits (§9.3): 100 an
//! hour and 1000 a day per token, per client address without one, and five login
//! attempts a minute per address and per e-mail address.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn every_response_carries_the_protocol_headers() {
    let s = server().await;
    let u = register(&s, "buyer").await;
    for r in [
        s.get("/v1/categories", None).await,
        s.get("/v1/users/me", Some(&u.token)).await,
        s.get("/v1/users/me", None).await,
        s.get("/v1/nothing-here", None).await,
        s.post("/v1/auth/login", None, &json!({"email": "x"})).await,
    ] {
        assert!(
            r.header("x-request-id").is_some_and(|v| !v.is_empty()),
            "{r:?}"
        );
        let took = r.header("x-response-time").expect("X-Response-Time");
        assert!(took.ends_with("ms"), "{took}");
        // Limits off in tests: the configured limit is still reported.
        assert_eq!(header_u64(&r, "x-ratelimit-limit"), 100);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 100);
    }
    let missing = s.get("/v1/nothing-here", None).await;
    assert_error(&missing, 404, "NOT_FOUND");
}

#[tokio::test]
async fn a_token_has_100_requests_an_hour_of_its_own() {
    inside_one_window(3600, 30).await;
    let s = limited_server().await;
    let a = login(&s, &quiet_user(&s, "buyer").await).await;
    let b = login(&s, &quiet_user(&s, "buyer").await).await;
    // login() asked /v1/users/me once with each token.
    for n in 2..=100u64 {
        let r = s.get("/v1/users/me", Some(&a.token)).await;
        assert_eq!(r.status, 200, "request {n}: {}", r.body);
        assert_eq!(header_u64(&r, "x-ratelimit-limit"), 100);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 100 - n);
    }
    let over = s.get("/v1/users/me", Some(&a.token)).await;
    assert_error(&over, 429, "RATE_LIMITED");
    assert_eq!(header_u64(&over, "x-ratelimit-remaining"), 0);
    assert!(header_u64(&over, "retry-after") >= 1);
    let en = in_language(
        &s,
        "en",
        Method::GET,
        "/v1/categories",
        Some(&a.token),
        None,
    )
    .await;
    assert_error(&en, 429, "RATE_LIMITED");
    assert_ne!(
        en.body["message"], over.body["message"],
        "worded per language"
    );

    // Another token, and anonymous callers, have budgets of their own.
    let r = s.get("/v1/users/me", Some(&b.token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 98);
    let anonymous = s.get("/v1/categories", None).await;
    assert_eq!(anonymous.status, 200);
    let here = header_u64(&anonymous, "x-ratelimit-remaining");
    assert!(here >= 90, "the address's own budget: {here}");
    // A made-up token counts against the address, not a fresh budget.
    let forged = s.get("/v1/categories", Some("made.up.token")).await;
    assert_eq!(header_u64(&forged, "x-ratelimit-remaining"), here - 1);
    // Each address has its own: never one shared bucket for everyone anonymous.
    let elsewhere = send(
        &s,
        &client_from([127, 0, 0, 2]),
        Method::GET,
        "/v1/categories",
        None,
        None,
    )
    .await;
    assert_eq!(header_u64(&elsewhere, "x-ratelimit-remaining"), 99);
}

#[tokio::test]
async fn login_allows_five_attempts_a_minute_per_address_and_per_account() {
    inside_one_window(60, 15).await;
    let s = limited_server().await;
    let a = quiet_user(&s, "buyer").await;
    let b = quiet_user(&s, "seller").await;
    let here = client_from([127, 0, 0, 1]);
    let there = client_from([127, 0, 0, 3]);
    let wrong = |email: &str| json!({"email": email, "password": "Wrong-pass1!"});
    let right = |email: &str| json!({"email": email, "password": PASSWORD});

    for _ in 0..5 {
        let r = send(
            &s,
            &here,
            Method::POST,
            "/v1/auth/login",
            None,
            Some(&wrong(&a)),
        )
        .await;
        assert_error(&r, 401, "UNAUTHORIZED");
    }
    // The sixth attempt for that account is refused, from here...
    let r = send(
        &s,
        &here,
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&right(&a)),
    )
    .await;
    assert_error(&r, 429, "RATE_LIMITED");
    // ...and from anywhere else, however the address is spelled.
    let shouted = right(&a.to_uppercase());
    let r = send(
        &s,
        &there,
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&shouted),
    )
    .await;
    assert_error(&r, 429, "RATE_LIMITED");
    // This address has used its five too, whatever the account.
    let r = send(
        &s,
        &here,
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&right(&b)),
    )
    .await;
    assert_error(&r, 429, "RATE_LIMITED");
    // Another account from another address is not held up.
    let r = send(
        &s,
        &client_from([127, 0, 0, 4]),
        Method::POST,
        "/v1/auth/login",
        None,
        Some(&right(&b)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_a_tokens_budget_is_shared_by_the_instances() {
    platform::testing::require_shared_backends();
    inside_one_window(3600, 30).await;
    let one = limited_server().await;
    let two = one.peer().await;
    let a = login(&one, &quiet_user(&one, "buyer").await).await;
    for n in 2..=100u64 {
        let s = if n % 2 == 0 { &one } else { &two };
        let r = s.get("/v1/users/me", Some(&a.token)).await;
        assert_eq!(r.status, 200, "request {n}");
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 100 - n);
    }
    assert_error(
        &one.get("/v1/users/me", Some(&a.token)).await,
        429,
        "RATE_LIMITED",
    );
    assert_error(
        &two.get("/v1/users/me", Some(&a.token)).await,
        429,
        "RATE_LIMITED",
    );
}
