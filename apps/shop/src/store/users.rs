use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{Role, UserId, UserRow};

const COLUMNS: &str = "id, email, password_hash, name, role, created_at, disabled_at";

/// A unique violation if the e-mail address is taken.
pub async fn insert(
    tx: &mut Tx,
    email: &str,
    password_hash: &str,
    name: &str,
    role: Role,
    now: DateTime<Utc>,
) -> Result<UserRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (email, password_hash, name, role, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(email)
        .bind(password_hash)
        .bind(name)
        .bind(role.as_str())
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

pub async fn by_id(db: &Db, id: UserId) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn all(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY email");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql).fetch_all(p).await)
}

/// The user's id, if the e-mail address is known.
pub async fn set_role(db: &Db, email: &str, role: Role) -> Result<Option<UserId>, sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query_scalar(
        "UPDATE users SET role = $2 WHERE email = $1 RETURNING id"
    )
    .bind(email)
    .bind(role.as_str())
    .fetch_optional(p)
    .await)
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

/// A user's e-mail address, inside a transaction.
pub async fn email_in(tx: &mut Tx, id: UserId) -> Result<String, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT email FROM users WHERE id = $1"
    )
    .bind(id)
    .fetch_one(c)
    .await)
}
