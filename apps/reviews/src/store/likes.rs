//! Likes and the count they move: a like that inserts a row adds one to its
//! review's `like_count` in the same transaction, an unlike that deletes one takes
//! one off, and a repeated like or unlike changes nothing.

use chrono::{DateTime, Utc};
use platform::db::Tx;
use platform::on_tx;

use crate::model::{ReviewId, UserId};

/// `true` if the like is new.
pub async fn like(
    tx: &mut Tx,
    review: ReviewId,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
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
        if added {
            sqlx::query("UPDATE reviews SET like_count = like_count + 1 WHERE id = $1")
                .bind(review)
                .execute(&mut *c)
                .await?;
        }
        Ok(added)
    })
}

/// `true` if there was a like to remove.
pub async fn unlike(tx: &mut Tx, review: ReviewId, user: UserId) -> Result<bool, sqlx::Error> {
    on_tx!(tx, |c| {
        let removed = sqlx::query("DELETE FROM review_likes WHERE review_id = $1 AND user_id = $2")
            .bind(review)
            .bind(user)
            .execute(&mut *c)
            .await?
            .rows_affected()
            == 1;
        if removed {
            sqlx::query("UPDATE reviews SET like_count = like_count - 1 WHERE id = $1")
                .bind(review)
                .execute(&mut *c)
                .await?;
        }
        Ok(removed)
    })
}

/// The review's author, with the review locked until the end of `tx`, so that a
/// like never lands on a review being deleted.
pub async fn lock_review(tx: &mut Tx, review: ReviewId) -> Result<Option<UserId>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE reviews SET like_count = like_count WHERE id = $1 RETURNING user_id"
    )
    .bind(review)
    .fetch_optional(c)
    .await)
}

/// The review's like count, inside `tx`.
pub async fn count_in(tx: &mut Tx, review: ReviewId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT like_count FROM reviews WHERE id = $1"
    )
    .bind(review)
    .fetch_one(c)
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
