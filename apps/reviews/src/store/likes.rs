//! Likes and the count they move: a like that inserts a row adds one to its
//! review's `like_count` in the same transaction, an unlike that deletes one takes
//! one off, and a repeated like or unlike changes nothing.

use chrono::{DateTime, Utc};
use platform::db::Tx;
use platform::on_tx;

use crate::model::{ReviewId, UserId};

/// The review's new like count if the like is new, `None` if it was there.
pub async fn like(
    tx: &mut Tx,
    review: ReviewId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |c| {
        let added = sqlx::query(
            "INSERT INTO review_likes (review_id, user_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (review_id, user_id) DO NOTHING",
        )
        .bind(review)
        .bind(user)
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected()
            == 1;
        if !added {
            return Ok(None);
        }
        sqlx::query_scalar(
            "UPDATE reviews SET like_count = like_count + 1 WHERE id = $1 RETURNING like_count",
        )
        .bind(review)
        .fetch_one(&mut *c)
        .await
        .map(Some)
    })
}

/// The review's new like count if there was a like to remove, `None` if not.
pub async fn unlike(
    tx: &mut Tx,
    review: ReviewId,
    user: UserId,
) -> Result<Option<i64>, sqlx::Error> {
    on_tx!(tx, |c| {
        let removed = sqlx::query("DELETE FROM review_likes WHERE review_id = $1 AND user_id = $2")
            .bind(review)
            .bind(user)
            .execute(&mut *c)
            .await?
            .rows_affected()
            == 1;
        if !removed {
            return Ok(None);
        }
        sqlx::query_scalar(
            "UPDATE reviews SET like_count = like_count - 1 WHERE id = $1 RETURNING like_count",
        )
        .bind(review)
        .fetch_one(&mut *c)
        .await
        .map(Some)
    })
}

/// The review's author and like count, with the review locked until the end of
/// `tx`, so that a like never lands on a review being deleted.
pub async fn lock_review(
    tx: &mut Tx,
    review: ReviewId,
) -> Result<Option<(UserId, i64)>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_as(
        "UPDATE reviews SET like_count = like_count WHERE id = $1 RETURNING user_id, like_count"
    )
    .bind(review)
    .fetch_optional(c)
    .await)
}

/// The liker's nickname and the review's content title, for the push.
pub async fn push_context(
    tx: &mut Tx,
    review: ReviewId,
    liker: UserId,
) -> Result<(String, String), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT u.nickname, c.title FROM reviews r
         JOIN contents c ON c.id = r.content_id, users u
         WHERE r.id = $1 AND u.id = $2"
    )
    .bind(review)
    .bind(liker)
    .fetch_one(c)
    .await)
}
