//! Writing reviews: one per user per content, sorts, the author's edits and
//! deletes, and bad input that changes nothing.

mod common;

use common::*;
use serde_json::{Value, json};

async fn detail(s: &TestServer, content: i64) -> Value {
    s.get(&format!("/contents/{content}"), None).await.body
}

#[tokio::test]
async fn a_review_has_the_specs_shape_and_moves_the_aggregates() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let c = content_id(&s, "Oldboy").await;
    let path = format!("/contents/{c}/reviews");
    let r = s
        .post(
            &path,
            Some(&u.token),
            &json!({"rating": 4.5, "content": "복도 장면", "spoiler": true}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let mut keys: Vec<&String> = r.body.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "content",
            "content_id",
            "created_at",
            "id",
            "like_count",
            "liked_by_me",
            "rating",
            "spoiler",
            "updated_at",
            "user"
        ]
    );
    assert_eq!(r.body["rating"], 4.5);
    assert_eq!(r.body["content_id"], c);
    assert_eq!(r.body["spoiler"], true);
    assert_eq!(r.body["like_count"], 0);
    assert_eq!(r.body["liked_by_me"], false);
    assert_eq!(
        r.body["user"],
        json!({"id": u.id, "nickname": "민지", "profile_image": null})
    );
    let d = detail(&s, c).await;
    assert_eq!(d["average_rating"], 4.5);
    assert_eq!(d["review_count"], 1);
    // Whole stars as integers, spoiler defaulting to false.
    let v = signup(&s, "준호").await;
    let r = s
        .post(
            &path,
            Some(&v.token),
            &json!({"rating": 3, "content": "글쎄"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["spoiler"], false);
    assert_eq!(r.body["rating"], 3.0);
    assert_eq!(detail(&s, c).await["average_rating"], 3.75);
    let again = s
        .post(
            &path,
            Some(&u.token),
            &json!({"rating": 1, "content": "다시"}),
        )
        .await;
    assert_error(&again, 409, "CONFLICT", &path);
    assert_eq!(detail(&s, c).await["review_count"], 2);
    let r = s
        .post(
            "/contents/999999/reviews",
            Some(&u.token),
            &json!({"rating": 1, "content": "x"}),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND", "/contents/999999/reviews");
    let r = s
        .post(&path, None, &json!({"rating": 1, "content": "x"}))
        .await;
    assert_error(&r, 401, "UNAUTHORIZED", &path);
}

#[tokio::test]
async fn bad_ratings_texts_sorts_and_pages_change_nothing() {
    let s = server().await;
    let u = signup(&s, "민지").await;
    let c = content_id(&s, "Mother").await;
    let path = format!("/contents/{c}/reviews");
    for (body, bad) in [
        (json!({"rating": 0, "content": "x"}), "rating"),
        (json!({"rating": 5.5, "content": "x"}), "rating"),
        (json!({"rating": 3.3, "content": "x"}), "rating"),
        (json!({"rating": -1, "content": "x"}), "rating"),
        (json!({"rating": "4", "content": "x"}), "rating"),
        (json!({"content": "x"}), "rating"),
        (json!({"rating": 4}), "content"),
        (json!({"rating": 4, "content": "   "}), "content"),
        (
            json!({"rating": 4, "content": "가".repeat(2001)}),
            "content",
        ),
        (
            json!({"rating": 4, "content": "x", "spoiler": "yes"}),
            "spoiler",
        ),
        (json!({"rating": 4, "content": "x", "likes": 9}), "likes"),
    ] {
        let r = s.post(&path, Some(&u.token), &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR", &path);
        assert_eq!(field(&r), bad, "{body}: {}", r.body);
    }
    let r = s
        .raw(
            reqwest::Method::POST,
            &path,
            Some(&u.token),
            "application/json",
            b"{\"rating\": 4,".to_vec(),
        )
        .await;
    assert_error(&r, 400, "BAD_REQUEST", &path);
    let d = detail(&s, c).await;
    assert_eq!(d["review_count"], 0, "nothing was stored");
    // Exactly 2,000 characters is fine.
    let ok = s
        .post(
            &path,
            Some(&u.token),
            &json!({"rating": 0.5, "content": "가".repeat(2000)}),
        )
        .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    for (query, bad) in [
        ("sort=oldest", "sort"),
        ("page=0", "page"),
        ("size=1000", "size"),
        ("size=-5", "size"),
    ] {
        let r = s.get(&format!("{path}?{query}"), None).await;
        assert_error(&r, 422, "VALIDATION_ERROR", &path);
        assert_eq!(field(&r), bad, "{query}");
    }
}

#[tokio::test]
async fn reviews_sort_by_latest_likes_or_rating() {
    let s = server().await;
    let c = content_id(&s, "The Host").await;
    let mut users = Vec::new();
    for n in 0..4 {
        users.push(signup(&s, &format!("u{n}")).await);
    }
    let ratings = [3.0, 5.0, 1.5, 4.0];
    let mut ids = Vec::new();
    for (u, r) in users.iter().zip(ratings) {
        ids.push(review(&s, u, c, r).await);
    }
    // Review 0 gets two likes, review 2 one.
    for (review, liker) in [(ids[0], 1), (ids[0], 2), (ids[2], 3)] {
        let r = s
            .post(
                &format!("/reviews/{review}/like"),
                Some(&users[liker].token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let order = |r: &TestResponse| -> Vec<i64> {
        r.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["id"].as_i64().unwrap())
            .collect()
    };
    let path = format!("/contents/{c}/reviews");
    let latest = s.get(&path, None).await;
    assert_eq!(order(&latest), [ids[3], ids[2], ids[1], ids[0]]);
    assert_eq!(latest.body["total"], 4);
    assert_eq!(latest.body["size"], 20);
    let likes = s
        .get(&format!("{path}?sort=likes"), Some(&users[1].token))
        .await;
    assert_eq!(order(&likes), [ids[0], ids[2], ids[3], ids[1]]);
    assert_eq!(likes.body["items"][0]["like_count"], 2);
    assert_eq!(likes.body["items"][0]["liked_by_me"], true);
    assert_eq!(likes.body["items"][1]["liked_by_me"], false);
    let rating = s.get(&format!("{path}?sort=rating"), None).await;
    assert_eq!(order(&rating), [ids[1], ids[3], ids[0], ids[2]]);
    let page2 = s
        .get(&format!("{path}?sort=rating&size=3&page=2"), None)
        .await;
    assert_eq!(order(&page2), [ids[2]]);
    let r = s.get("/contents/999999/reviews", None).await;
    assert_error(&r, 404, "NOT_FOUND", "/contents/999999/reviews");
}

#[tokio::test]
async fn only_the_author_edits_or_deletes_and_the_aggregates_follow() {
    let s = server().await;
    let author = signup(&s, "민지").await;
    let other = signup(&s, "준호").await;
    let c = content_id(&s, "Sunny").await;
    let id = review(&s, &author, c, 2.0).await;
    review(&s, &other, c, 4.0).await;
    assert_eq!(detail(&s, c).await["average_rating"], 3.0);
    let path = format!("/reviews/{id}");
    let r = s
        .patch(&path, Some(&other.token), &json!({"rating": 5}))
        .await;
    assert_error(&r, 403, "FORBIDDEN", &path);
    let r = s.delete(&path, Some(&other.token), None).await;
    assert_error(&r, 403, "FORBIDDEN", &path);
    let r = s
        .patch(
            &path,
            Some(&author.token),
            &json!({"rating": 5, "spoiler": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["rating"], 5.0);
    assert_eq!(r.body["spoiler"], true);
    assert_eq!(r.body["content"], "볼 만하다", "an absent field stays");
    assert_ne!(r.body["updated_at"], r.body["created_at"]);
    assert_eq!(detail(&s, c).await["average_rating"], 4.5);
    for (body, bad) in [
        (json!({}), "body"),
        (json!({"rating": 3.3}), "rating"),
        (json!({"content": "x".repeat(2001)}), "content"),
    ] {
        let r = s.patch(&path, Some(&author.token), &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR", &path);
        assert_eq!(field(&r), bad);
    }
    let r = s.delete(&path, Some(&author.token), None).await;
    assert_eq!(r.status, 204);
    let d = detail(&s, c).await;
    assert_eq!(d["average_rating"], 4.0);
    assert_eq!(d["review_count"], 1);
    let r = s.delete(&path, Some(&author.token), None).await;
    assert_error(&r, 404, "NOT_FOUND", &path);
    let r = s
        .patch(&path, Some(&author.token), &json!({"rating": 1}))
        .await;
    assert_error(&r, 404, "NOT_FOUND", &path);
    // The author may review it again now.
    review(&s, &author, c, 1.0).await;
    assert_eq!(detail(&s, c).await["average_rating"], 2.5);
}

#[tokio::test]
async fn sixty_four_reviewers_at_once_leave_exact_aggregates() {
    let s = server().await;
    let c = content_id(&s, "Poetry").await;
    let mut users = Vec::new();
    for n in 0..64 {
        users.push(signup(&s, &format!("r{n}")).await);
    }
    let tasks = users.iter().enumerate().map(|(n, u)| {
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
            (rating * 2.0) as i64
        }
    });
    let halves: i64 = futures_util::future::join_all(tasks)
        .await
        .into_iter()
        .sum();
    let d = detail(&s, c).await;
    assert_eq!(d["review_count"], 64);
    let expected = ((halves as f64 / 64.0 / 2.0) * 100.0).round() / 100.0;
    assert_eq!(d["average_rating"].as_f64().unwrap(), expected, "{halves}");
    let (sum, count): (i64, i64) = platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(rating_half), 0) AS BIGINT), COUNT(*) FROM reviews WHERE content_id = $1"
    )
    .bind(c)
    .fetch_one(p)
    .await)
    .unwrap();
    assert_eq!(
        (sum, count),
        (halves, 64),
        "the rows say what the aggregates say"
    );
}
