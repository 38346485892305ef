use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{NotificationId, NotificationKind, NotificationRow, RoomId, UserId};

const COLUMNS: &str = "id, user_id, kind, title, message, room_id, is_read, created_at";

/// A notification's content, for one or several users.
pub struct NewNotification<'a> {
    pub kind: NotificationKind,
    pub title: &'a str,
    pub message: &'a str,
    pub room: Option<RoomId>,
}

pub async fn insert(
    tx: &mut Tx,
    user: UserId,
    n: &NewNotification<'_>,
    now: DateTime<Utc>,
) -> Result<NotificationRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO notifications (id, user_id, kind, title, message, room_id, is_read, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(NotificationId(uuid::Uuid::now_v7()))
        .bind(user)
        .bind(n.kind.as_str())
        .bind(n.title)
        .bind(n.message)
        .bind(n.room)
        .bind(now)
        .fetch_one(c)
        .await)
}

/// The same notification to each of `users`, in one statement.
pub async fn insert_for_each(
    tx: &mut Tx,
    users: &[UserId],
    n: &NewNotification<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<NotificationRow>, sqlx::Error> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let values = (0..users.len())
        .map(|i| {
            format!(
                "(${}, ${}, $1, $2, $3, $4, FALSE, $5)",
                6 + 2 * i,
                7 + 2 * i
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "INSERT INTO notifications (id, user_id, kind, title, message, room_id, is_read, created_at)
         VALUES {values} RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql)
            .bind(n.kind.as_str())
            .bind(n.title)
            .bind(n.message)
            .bind(n.room)
            .bind(now);
        for user in users {
            q = q.bind(NotificationId(uuid::Uuid::now_v7())).bind(*user);
        }
        q.fetch_all(c).await
    })
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
