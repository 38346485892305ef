//! Sign-up, login, refresh with rotation and reuse detection, logout; refresh
//! tokens in Redis (checked in Redis itself) when Redis is configured.

mod common;

use common::*;
use platform::App;
use serde_json::json;

#[tokio::test]
async fn signup_answers_the_user_and_refuses_bad_or_taken_input() {
    let s = server().await;
    let email = unique_email("new");
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": email, "password": PASSWORD, "nickname": " 민지 "}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["email"], email);
    assert_eq!(r.body["nickname"], "민지");
    assert_eq!(r.body["bio"], serde_json::Value::Null);
    assert!(r.body.get("password").is_none() && r.body.get("password_hash").is_none());
    let again = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": email.to_uppercase(), "password": PASSWORD, "nickname": "x"}),
        )
        .await;
    assert_error(&again, 409, "CONFLICT", "/auth/signup");
    for (body, bad) in [
        (
            json!({"email": "nope", "password": PASSWORD, "nickname": "a"}),
            "email",
        ),
        (
            json!({"email": unique_email("a"), "password": "short", "nickname": "a"}),
            "password",
        ),
        (
            json!({"email": unique_email("a"), "password": "x".repeat(73), "nickname": "a"}),
            "password",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "nickname": "  "}),
            "nickname",
        ),
        (
            json!({"email": unique_email("a"), "password": PASSWORD, "nickname": "가".repeat(31)}),
            "nickname",
        ),
        (json!({"password": PASSWORD, "nickname": "a"}), "email"),
    ] {
        let r = s.post("/auth/signup", None, &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR", "/auth/signup");
        assert_eq!(field(&r), bad, "{}", r.body);
    }
}

#[tokio::test]
async fn login_gives_a_bearer_pair_of_thirty_minutes() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"email": u.email, "password": PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["token_type"], "bearer");
    assert_eq!(r.body["expires_in"], 1800);
    let mut keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        ["access_token", "expires_in", "refresh_token", "token_type"]
    );
    let wrong = s
        .post(
            "/auth/login",
            None,
            &json!({"email": u.email, "password": "wrong-password"}),
        )
        .await;
    assert_error(&wrong, 401, "UNAUTHORIZED", "/auth/login");
    let unknown = s
        .post(
            "/auth/login",
            None,
            &json!({"email": "who@example.com", "password": PASSWORD}),
        )
        .await;
    assert_error(&unknown, 401, "UNAUTHORIZED", "/auth/login");
    assert_eq!(wrong.body["message"], unknown.body["message"]);
}

#[tokio::test]
async fn refresh_rotates_and_logout_ends_that_session_only() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let phone = login(&s, &u.email).await;
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["token_type"], "bearer");
    let rotated = r.body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(rotated, u.refresh);
    let access = r.body["access_token"].as_str().unwrap();
    assert_eq!(s.get("/users/me", Some(access)).await.status, 200);
    // Logout needs the bearer token, and ends the given session at once.
    let r = s
        .post("/auth/logout", None, &json!({"refresh_token": rotated}))
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/auth/logout");
    let r = s
        .post(
            "/auth/logout",
            Some(access),
            &json!({"refresh_token": rotated}),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert!(r.bytes.is_empty());
    for token in [&rotated, &u.refresh] {
        let r = s
            .post("/auth/refresh", None, &json!({"refresh_token": token}))
            .await;
        assert_error(&r, 401, "UNAUTHORIZED", "/auth/refresh");
    }
    // The other device's session goes on.
    let r = s
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": phone.refresh}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    for bad in ["", "nonsense", "1.2.3"] {
        let r = s
            .post("/auth/refresh", None, &json!({"refresh_token": bad}))
            .await;
        assert!(r.status == 401 || r.status == 422, "{bad}: {}", r.body);
    }
}

#[tokio::test]
async fn a_rotated_token_reused_after_the_grace_window_ends_its_session() {
    let s = server_with(&[("ONDOL_REVIEWS_REFRESH_GRACE_SECONDS", "1")]).await;
    let u = signup(&s, "민지").await;
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    let rotated = r.body["refresh_token"].as_str().unwrap().to_owned();
    // Within the grace window the old token still yields a pair (two tabs).
    let twin = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    assert_eq!(twin.status, 200, "{}", twin.body);
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let reuse = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    assert_error(&reuse, 401, "UNAUTHORIZED", "/auth/refresh");
    // The whole family is gone, the newest token included.
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": rotated}))
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/auth/refresh");
}

/// Keys of this test's prefix matching `pattern` (after the prefix).
async fn redis_keys(s: &TestServer, pattern: &str) -> Vec<String> {
    let redis = s.ctx.redis.as_ref().expect("Redis is configured");
    let mut conn = redis.conn();
    redis::cmd("KEYS")
        .arg(redis.key(pattern))
        .query_async(&mut conn)
        .await
        .expect("KEYS")
}

async fn redis_fields(s: &TestServer, key: &str) -> usize {
    let mut conn = s.ctx.redis.as_ref().unwrap().conn();
    redis::cmd("HLEN")
        .arg(key)
        .query_async(&mut conn)
        .await
        .expect("HLEN")
}

#[tokio::test]
async fn with_redis_each_session_is_a_key_refresh_user_family() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    if s.ctx.redis.is_none() {
        // Without Redis the tokens are in the database.
        let n: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM platform_refresh_tokens WHERE subject = $1"
        )
        .bind(u.id.to_string())
        .fetch_one(p)
        .await)
        .unwrap();
        assert_eq!(n, 1);
        return;
    }
    let prefix = format!("refresh:{}:", u.id);
    let keys = redis_keys(&s, &format!("{prefix}*")).await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = keys[0].clone();
    assert!(key.ends_with(&format!("{prefix}{}", u.refresh.split('.').nth(1).unwrap())));
    let mut conn = s.ctx.redis.as_ref().unwrap().conn();
    let ttl: i64 = redis::cmd("TTL")
        .arg(&key)
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!((7 * 86_400 - 60..=7 * 86_400).contains(&ttl), "{ttl}");
    assert_eq!(redis_fields(&s, &key).await, 1);
    // A second device: a second key.
    let other = login(&s, &u.email).await;
    assert_eq!(redis_keys(&s, &format!("{prefix}*")).await.len(), 2);
    // Rotation: the same key, the new token beside the spent one.
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    assert_eq!(r.status, 200);
    let rotated = r.body["refresh_token"].as_str().unwrap();
    assert_eq!(redis_fields(&s, &key).await, 2);
    let access = r.body["access_token"].as_str().unwrap();
    let r = s
        .post(
            "/auth/logout",
            Some(access),
            &json!({"refresh_token": rotated}),
        )
        .await;
    assert_eq!(r.status, 204);
    let left = redis_keys(&s, &format!("{prefix}*")).await;
    assert_eq!(left.len(), 1, "logout deletes that session's key at once");
    assert!(!left.contains(&key));
    // A disabled user's sessions all go.
    reviews::Reviews
        .disable_user(&s.ctx, &other.email)
        .await
        .expect("disabled");
    assert!(redis_keys(&s, &format!("{prefix}*")).await.is_empty());
    let r = s
        .post(
            "/auth/refresh",
            None,
            &json!({"refresh_token": other.refresh}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/auth/refresh");
}

#[tokio::test]
async fn a_disabled_user_can_no_longer_log_in() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    reviews::Reviews
        .disable_user(&s.ctx, &u.email)
        .await
        .unwrap();
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"email": u.email, "password": PASSWORD}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/auth/login");
    let r = s
        .post("/auth/refresh", None, &json!({"refresh_token": u.refresh}))
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/auth/refresh");
}
