use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{NotificationId, NotificationKind, NotificationRow, RoomId, UserId};

const COLUMNS: &str = "id, user_id, kind, title, message, room_id, is_read, created_at";

pub struct NewNotification<'a> {
    pub user: UserId,
    pub kind: NotificationKind,
    pub title: &'a str,
    pub message: &'a str,
    pub room: Option<RoomId>,
}

pub async fn insert(
    tx: &mut Tx,
    n: &NewNotification<'_>,
    now: DateTime<Utc>,
) -> Result<NotificationRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO notifications (id, user_id, kind, title, message, room_id, is_read, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(NotificationId(uuid::Uuid::now_v7()))
        .bind(n.user)
        .bind(n.kind.as_str())
        .bind(n.title)
        .bind(n.message)
        .bind(n.room)
        .bind(now)
        .fetch_one(c)
        .await)
}

/// The user's notifications, newest first.
pub async fn of_user(
    db: &Db,
    user: UserId,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notifications WHERE user_id = $1 AND (NOT $2 OR NOT is_read)
         ORDER BY created_at DESC, id DESC LIMIT $3 OFFSET $4"
    );
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(user)
        .bind(unread_only)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)
}

/// Marks one of the user's notifications read; `None` if it is not theirs.
pub async fn mark_read(
    db: &Db,
    user: UserId,
    id: NotificationId,
) -> Result<Option<NotificationRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE notifications SET is_read = TRUE WHERE id = $1 AND user_id = $2
         RETURNING {COLUMNS}"
    );
    on_pool!(db.writer(), |p| sqlx::query_as(&sql)
        .bind(id)
        .bind(user)
        .fetch_optional(p)
        .await)
}

/// Marks all of the user's notifications read; how many were unread.
pub async fn mark_all_read(db: &Db, user: UserId) -> Result<u64, sqlx::Error> {
    let done = on_pool!(db.writer(), |p| sqlx::query(
        "UPDATE notifications SET is_read = TRUE WHERE user_id = $1 AND NOT is_read"
    )
    .bind(user)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}
