//! The published API document, its documented rejections, the bad-input sweep,
//! the error body on errors below the handlers, and the demo data.

mod common;

use common::*;
use platform::App;
use serde_json::json;

#[tokio::test]
async fn the_document_lists_every_route_and_its_rejections_happen() {
    let s = server().await;
    let doc = s
        .check_openapi(&[
            ("POST", "/auth/signup"),
            ("POST", "/auth/login"),
            ("POST", "/auth/refresh"),
            ("POST", "/auth/logout"),
            ("GET", "/users/me"),
            ("PATCH", "/users/me"),
            ("POST", "/users/me/devices"),
            ("GET", "/users/{user_id}"),
            ("GET", "/users/{user_id}/reviews"),
            ("GET", "/contents"),
            ("GET", "/contents/popular"),
            ("GET", "/contents/{content_id}"),
            ("GET", "/genres"),
            ("GET", "/contents/{content_id}/reviews"),
            ("POST", "/contents/{content_id}/reviews"),
            ("PATCH", "/reviews/{review_id}"),
            ("DELETE", "/reviews/{review_id}"),
            ("POST", "/reviews/{review_id}/like"),
            ("DELETE", "/reviews/{review_id}/like"),
        ])
        .await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["required"],
        json!(["timestamp", "path", "status", "code", "message", "details"])
    );
    assert_eq!(schemas["Kind"]["enum"], json!(["movie", "tv"]));
    let u = signup(&s, "검사").await;
    s.check_documented_rejections(&doc, &u.token).await;
    s.check_docs_offline().await;
}

#[tokio::test]
async fn bad_input_anywhere_is_refused_in_the_envelope() {
    let s = server().await;
    let u = signup(&s, "검사").await;
    let doc = s.get("/openapi.json", None).await.body;
    s.check_bad_input(&doc, &u.token, &[]).await;
}

#[tokio::test]
async fn errors_below_the_handlers_have_the_seeds_body() {
    let s = server().await;
    let r = s.get("/no/such/path?x=1", None).await;
    assert_error(&r, 404, "NOT_FOUND", "/no/such/path");
    let r = s.request(reqwest::Method::PUT, "/genres", None, None).await;
    assert_error(&r, 405, "METHOD_NOT_ALLOWED", "/genres");
    let r = s
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            None,
            "application/json",
            b"{\"email\": ".to_vec(),
        )
        .await;
    assert_error(&r, 400, "BAD_REQUEST", "/auth/login");
    let r = s.get("/users/me", None).await;
    assert_error(&r, 401, "UNAUTHORIZED", "/users/me");
    let r = s.get("/users/me", Some("not-a-token")).await;
    assert_error(&r, 401, "UNAUTHORIZED", "/users/me");
    let r = s.get("/contents?page=0", None).await;
    assert_error(&r, 422, "VALIDATION_ERROR", "/contents");
    assert_eq!(field(&r), "page");
}

#[tokio::test]
async fn the_demo_has_users_reviews_and_likes() {
    let s = server().await;
    let logins = reviews::Reviews
        .seed_demo(&s.ctx)
        .await
        .expect("the demo loads");
    assert_eq!(logins.len(), 6);
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"email": logins[0].login, "password": logins[0].password}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let popular = s.get("/contents/popular?size=10", None).await;
    assert_eq!(popular.status, 200);
    let items = popular.body["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|c| c["review_count"].as_i64().unwrap() >= 2),
        "{}",
        popular.body
    );
    assert!(items.iter().all(|c| c["average_rating"].is_number()));
    let first = items[0]["id"].as_i64().unwrap();
    let liked = s
        .get(&format!("/contents/{first}/reviews?sort=likes"), None)
        .await;
    assert!(
        liked.body["items"][0]["like_count"].as_i64().unwrap() >= 1,
        "{}",
        liked.body
    );
    let total_reviews: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert!((200..=1000).contains(&total_reviews), "{total_reviews}");
}

async fn boom() -> &'static str {
    panic!("boom")
}

#[tokio::test]
async fn a_panic_or_an_oversized_body_comes_back_in_the_seeds_body() {
    use axum::routing::get;
    let s = TestServer::start_full(
        std::sync::Arc::new(reviews::Reviews),
        &[("ONDOL_REVIEWS_BODY_LIMIT_BYTES", "4096")],
        axum::Router::new().route("/boom", get(boom)),
    )
    .await;
    let r = s.get("/boom", None).await;
    assert_error(&r, 500, "INTERNAL_ERROR", "/boom");
    assert!(!r.body["message"].as_str().unwrap().contains("boom"));
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": "a@b.co", "password": "x".repeat(10_000), "nickname": "n"}),
        )
        .await;
    assert_error(&r, 413, "PAYLOAD_TOO_LARGE", "/auth/signup");
}
