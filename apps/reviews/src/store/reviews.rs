//! Reviews and the content aggregates they move. Every statement that adds,
//! changes or removes a review moves `contents.rating_sum` and `review_count` by
//! its own difference in the same transaction (`x = x + d`, never a value read
//! earlier), so the aggregates are what the rows say under any interleaving.

use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{ContentId, ReviewId, ReviewRow, ReviewSort, UserId};

/// The review columns with the author's, and `liked_by_me`: looked up for a
/// signed-in viewer (the parameter `$n`), false for an anonymous one. Two
/// statement texts rather than one `CASE` on the viewer: PostgreSQL folds such a
/// `CASE` only in a plan made for the call's values, so it would plan every
/// call afresh (about 0.2 ms, as much as running a page) instead of reusing
/// one plan.
fn columns(viewer_param: Option<usize>) -> String {
    let liked = match viewer_param {
        Some(n) => format!(
            "EXISTS (SELECT 1 FROM review_likes l WHERE l.review_id = r.id AND l.user_id = ${n})"
        ),
        None => "FALSE".to_owned(),
    };
    format!(
        "r.id, r.content_id, r.user_id, u.nickname, u.profile_image, \
         r.rating_half, r.body, r.spoiler, r.like_count, {liked} AS liked_by_me, \
         r.created_at, r.updated_at"
    )
}

fn order(sort: ReviewSort) -> &'static str {
    match sort {
        ReviewSort::Latest => "r.created_at DESC, r.id DESC",
        ReviewSort::Likes => "r.like_count DESC, r.id DESC",
        ReviewSort::Rating => "r.rating_half DESC, r.id DESC",
    }
}

pub struct NewReview<'a> {
    pub content: ContentId,
    pub user: UserId,
    pub rating_half: i64,
    pub body: &'a str,
    pub spoiler: bool,
}

/// The new review's id; a unique violation if the user reviewed it already.
pub async fn insert(
    tx: &mut Tx,
    r: &NewReview<'_>,
    now: DateTime<Utc>,
) -> Result<ReviewId, sqlx::Error> {
    on_tx!(tx, |c| {
        let id: ReviewId = sqlx::query_scalar(
            "INSERT INTO reviews (content_id, user_id, rating_half, body, spoiler, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        )
        .bind(r.content)
        .bind(r.user)
        .bind(r.rating_half)
        .bind(r.body)
        .bind(r.spoiler)
        .bind(now)
        .fetch_one(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE contents SET rating_sum = rating_sum + $2, review_count = review_count + 1
             WHERE id = $1",
        )
        .bind(r.content)
        .bind(r.rating_half)
        .execute(&mut *c)
        .await?;
        Ok(id)
    })
}

/// Who wrote a review, its content and its rating, with the row locked until the
/// end of `tx` (an UPDATE that changes nothing: both engines then hold the row, and
/// PostgreSQL returns its latest committed values).
pub async fn lock(
    tx: &mut Tx,
    id: ReviewId,
) -> Result<Option<(UserId, ContentId, i64)>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_as(
        "UPDATE reviews SET updated_at = updated_at WHERE id = $1
         RETURNING user_id, content_id, CAST(rating_half AS BIGINT)"
    )
    .bind(id)
    .fetch_optional(c)
    .await)
}

pub struct Change<'a> {
    pub rating_half: Option<i64>,
    pub body: Option<&'a str>,
    pub spoiler: Option<bool>,
}

/// Applies `change` to a review locked by [`lock`], whose rating was `old_half`.
pub async fn update(
    tx: &mut Tx,
    id: ReviewId,
    content: ContentId,
    old_half: i64,
    change: &Change<'_>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE reviews SET rating_half = COALESCE($2, rating_half),
                 body = COALESCE($3, body), spoiler = COALESCE($4, spoiler), updated_at = $5
             WHERE id = $1",
        )
        .bind(id)
        .bind(change.rating_half)
        .bind(change.body)
        .bind(change.spoiler)
        .bind(now)
        .execute(&mut *c)
        .await?;
        if let Some(new) = change.rating_half.filter(|n| *n != old_half) {
            sqlx::query("UPDATE contents SET rating_sum = rating_sum + $2 WHERE id = $1")
                .bind(content)
                .bind(new - old_half)
                .execute(&mut *c)
                .await?;
        }
        Ok(())
    })
}

/// Deletes a review locked by [`lock`] (its likes go with it).
pub async fn delete(
    tx: &mut Tx,
    id: ReviewId,
    content: ContentId,
    old_half: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query("DELETE FROM reviews WHERE id = $1")
            .bind(id)
            .execute(&mut *c)
            .await?;
        sqlx::query(
            "UPDATE contents SET rating_sum = rating_sum - $2, review_count = review_count - 1
             WHERE id = $1",
        )
        .bind(content)
        .bind(old_half)
        .execute(&mut *c)
        .await?;
        Ok(())
    })
}

/// A review as `viewer` sees it.
pub async fn by_id(
    db: &Db,
    id: ReviewId,
    viewer: Option<UserId>,
) -> Result<Option<ReviewRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM reviews r JOIN users u ON u.id = r.user_id WHERE r.id = $1",
        columns(viewer.map(|_| 2))
    );
    on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql).bind(id);
        if let Some(v) = viewer {
            q = q.bind(v);
        }
        q.fetch_optional(p).await
    })
}

/// One page of a content's reviews in `sort` order.
pub async fn of_content(
    db: &Db,
    content: ContentId,
    sort: ReviewSort,
    viewer: Option<UserId>,
    limit: i64,
    offset: i64,
) -> Result<Vec<ReviewRow>, sqlx::Error> {
    // The page's ids first, from the sort's index alone; only those 20 rows are
    // then read with their authors. Joining before the offset would read every
    // skipped row from the table (page 50: a thousand scattered rows).
    let order = order(sort);
    let sql = format!(
        "SELECT {} FROM
             (SELECT r.id FROM reviews r WHERE r.content_id = $1
              ORDER BY {order} {}) page
         JOIN reviews r ON r.id = page.id JOIN users u ON u.id = r.user_id
         ORDER BY {order}",
        columns(viewer.map(|_| 2)),
        page_clause(limit, offset),
    );
    on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql).bind(content);
        if let Some(v) = viewer {
            q = q.bind(v);
        }
        q.fetch_all(p).await
    })
}

/// `LIMIT … OFFSET …` written into the statement rather than bound: with them
/// as parameters PostgreSQL's plan for any page assumes a tenth of the rows, so
/// it plans each call for its values instead (about 0.2 ms a call). A page is
/// then a statement of its own, prepared once per connection; the numbers are
/// validated integers.
fn page_clause(limit: i64, offset: i64) -> String {
    format!("LIMIT {} OFFSET {}", limit.max(0), offset.max(0))
}

/// One page of a user's reviews, newest first, and their count.
pub async fn of_user(
    db: &Db,
    user: UserId,
    viewer: Option<UserId>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ReviewRow>, i64), sqlx::Error> {
    // As in [`of_content`]: the page's ids from the index, then their rows.
    let sql = format!(
        "SELECT {} FROM
             (SELECT r.id FROM reviews r WHERE r.user_id = $1
              ORDER BY r.created_at DESC, r.id DESC {}) page
         JOIN reviews r ON r.id = page.id JOIN users u ON u.id = r.user_id
         ORDER BY r.created_at DESC, r.id DESC",
        columns(viewer.map(|_| 2)),
        page_clause(limit, offset),
    );
    let rows = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql).bind(user);
        if let Some(v) = viewer {
            q = q.bind(v);
        }
        q.fetch_all(p).await
    })?;
    let total: i64 = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews WHERE user_id = $1"
    )
    .bind(user)
    .fetch_one(p)
    .await)?;
    Ok((rows, total))
}
