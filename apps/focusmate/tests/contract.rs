//! The published API document, its documented rejections, the bad-input sweep,
//! a panic in the envelope, and the demo data.

mod common;

use common::*;
use platform::App;
use serde_json::json;

#[tokio::test]
async fn the_document_lists_every_route_and_its_rejections_happen() {
    let s = server().await;
    let doc = s
        .check_openapi(&[
            ("POST", "/api/v1/auth/register"),
            ("POST", "/api/v1/auth/login"),
            ("POST", "/api/v1/auth/refresh"),
            ("POST", "/api/v1/users"),
            ("GET", "/api/v1/users/me"),
            ("GET", "/api/v1/users/{user_id}"),
            ("PUT", "/api/v1/users/{user_id}"),
            ("PATCH", "/api/v1/users/{user_id}"),
            ("DELETE", "/api/v1/users/{user_id}"),
            ("GET", "/api/v1/rooms"),
            ("POST", "/api/v1/rooms"),
            ("GET", "/api/v1/rooms/mine"),
            ("GET", "/api/v1/rooms/{room_id}"),
            ("PATCH", "/api/v1/rooms/{room_id}"),
            ("DELETE", "/api/v1/rooms/{room_id}"),
            ("POST", "/api/v1/rooms/{room_id}/join"),
            ("POST", "/api/v1/rooms/{room_id}/leave"),
            ("POST", "/api/v1/rooms/{room_id}/invite"),
            ("POST", "/api/v1/rooms/{room_id}/timer/start"),
            ("POST", "/api/v1/rooms/{room_id}/timer/pause"),
            ("POST", "/api/v1/rooms/{room_id}/timer/reset"),
            ("GET", "/api/v1/leaderboard"),
            ("GET", "/api/v1/notifications"),
            ("PATCH", "/api/v1/notifications/{notification_id}/read"),
            ("POST", "/api/v1/notifications/read-all"),
            ("GET", "/api/v1/notifications/ws"),
        ])
        .await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(schemas["Error"]["required"], json!(["status", "error"]));
    assert_eq!(schemas["Phase"]["enum"], json!(["idle", "focus", "break"]));
    let u = register(&s, "checker").await;
    s.check_documented_rejections(&doc, &u.token).await;
    s.check_docs_offline().await;
}

#[tokio::test]
async fn bad_input_anywhere_is_refused_in_the_envelope() {
    let s = server().await;
    let u = register(&s, "checker").await;
    let doc = s.get("/openapi.json", None).await.body;
    // Deleting the caller would end the sweep's own session.
    s.check_bad_input(&doc, &u.token, &["DELETE /api/v1/users/{user_id}"])
        .await;
}

async fn boom() -> &'static str {
    panic!("boom")
}

#[tokio::test]
async fn a_panic_comes_back_in_the_envelope() {
    use axum::routing::get;
    let s = TestServer::start_full(
        std::sync::Arc::new(focusmate::Focusmate),
        &[],
        axum::Router::new().route("/boom", get(boom)),
    )
    .await;
    let r = s.get("/boom", None).await;
    assert_error(&r, 500, "INTERNAL_ERROR");
    assert!(
        !r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("boom")
    );
}

#[tokio::test]
async fn the_demo_has_users_rooms_a_running_timer_and_history() {
    let s = server().await;
    let logins = focusmate::Focusmate
        .seed_demo(&s.ctx)
        .await
        .expect("the demo loads");
    assert_eq!(logins.len(), 5);
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": logins[0].login, "password": logins[0].password}),
        )
        .await;
    assert_success(&r, 200);
    let token = r.body["data"]["access_token"].as_str().unwrap().to_owned();
    let rooms = s.get("/api/v1/rooms", Some(&token)).await;
    let list = rooms.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 3);
    assert_eq!(
        list.iter()
            .filter(|r| r["timer"]["is_running"] == true)
            .count(),
        1
    );
    for period in ["daily", "weekly", "all"] {
        let r = s
            .get(
                &format!("/api/v1/leaderboard?period={period}"),
                Some(&token),
            )
            .await;
        let board = r.body["data"].as_array().unwrap();
        assert!(board.len() >= 3, "{period}: {}", r.body);
        assert!(
            board
                .windows(2)
                .all(|w| w[0]["focus_minutes"].as_i64() >= w[1]["focus_minutes"].as_i64())
        );
    }
}
