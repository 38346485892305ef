use chrono::Utc;
use platform::db::Db;
use platform::{on_pool, on_tx};

use crate::model::{Department, Role, UserRow};

pub async fn get(db: &Db, user_id: &str) -> Result<Option<UserRow>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
            "SELECT user_id, password, user_department, user_role FROM users WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(p)
        .await
    })
}

/// Inserts or replaces a user (the CLI sets passwords this way too).
pub async fn upsert(
    db: &Db,
    user_id: &str,
    hash: &str,
    department: Department,
    role: Role,
) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO users (user_id, password, user_department, user_role, created_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (user_id) DO UPDATE SET password = excluded.password,
                 user_department = excluded.user_department, user_role = excluded.user_role",
        )
        .bind(user_id)
        .bind(hash)
        .bind(department.as_str())
        .bind(role.as_str())
        .bind(Utc::now())
        .execute(&mut *c)
        .await?;
    });
    tx.commit().await
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_pool!(db.reader(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM users")
            .fetch_one(p)
            .await
    })?;
    Ok(n)
}
