//! /auth/*: login, refresh rotation with reuse detection, logout, check-session,
//! and every way a token can be wrong.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn login_returns_the_seed_shape() {
    let s = server().await;
    let body = login_full(&s, "admin").await;
    assert_eq!(body["success"], json!(true));
    assert_eq!(body["message"], json!("로그인 성공"));
    assert!(
        body["token"]["access_token"]
            .as_str()
            .unwrap()
            .split('.')
            .count()
            == 3
    );
    assert!(body["token"]["refresh_token"].as_str().unwrap().len() >= 32);
    assert_eq!(
        body["user"],
        json!({"user_id": "admin", "user_department": "CS", "user_role": "ADMIN"})
    );
}

#[tokio::test]
async fn bad_logins_are_401_and_bad_bodies_are_4xx() {
    let s = server().await;
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": "admin", "password": "wrong"}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": "nobody", "password": "x"}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let r = s
        .post("/auth/login", None, &json!({"user_id": "admin"}))
        .await;
    let body = assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(body["details"][0]["field"], json!("password"));
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": " ", "password": ""}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let r = s
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            None,
            "application/json",
            b"{\"user_id\":".to_vec(),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
}

#[tokio::test]
async fn check_session_reports_the_user_and_expiry() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let r = s.get("/auth/check-session", Some(&token)).await;
    assert_eq!(r.status, 200);
    let data = &r.body["data"];
    assert_eq!(data["authenticated"], json!(true));
    assert_eq!(
        data["user"],
        json!({"user_id": "alice", "user_department": "CS", "user_role": "USER"})
    );
    let expires = chrono::NaiveDateTime::parse_from_str(
        data["expires_at"].as_str().unwrap(),
        "%Y-%m-%dT%H:%M:%S",
    )
    .unwrap();
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .naive_local();
    let minutes = (expires - now).num_minutes();
    assert!(
        (58..=60).contains(&minutes),
        "60-minute access token, got {minutes}"
    );
}

#[tokio::test]
async fn missing_malformed_forged_and_alg_none_tokens_are_refused() {
    let s = server().await;
    assert_error(
        &s.get("/auth/check-session", None).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &s.get("/auth/check-session", Some("not-a-jwt")).await,
        401,
        "INVALID_TOKEN",
    );
    let token = login(&s, "admin").await;
    // Same claims, signature of another key.
    let mut parts: Vec<&str> = token.split('.').collect();
    parts[2] = "c2lnbmF0dXJl";
    assert_error(
        &s.get("/auth/check-session", Some(&parts.join("."))).await,
        401,
        "INVALID_TOKEN",
    );
    // alg: none with the real payload.
    let none = format!(
        "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
        token.split('.').nth(1).unwrap()
    );
    assert_error(
        &s.get("/auth/check-session", Some(&none)).await,
        401,
        "INVALID_TOKEN",
    );
    let r = s
        .client
        .get(s.url("/auth/check-session"))
        .header("authorization", format!("Basic {token}"))
        .send()
        .await
        .unwrap();
    assert_error(&TestServer::read(r).await, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn expired_tokens_say_so() {
    let s = server_with(&[("ONDOL_DELIVERY_ACCESS_TOKEN_MINUTES", "0")]).await;
    let token = login(&s, "alice").await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_error(
        &s.get("/auth/check-session", Some(&token)).await,
        401,
        "TOKEN_EXPIRED",
    );
}

async fn refresh(s: &TestServer, token: &str) -> TestResponse {
    s.post("/auth/refresh", None, &json!({"refresh_token": token}))
        .await
}

fn pair(r: &TestResponse) -> (String, String) {
    let t = &r.body["data"]["token"];
    (
        t["access_token"].as_str().unwrap().into(),
        t["refresh_token"].as_str().unwrap().into(),
    )
}

#[tokio::test]
async fn refresh_rotates_and_the_new_pair_works() {
    let s = server().await;
    let first = login_full(&s, "alice").await["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = refresh(&s, &first).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["message"], json!("토큰이 갱신되었습니다"));
    let (access, second) = pair(&r);
    assert_ne!(second, first);
    assert_eq!(
        s.get("/auth/check-session", Some(&access)).await.status,
        200
    );
    let r = refresh(&s, &second).await;
    assert_eq!(r.status, 200);
    assert_error(&refresh(&s, "0123456789abcdef").await, 401, "INVALID_TOKEN");
    assert_error(
        &s.post("/auth/refresh", None, &json!({})).await,
        422,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn reuse_inside_the_grace_window_yields_a_valid_pair() {
    let s = server_with(&[("ONDOL_DELIVERY_REFRESH_GRACE_SECONDS", "5")]).await;
    let first = login_full(&s, "alice").await["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, a) = pair(&refresh(&s, &first).await);
    // A second tab presents the same (now rotated) token at once.
    let r = refresh(&s, &first).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let (access, b) = pair(&r);
    assert_ne!(a, b);
    assert_eq!(
        s.get("/auth/check-session", Some(&access)).await.status,
        200
    );
    assert_eq!(refresh(&s, &a).await.status, 200);
    assert_eq!(refresh(&s, &b).await.status, 200);
}

#[tokio::test]
async fn reuse_after_the_grace_window_revokes_the_family() {
    let s = server_with(&[("ONDOL_DELIVERY_REFRESH_GRACE_SECONDS", "1")]).await;
    let first = login_full(&s, "alice").await["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let other_session = login_full(&s, "alice").await["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, second) = pair(&refresh(&s, &first).await);
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    assert_error(&refresh(&s, &first).await, 401, "INVALID_TOKEN");
    // The thief's (or victim's) newer token is dead too: the whole family is revoked.
    assert_error(&refresh(&s, &second).await, 401, "INVALID_TOKEN");
    // Another login is another family and unaffected.
    assert_eq!(refresh(&s, &other_session).await.status, 200);
}

#[tokio::test]
async fn concurrent_refreshes_of_one_token_all_succeed() {
    let s = server().await;
    let first = login_full(&s, "alice").await["token"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let client = s.client.clone();
        let url = s.url("/auth/refresh");
        let token = first.clone();
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({"refresh_token": token}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 200);
    }
}

#[tokio::test]
async fn logout_ends_the_session_and_needs_a_token() {
    let s = server().await;
    let body = login_full(&s, "alice").await;
    let access = body["token"]["access_token"].as_str().unwrap();
    let refresh_token = body["token"]["refresh_token"].as_str().unwrap();
    assert_error(
        &s.post(
            "/auth/logout",
            None,
            &json!({"refresh_token": refresh_token}),
        )
        .await,
        401,
        "UNAUTHORIZED",
    );
    // Someone else's logout call cannot end alice's session.
    let bob = login(&s, "bob").await;
    assert_eq!(
        s.post(
            "/auth/logout",
            Some(&bob),
            &json!({"refresh_token": refresh_token})
        )
        .await
        .status,
        200
    );
    assert_eq!(refresh(&s, refresh_token).await.status, 200);
    let (_, current) = {
        let body = login_full(&s, "alice").await;
        (
            body["token"]["access_token"].as_str().unwrap().to_owned(),
            body["token"]["refresh_token"].as_str().unwrap().to_owned(),
        )
    };
    let r = s
        .post(
            "/auth/logout",
            Some(access),
            &json!({"refresh_token": current}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": true, "message": "로그아웃이 완료되었습니다"})
    );
    assert_error(&refresh(&s, &current).await, 401, "INVALID_TOKEN");
}

/// `ondol user set-role`: the demoted admin's existing tokens stop working within
/// seconds (on every instance: the versions are reloaded from the database each
/// second), the refresh token is gone, and a new login carries the new role.
#[tokio::test]
async fn a_role_change_ends_the_users_sessions_within_seconds() {
    use platform::App;
    let s = server().await;
    let full = login_full(&s, "admin").await;
    let token = full["token"]["access_token"].as_str().unwrap().to_owned();
    let refresh = full["token"]["refresh_token"].as_str().unwrap().to_owned();
    let range = json!({"start_date": day(-1), "end_date": day(0)});
    assert_eq!(
        s.post("/download/excel", Some(&token), &range).await.status,
        200
    );
    let other = login(&s, "alice").await;

    delivery::Delivery
        .set_role(&s.ctx, "admin", "USER")
        .await
        .expect("the role changes");
    let r = s.get_until("/auth/check-session", Some(&token), 401).await;
    assert_error(&r, 401, "INVALID_TOKEN");
    assert_error(
        &s.post("/download/excel", Some(&token), &range).await,
        401,
        "INVALID_TOKEN",
    );
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": refresh}))
        .await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(
        s.get("/auth/check-session", Some(&other)).await.status,
        200,
        "other users keep their sessions"
    );
    let demoted = login(&s, "admin").await;
    assert_error(
        &s.post("/download/excel", Some(&demoted), &range).await,
        403,
        "FORBIDDEN",
    );

    delivery::Delivery
        .disable_user(&s.ctx, "admin")
        .await
        .expect("the user is disabled");
    assert_eq!(
        s.get_until("/auth/check-session", Some(&demoted), 401)
            .await
            .status,
        401
    );
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": "admin", "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 401, "a disabled user cannot log in: {}", r.body);
}
