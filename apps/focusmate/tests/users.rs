//! Registration (both paths), login, the caller and profiles, and changes to
//! one's own account only.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn register_on_both_paths_and_log_in() {
    let s = server().await;
    let email = unique_email("jiwoo");
    let r = s
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "username": "jiwoo"}),
        )
        .await;
    assert_success(&r, 201);
    let user = &r.body["data"];
    assert_eq!(user["email"], email.as_str());
    assert_eq!(user["username"], "jiwoo");
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
    assert!(uuid_like(user["id"].as_str().unwrap()), "{user}");

    let other = unique_email("minseo");
    let r = s
        .post(
            "/api/v1/users",
            None,
            &json!({"email": other, "password": PASSWORD, "username": "minseo"}),
        )
        .await;
    assert_success(&r, 201);

    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email.to_uppercase(), "password": PASSWORD}),
        )
        .await;
    assert_success(&r, 200);
    let data = &r.body["data"];
    assert_eq!(data["token_type"], "bearer");
    assert!(data["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(data["user"]["email"], email.as_str());
    let token = data["access_token"].as_str().unwrap();
    let me = s.get("/api/v1/users/me", Some(token)).await;
    assert_success(&me, 200);
    assert_eq!(me.body["data"]["email"], email.as_str());

    // The refresh token rotates.
    let refresh = data["refresh_token"].as_str().unwrap();
    let r = s
        .post(
            "/api/v1/auth/refresh",
            None,
            &json!({"refresh_token": refresh}),
        )
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["user"]["email"], email.as_str());
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn registration_and_login_refuse_bad_input() {
    let s = server().await;
    let taken = register(&s, "taken").await;
    let cases = [
        (
            json!({"email": "no-at-sign", "password": PASSWORD, "username": "a"}),
            422,
            "email",
        ),
        (json!({"password": PASSWORD, "username": "a"}), 422, "email"),
        (
            json!({"email": unique_email("a"), "password": "short", "username": "a"}),
            422,
            "password",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "username": " "}),
            422,
            "username",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "username": "x".repeat(31)}),
            422,
            "username",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "username": "a", "role": "admin"}),
            422,
            "role",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "username": 7}),
            422,
            "username",
        ),
    ];
    for (body, status, f) in cases {
        let r = s.post("/api/v1/auth/register", None, &body).await;
        assert_error(&r, status, "VALIDATION_ERROR");
        assert_eq!(field(&r), f, "{body}");
    }
    let r = s
        .post(
            "/api/v1/auth/register",
            None,
            &json!({"email": taken.email, "password": PASSWORD, "username": "again"}),
        )
        .await;
    assert_error(&r, 409, "CONFLICT");
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": taken.email, "password": "wrong-password"}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": "nobody@example.com", "password": PASSWORD}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = s
        .request(reqwest::Method::POST, "/api/v1/auth/login", None, None)
        .await;
    assert!(r.status == 415 || r.status == 400, "{}", r.body);
}

#[tokio::test]
async fn tokens_are_required_and_checked() {
    let s = server().await;
    for token in [None, Some("not-a-token"), Some("Bearer x.y.z")] {
        let r = s.get("/api/v1/users/me", token).await;
        assert_error(&r, 401, "UNAUTHORIZED");
    }
    let r = s.get("/api/v1/rooms", None).await;
    assert_error(&r, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn profiles_are_public_without_the_email() {
    let s = server().await;
    let a = register(&s, "alpha").await;
    let b = register(&s, "beta").await;
    let r = s
        .get(&format!("/api/v1/users/{}", b.id), Some(&a.token))
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["username"], "beta");
    assert!(r.body["data"].get("email").is_none(), "{}", r.body);
    let own = s
        .get(&format!("/api/v1/users/{}", a.id), Some(&a.token))
        .await;
    assert_eq!(own.body["data"]["email"], a.email.as_str());
    let r = s
        .get(
            "/api/v1/users/00000000-0000-7000-8000-000000000000",
            Some(&a.token),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = s.get("/api/v1/users/not-a-uuid", Some(&a.token)).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
}

#[tokio::test]
async fn only_you_change_or_delete_your_account() {
    let s = server().await;
    let a = register(&s, "alpha").await;
    let b = register(&s, "beta").await;
    let path = format!("/api/v1/users/{}", a.id);

    let r = s
        .patch(&path, Some(&a.token), &json!({"bio": "Night owl"}))
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["bio"], "Night owl");
    assert_eq!(r.body["data"]["username"], "alpha");

    // PUT replaces: the bio left out is removed.
    let r = s
        .request(
            reqwest::Method::PUT,
            &path,
            Some(&a.token),
            Some(&json!({"username": "alpha2"})),
        )
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["username"], "alpha2");
    assert_eq!(r.body["data"]["bio"], serde_json::Value::Null);
    let r = s
        .request(
            reqwest::Method::PUT,
            &path,
            Some(&a.token),
            Some(&json!({"bio": "x"})),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(field(&r), "username");
    let r = s.patch(&path, Some(&a.token), &json!({})).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let r = s
        .patch(&path, Some(&a.token), &json!({"bio": "x".repeat(501)}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(field(&r), "bio");

    let before = platform::testing::fingerprint(&s.ctx.db).await;
    for (method, body) in [
        (reqwest::Method::PATCH, Some(json!({"bio": "mine now"}))),
        (reqwest::Method::PUT, Some(json!({"username": "mine"}))),
        (reqwest::Method::DELETE, None),
    ] {
        let r = s
            .request(method, &path, Some(&b.token), body.as_ref())
            .await;
        assert_error(&r, 403, "FORBIDDEN");
    }
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);

    let r = s.delete(&path, Some(&a.token), None).await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"], serde_json::Value::Null);
    let r = s.get(&path, Some(&b.token)).await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = s.get_until("/api/v1/users/me", Some(&a.token), 401).await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = s
        .post(
            "/api/v1/auth/login",
            None,
            &json!({"email": a.email, "password": PASSWORD}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
}
