use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{UserId, UserRow};

const COLUMNS: &str =
    "id, email, password_hash, username, bio, created_at, updated_at, disabled_at";

/// A unique violation if the e-mail address is taken.
pub async fn insert(
    tx: &mut Tx,
    email: &str,
    password_hash: &str,
    username: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (id, email, password_hash, username, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(UserId(uuid::Uuid::now_v7()))
        .bind(email)
        .bind(password_hash)
        .bind(username)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(email)
        .fetch_optional(p)
        .await)
}

/// An active user.
pub async fn by_id(db: &Db, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// An active user, inside a transaction.
pub async fn by_id_in(tx: &mut Tx, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND disabled_at IS NULL");
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

pub async fn exists(tx: &mut Tx, id: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT 1 FROM users WHERE id = $1 AND disabled_at IS NULL"
    )
    .bind(id)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}

pub async fn all(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY email");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql).fetch_all(p).await)
}

/// The profile's fields; `None` leaves one as it is (`Some(None)` clears the bio).
pub struct ProfileChange<'a> {
    pub username: Option<&'a str>,
    pub bio: Option<Option<&'a str>>,
}

/// The changed user, `None` if they are gone.
pub async fn update_profile(
    db: &Db,
    id: UserId,
    change: &ProfileChange<'_>,
    now: DateTime<Utc>,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE users SET
             username = CASE WHEN $2 THEN $3 ELSE username END,
             bio = CASE WHEN $4 THEN $5 ELSE bio END,
             updated_at = $6
         WHERE id = $1 AND disabled_at IS NULL RETURNING {COLUMNS}"
    );
    on_pool!(db.writer(), |p| sqlx::query_as(&sql)
        .bind(id)
        .bind(change.username.is_some())
        .bind(change.username)
        .bind(change.bio.is_some())
        .bind(change.bio.flatten())
        .bind(now)
        .fetch_optional(p)
        .await)
}

/// Removes the user and, by the foreign keys, their invitations, notifications
/// and focus credits.
pub async fn delete(tx: &mut Tx, id: UserId) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done > 0)
}

/// The user's id, if the e-mail address is known; disabling twice keeps the first
/// time.
pub async fn disable(
    db: &Db,
    email: &str,
    now: DateTime<Utc>,
) -> Result<Option<UserId>, sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query_scalar(
        "UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE email = $1 RETURNING id"
    )
    .bind(email)
    .bind(now)
    .fetch_optional(p)
    .await)
}
