//! The seed's HTTP behaviour: security headers (§4.3), CORS and preflight (§5),
//! gzip from 1000 bytes (§8.2), the envelopes below the handlers, the
//! leaderboard's periods and cache (§8.1), notifications, and what production
//! refuses.

mod common;

use std::sync::Arc;

use common::*;
use reqwest::Method;
use serde_json::json;

const SECURITY: [(&str, &str); 5] = [
    (
        "strict-transport-security",
        "max-age=31536000; includeSubDomains",
    ),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "1; mode=block"),
    ("content-security-policy", "default-src 'self'"),
];

fn assert_security_headers(headers: &reqwest::header::HeaderMap, what: &str) {
    for (name, value) in SECURITY {
        assert_eq!(
            headers.get(name).and_then(|v| v.to_str().ok()),
            Some(value),
            "{name} on {what}"
        );
    }
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let s = server().await;
    let u = register(&s, "u").await;
    let ok = s.get("/api/v1/users/me", Some(&u.token)).await;
    assert_security_headers(&ok.headers, "a success");
    let unauthorized = s.get("/api/v1/users/me", None).await;
    assert_security_headers(&unauthorized.headers, "a 401");
    let missing = s.get("/api/v1/nowhere", None).await;
    assert_security_headers(&missing.headers, "a 404");
    let preflight = s
        .client
        .request(Method::OPTIONS, s.url("/api/v1/users"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_security_headers(preflight.headers(), "a preflight");
}

#[tokio::test]
async fn the_preflight_of_seed_5_2() {
    let s = server().await;
    let r = s
        .client
        .request(Method::OPTIONS, s.url("/api/v1/users"))
        .header("origin", "http://localhost:3000")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "Content-Type, Authorization",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    assert_eq!(
        h("access-control-allow-origin").as_deref(),
        Some("http://localhost:3000")
    );
    assert_eq!(
        h("access-control-allow-methods").as_deref(),
        Some("GET,POST,PUT,PATCH,DELETE,OPTIONS")
    );
    assert_eq!(
        h("access-control-allow-headers").map(|v| v.to_ascii_lowercase()),
        Some("content-type, authorization".into())
    );
    assert_eq!(h("access-control-max-age").as_deref(), Some("3600"));
    assert_eq!(
        h("access-control-allow-credentials").as_deref(),
        Some("true")
    );

    // The other default origin is allowed; others get no CORS headers.
    for (origin, allowed) in [
        ("https://focusmate.com", true),
        ("https://evil.example", false),
        ("http://localhost:3001", false),
    ] {
        let r = s
            .client
            .get(s.url("/api/v1/nowhere"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let echoed = r.headers().get("access-control-allow-origin").cloned();
        assert_eq!(echoed.is_some(), allowed, "{origin}");
    }
}

#[tokio::test]
async fn origins_come_from_the_configuration() {
    let s = server_with(&[("ONDOL_FOCUSMATE_CORS_ORIGINS", "https://app.example")]).await;
    for (origin, allowed) in [
        ("https://app.example", true),
        ("http://localhost:3000", false),
    ] {
        let r = s
            .client
            .request(Method::OPTIONS, s.url("/api/v1/rooms"))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.headers().get("access-control-allow-origin").is_some(),
            allowed,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn bodies_from_1000_bytes_are_gzipped() {
    let s = server().await;
    let u = register(&s, "u").await;
    let small = s
        .client
        .get(s.url("/api/v1/users/me"))
        .bearer_auth(&u.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(small.headers().get("content-encoding").is_none());
    for i in 0..5 {
        room(
            &s,
            &u,
            json!({"name": format!("Room {i}"), "description": "x".repeat(200)}),
        )
        .await;
    }
    let big = s
        .client
        .get(s.url("/api/v1/rooms"))
        .bearer_auth(&u.token)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(
        big.headers()
            .get("content-encoding")
            .and_then(|v| v.to_str().ok()),
        Some("gzip")
    );
    let plain = s.get("/api/v1/rooms", Some(&u.token)).await;
    assert!(plain.bytes.len() >= 1000, "{}", plain.bytes.len());
}

#[tokio::test]
async fn errors_below_the_handlers_wear_the_envelope() {
    let s = server().await;
    let u = register(&s, "u").await;
    assert_error(
        &s.get("/api/v1/nowhere", Some(&u.token)).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.request(
            Method::PUT,
            "/api/v1/rooms",
            Some(&u.token),
            Some(&json!({})),
        )
        .await,
        405,
        "METHOD_NOT_ALLOWED",
    );
    let r = s
        .raw(
            Method::POST,
            "/api/v1/rooms",
            Some(&u.token),
            "application/json",
            b"{\"name\": ".to_vec(),
        )
        .await;
    assert_error(&r, 400, "BAD_REQUEST");
    let r = s
        .raw(
            Method::POST,
            "/api/v1/rooms",
            Some(&u.token),
            "text/plain",
            b"name".to_vec(),
        )
        .await;
    assert_error(&r, 415, "UNSUPPORTED_MEDIA_TYPE");
    let r = s
        .raw(
            Method::POST,
            "/api/v1/rooms",
            Some(&u.token),
            "application/json",
            vec![b' '; 2 * 1024 * 1024],
        )
        .await;
    assert_error(&r, 413, "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn notifications_are_listed_newest_first_and_read() {
    let s = server().await;
    let host = register(&s, "host").await;
    let a = register(&s, "a").await;
    let b = register(&s, "b").await;
    let room = id(&room(&s, &host, json!({})).await);
    for u in [&a, &b] {
        s.post(
            &format!("/api/v1/rooms/{room}/join"),
            Some(&u.token),
            &json!({}),
        )
        .await;
    }
    let r = s.get("/api/v1/notifications", Some(&host.token)).await;
    assert_success(&r, 200);
    let list = r.body["data"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    let mut keys: Vec<&str> = list[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "created_at",
            "id",
            "is_read",
            "message",
            "room_id",
            "title",
            "type"
        ]
    );
    assert!(
        list[0]["message"].as_str().unwrap().contains("b joined"),
        "{}",
        r.body
    );
    assert!(list[1]["message"].as_str().unwrap().contains("a joined"));

    let first = list[0]["id"].as_str().unwrap();
    let path = format!("/api/v1/notifications/{first}/read");
    assert_error(
        &s.patch(&path, Some(&a.token), &json!({})).await,
        404,
        "NOT_FOUND",
    );
    let r = s.patch(&path, Some(&host.token), &json!({})).await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["is_read"], true);
    let unread = s
        .get("/api/v1/notifications?unread_only=true", Some(&host.token))
        .await;
    assert_eq!(unread.body["data"].as_array().unwrap().len(), 1);
    let r = s
        .post(
            "/api/v1/notifications/read-all",
            Some(&host.token),
            &json!({}),
        )
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"], json!({"updated": 1}));
    let r = s
        .get("/api/v1/notifications?unread_only=true", Some(&host.token))
        .await;
    assert_eq!(r.body["data"], json!([]));
    let r = s
        .patch(
            "/api/v1/notifications/nope/read",
            Some(&host.token),
            &json!({}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let r = s
        .get("/api/v1/notifications?limit=0", Some(&host.token))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
}

#[tokio::test]
async fn the_leaderboard_ranks_periods_and_is_cached_for_a_minute() {
    let s = server().await;
    let a = register(&s, "alpha").await;
    let b = register(&s, "beta").await;
    let credit = |user: &User, minutes: i64, days_ago: i64| {
        let at = chrono::Utc::now() - chrono::Duration::days(days_ago);
        (user.id.clone(), minutes, at.timestamp_millis())
    };
    // beta leads today; alpha leads over all time (30 days ago).
    for (user, minutes, at) in [credit(&b, 50, 0), credit(&a, 25, 0), credit(&a, 500, 30)] {
        insert_credit(&s, &user, minutes, at).await;
    }
    let board = |period: &'static str| {
        let s = &s;
        let token = a.token.clone();
        async move {
            let r = s
                .get(
                    &format!("/api/v1/leaderboard?period={period}"),
                    Some(&token),
                )
                .await;
            assert_success(&r, 200);
            r.body["data"].clone()
        }
    };
    let daily = board("daily").await;
    assert_eq!(
        daily,
        json!([
            {"rank": 1, "user_id": b.id, "username": "beta", "focus_minutes": 50},
            {"rank": 2, "user_id": a.id, "username": "alpha", "focus_minutes": 25},
        ])
    );
    let all = board("all").await;
    assert_eq!(all[0]["user_id"], a.id.as_str());
    assert_eq!(all[0]["focus_minutes"], 525);
    let weekly = s.get("/api/v1/leaderboard", Some(&a.token)).await;
    assert_eq!(
        weekly.body["data"][0]["user_id"],
        b.id.as_str(),
        "weekly by default"
    );

    // Cached: a new credit does not show within the minute.
    insert_credit(&s, &a.id, 100, chrono::Utc::now().timestamp_millis()).await;
    assert_eq!(board("daily").await, daily);
    let r = s
        .get("/api/v1/leaderboard?period=monthly", Some(&a.token))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");

    let fresh = server_with(&[("ONDOL_FOCUSMATE_LEADERBOARD_CACHE_SECONDS", "0")]).await;
    let c = register(&fresh, "gamma").await;
    insert_credit(&fresh, &c.id, 10, chrono::Utc::now().timestamp_millis()).await;
    let r = fresh
        .get("/api/v1/leaderboard?period=daily", Some(&c.token))
        .await;
    assert_eq!(r.body["data"][0]["focus_minutes"], 10);
    insert_credit(&fresh, &c.id, 5, chrono::Utc::now().timestamp_millis()).await;
    let r = fresh
        .get("/api/v1/leaderboard?period=daily", Some(&c.token))
        .await;
    assert_eq!(r.body["data"][0]["focus_minutes"], 15, "uncached");
}

#[tokio::test]
async fn production_refuses_test_minutes_and_wildcard_credentials() {
    use platform::config::Config;
    let app = focusmate::Focusmate;
    let strong = "k".repeat(40);
    for (key, value, why) in [
        ("ONDOL_FOCUSMATE_MINUTE_SECONDS", "1", "minute_seconds"),
        ("ONDOL_FOCUSMATE_CORS_ORIGINS", "*", "wildcard CORS origin"),
        ("ONDOL_FOCUSMATE_MINUTE_SECONDS", "60", ""),
    ] {
        let dir = std::env::temp_dir().join(format!("focusmate-prod-{}", uuid::Uuid::new_v4()));
        let env = vec![
            ("ONDOL_ENV".to_owned(), "production".to_owned()),
            ("ONDOL_JWT_SECRET".to_owned(), strong.clone()),
            ("ONDOL_DATA_DIR".to_owned(), dir.display().to_string()),
            (key.to_owned(), value.to_owned()),
        ];
        let config = Arc::new(Config::load_from(None, env, &["focusmate"]).unwrap());
        let shutdown = platform::app::ShutdownToken::new();
        let opened = platform::server::open(&app, config, shutdown.clone()).await;
        match (opened, why) {
            (Ok(_), "") => {}
            (Ok(_), _) => panic!("{key}={value} starts in production"),
            (Err(e), why) => assert!(!why.is_empty() && e.to_string().contains(why), "{e}"),
        }
        shutdown.cancel();
        let _ = std::fs::remove_dir_all(dir);
    }
}
