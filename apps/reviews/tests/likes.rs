//! Likes: idempotent, never on your own review, exact counts under concurrency,
//! and a push to every device of the author after the like commits.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;
use serde_json::{Value, json};

async fn like_count(s: &TestServer, content: i64, review: i64) -> i64 {
    let r = s
        .get(&format!("/contents/{content}/reviews?size=100"), None)
        .await;
    r.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == review)
        .expect("the review is listed")["like_count"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn likes_are_idempotent_and_never_your_own() {
    let s = server().await;
    let author = signup(&s, "민지").await;
    let fan = signup(&s, "준호").await;
    let c = content_id(&s, "Okja").await;
    let id = review(&s, &author, c, 4.0).await;
    let path = format!("/reviews/{id}/like");
    for _ in 0..2 {
        let r = s.post(&path, Some(&fan.token), &json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body,
            json!({"review_id": id, "liked": true, "like_count": 1})
        );
    }
    let r = s.post(&path, Some(&author.token), &json!({})).await;
    assert_error(&r, 403, "FORBIDDEN", &path);
    let r = s.delete(&path, Some(&author.token), None).await;
    assert_error(&r, 403, "FORBIDDEN", &path);
    for _ in 0..2 {
        let r = s.delete(&path, Some(&fan.token), None).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(
            r.body,
            json!({"review_id": id, "liked": false, "like_count": 0})
        );
    }
    let r = s
        .post("/reviews/999999/like", Some(&fan.token), &json!({}))
        .await;
    assert_error(&r, 404, "NOT_FOUND", "/reviews/999999/like");
    let r = s.post(&path, None, &json!({})).await;
    assert_error(&r, 401, "UNAUTHORIZED", &path);
    // A review's likes go with it.
    s.post(&path, Some(&fan.token), &json!({})).await;
    assert_eq!(
        s.delete(&format!("/reviews/{id}"), Some(&author.token), None)
            .await
            .status,
        204
    );
    let left: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM review_likes WHERE review_id = $1"
    )
    .bind(id)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn one_user_liking_from_ten_connections_at_once_is_one_like() {
    let s = server().await;
    let author = signup(&s, "민지").await;
    let fan = signup(&s, "준호").await;
    let c = content_id(&s, "Broker").await;
    let id = review(&s, &author, c, 4.0).await;
    let tasks = (0..10).map(|_| {
        // A client of its own: a connection of its own.
        let client = reqwest::Client::new();
        let url = s.url(&format!("/reviews/{id}/like"));
        let token = fan.token.clone();
        async move {
            let r = client.post(url).bearer_auth(token).send().await.unwrap();
            r.status().as_u16()
        }
    });
    let statuses = futures_util::future::join_all(tasks).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(like_count(&s, c, id).await, 1);
}

#[tokio::test]
async fn sixty_four_reviewers_and_sixty_four_likers_at_once_leave_exact_counts() {
    let s = server().await;
    let c = content_id(&s, "Hunt").await;
    let author = signup(&s, "작성자").await;
    let target = review(&s, &author, c, 3.0).await;
    let mut users = Vec::new();
    for n in 0..64 {
        users.push(signup(&s, &format!("p{n}")).await);
    }
    let reviewing = users.iter().enumerate().map(|(n, u)| {
        let s = &s;
        async move {
            let rating = 0.5 * ((n % 10) as f64 + 1.0);
            let r = s
                .post(
                    &format!("/contents/{c}/reviews"),
                    Some(&u.token),
                    &json!({"rating": rating, "content": "동시에"}),
                )
                .await;
            assert_eq!(r.status, 201, "{}", r.body);
        }
    });
    let liking = users.iter().map(|u| {
        let s = &s;
        async move {
            let r = s
                .post(
                    &format!("/reviews/{target}/like"),
                    Some(&u.token),
                    &json!({}),
                )
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
        }
    });
    futures_util::future::join(
        futures_util::future::join_all(reviewing),
        futures_util::future::join_all(liking),
    )
    .await;
    let (sum, count, stored_sum, stored_count): (i64, i64, i64, i64) =
        platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_as(
            "SELECT CAST(SUM(r.rating_half) AS BIGINT), COUNT(*),
                    MAX(c.rating_sum), MAX(c.review_count)
             FROM reviews r JOIN contents c ON c.id = r.content_id WHERE r.content_id = $1"
        )
        .bind(c)
        .fetch_one(p)
        .await)
        .unwrap();
    assert_eq!(count, 65);
    assert_eq!((stored_sum, stored_count), (sum, count));
    let d = s.get(&format!("/contents/{c}"), None).await.body;
    assert_eq!(d["review_count"], 65);
    let expected = ((sum as f64 / 65.0 / 2.0) * 100.0).round() / 100.0;
    assert_eq!(d["average_rating"].as_f64().unwrap(), expected);
    assert_eq!(like_count(&s, c, target).await, 64);
    let rows: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM review_likes WHERE review_id = $1"
    )
    .bind(target)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(rows, 64);
}

fn push_dir(s: &TestServer) -> PathBuf {
    s.ctx.data_dir("push-outbox")
}

/// The pushes written so far, waiting up to 10 s for `n` of them.
async fn pushes(s: &TestServer, n: usize) -> Vec<Value> {
    let dir = push_dir(s);
    for _ in 0..100 {
        let mut found: Vec<Value> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .map(|e| serde_json::from_slice(&std::fs::read(e.path()).unwrap()).unwrap())
                    .collect()
            })
            .unwrap_or_default();
        if found.len() >= n {
            found.sort_by_key(|p| p["fcm_token"].as_str().unwrap().to_owned());
            return found;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} pushes in {}", dir.display());
}

#[tokio::test]
async fn a_new_like_pushes_to_every_device_of_the_author_and_never_the_liker() {
    let s = server().await;
    let author = signup(&s, "민지").await;
    let fan = signup(&s, "준호").await;
    for (u, token) in [
        (&author, "author-phone"),
        (&author, "author-tablet"),
        (&fan, "fan-phone"),
    ] {
        let r = s
            .post(
                "/users/me/devices",
                Some(&u.token),
                &json!({"fcm_token": token}),
            )
            .await;
        assert_eq!(r.status, 201);
    }
    let c = content_id(&s, "Parasite").await;
    let id = review(&s, &author, c, 5.0).await;
    let r = s
        .post(&format!("/reviews/{id}/like"), Some(&fan.token), &json!({}))
        .await;
    assert_eq!(r.status, 200);
    let sent = pushes(&s, 2).await;
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(sent[0]["fcm_token"], "author-phone");
    assert_eq!(sent[1]["fcm_token"], "author-tablet");
    for p in &sent {
        assert_eq!(p["title"], "새 좋아요");
        let body = p["body"].as_str().unwrap();
        assert!(body.contains("준호") && body.contains("Parasite"), "{body}");
        assert_eq!(p["data"]["review_id"], id.to_string());
        assert_eq!(p["data"]["type"], "review_liked");
    }
    // Liking again, unliking and liking anew: one more push round only for the
    // new like, never for a repeat.
    s.post(&format!("/reviews/{id}/like"), Some(&fan.token), &json!({}))
        .await;
    s.delete(&format!("/reviews/{id}/like"), Some(&fan.token), None)
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(pushes(&s, 2).await.len(), 2);
    let pending: i64 = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM platform_outbox WHERE topic = 'push'"
    )
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(pending, 2, "one outbox row per device");
}
