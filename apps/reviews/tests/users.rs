//! The caller's profile, anyone's public profile, a user's reviews, devices.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn me_and_its_changes() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let me = s.get("/users/me", Some(&u.token)).await;
    assert_eq!(me.status, 200);
    let mut keys: Vec<&String> = me.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bio",
            "created_at",
            "email",
            "id",
            "nickname",
            "profile_image"
        ]
    );
    let r = s
        .patch(
            "/users/me",
            Some(&u.token),
            &json!({"bio": "스릴러 좋아함", "profile_image": "https://img.example.com/m.png"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["bio"], "스릴러 좋아함");
    assert_eq!(r.body["nickname"], "민지");
    let r = s
        .patch(
            "/users/me",
            Some(&u.token),
            &json!({"nickname": "민지2", "bio": null}),
        )
        .await;
    assert_eq!(r.body["nickname"], "민지2");
    assert_eq!(r.body["bio"], Value::Null);
    assert_eq!(r.body["profile_image"], "https://img.example.com/m.png");
    for (body, bad) in [
        (json!({}), "body"),
        (json!({"nickname": ""}), "nickname"),
        (json!({"bio": "가".repeat(501)}), "bio"),
        (
            json!({"profile_image": "javascript:alert(1)"}),
            "profile_image",
        ),
        (json!({"email": "x@y.z"}), "email"),
    ] {
        let r = s.patch("/users/me", Some(&u.token), &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR", "/users/me");
        assert_eq!(field(&r), bad, "{}", r.body);
    }
    let after = s.get("/users/me", Some(&u.token)).await;
    assert_eq!(
        after.body["nickname"], "민지2",
        "a refused change changed nothing"
    );
    let r = s.patch("/users/me", None, &json!({"bio": "x"})).await;
    assert_error(&r, 401, "UNAUTHORIZED", "/users/me");
}

#[tokio::test]
async fn a_public_profile_has_no_email_and_lists_the_users_reviews() {
    let s = server().await;
    let u = signup(&s, "준호").await;
    let other = signup(&s, "서연").await;
    let parasite = content_id(&s, "Parasite").await;
    let oldboy = content_id(&s, "Oldboy").await;
    review(&s, &u, parasite, 5.0).await;
    let second = review(&s, &u, oldboy, 4.0).await;
    let r = s.get(&format!("/users/{}", u.id), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["nickname"], "준호");
    assert!(r.body.get("email").is_none(), "{}", r.body);
    let list = s
        .get(
            &format!("/users/{}/reviews?size=1", u.id),
            Some(&other.token),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["total"], 2);
    assert_eq!(list.body["size"], 1);
    assert_eq!(list.body["items"][0]["id"], second, "newest first");
    assert_eq!(list.body["items"][0]["user"]["nickname"], "준호");
    let past = s
        .get(&format!("/users/{}/reviews?page=9", u.id), None)
        .await;
    assert_eq!(past.body["items"], json!([]));
    assert_eq!(past.body["total"], 2);
    for path in ["/users/999999", "/users/999999/reviews"] {
        let r = s.get(path, None).await;
        assert_error(&r, 404, "NOT_FOUND", path);
    }
    let r = s.get("/users/abc", None).await;
    assert_error(&r, 422, "VALIDATION_ERROR", "/users/abc");
}

#[tokio::test]
async fn devices_register_once_and_move_between_users() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let other = signup(&s, "준호").await;
    let r = s
        .post(
            "/users/me/devices",
            Some(&u.token),
            &json!({"fcm_token": "device-a"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["fcm_token"], "device-a");
    let id = r.body["id"].clone();
    let again = s
        .post(
            "/users/me/devices",
            Some(&u.token),
            &json!({"fcm_token": "device-a"}),
        )
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], id);
    let moved = s
        .post(
            "/users/me/devices",
            Some(&other.token),
            &json!({"fcm_token": "device-a"}),
        )
        .await;
    assert_eq!(moved.status, 201);
    assert_eq!(moved.body["id"], id);
    let owner: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT user_id FROM devices WHERE fcm_token = 'device-a'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(owner, other.id);
    let r = s
        .post(
            "/users/me/devices",
            Some(&u.token),
            &json!({"fcm_token": " "}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR", "/users/me/devices");
    let r = s
        .post("/users/me/devices", None, &json!({"fcm_token": "x"}))
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", "/users/me/devices");
}
