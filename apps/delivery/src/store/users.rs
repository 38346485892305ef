use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::on_pool;

use crate::model::{Department, Role, UserRow};

/// An active (not disabled) user.
pub async fn get(db: &Db, user_id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
            "SELECT user_id, password, user_department, user_role FROM users
             WHERE user_id = $1 AND disabled_at IS NULL",
        )
        .bind(user_id)
        .fetch_optional(p)
        .await
    })
}

/// Adds a user; a unique violation if the id is taken.
pub async fn insert(
    db: &Db,
    user_id: &str,
    hash: &str,
    department: Department,
    role: Role,
) -> Result<(), sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query(
        "INSERT INTO users (user_id, password, user_department, user_role, created_at)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(user_id)
    .bind(hash)
    .bind(department.as_str())
    .bind(role.as_str())
    .bind(Utc::now())
    .execute(p)
    .await
    .map(drop))
}

/// Every user, for `ondol user list`: id, department, role, disabled, created.
pub async fn all(
    db: &Db,
) -> Result<Vec<(String, String, String, Option<DateTime<Utc>>, DateTime<Utc>)>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT user_id, user_department, user_role, disabled_at, created_at FROM users
         ORDER BY user_id"
    )
    .fetch_all(p)
    .await)
}

/// Whether the user exists.
pub async fn set_role(db: &Db, user_id: &str, role: Role) -> Result<bool, sqlx::Error> {
    let n = on_pool!(db.writer(), |p| sqlx::query(
        "UPDATE users SET user_role = $2 WHERE user_id = $1"
    )
    .bind(user_id)
    .bind(role.as_str())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

/// Whether the user exists (disabling twice keeps the first time).
pub async fn disable(db: &Db, user_id: &str) -> Result<bool, sqlx::Error> {
    let n = on_pool!(db.writer(), |p| sqlx::query(
        "UPDATE users SET disabled_at = COALESCE(disabled_at, $2) WHERE user_id = $1"
    )
    .bind(user_id)
    .bind(Utc::now())
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n == 1)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_pool!(db.reader(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(p)
            .await
    })?;
    Ok(n)
}
