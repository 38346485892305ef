use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{CoupleId, UserId, UserRow};

const COLUMNS: &str =
    "id, email, password_hash, name, profile_image, couple_id, created_at, disabled_at";

pub async fn insert(
    db: &Db,
    id: UserId,
    email: &str,
    password_hash: &str,
    name: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (id, email, password_hash, name, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    on_pool!(db.writer(), |p| {
        sqlx::query_as(&sql)
            .bind(id)
            .bind(email)
            .bind(password_hash)
            .bind(name)
            .bind(now)
            .fetch_one(p)
            .await
    })
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

/// Sets the fields given; `profile_image: Some(None)` clears the picture.
pub async fn update_profile(
    db: &Db,
    id: UserId,
    name: Option<&str>,
    profile_image: Option<Option<&str>>,
) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!(
        "UPDATE users SET name = COALESCE($2, name),
             profile_image = CASE WHEN $3 THEN $4 ELSE profile_image END
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    on_pool!(db.writer(), |p| {
        sqlx::query_as(&sql)
            .bind(id)
            .bind(name)
            .bind(profile_image.is_some())
            .bind(profile_image.flatten())
            .fetch_optional(p)
            .await
    })
}

/// Puts a user into a couple if they are in none; `false` if they already were.
pub async fn enter_couple(tx: &mut Tx, id: UserId, couple: CoupleId) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET couple_id = $2 WHERE id = $1 AND couple_id IS NULL"
    )
    .bind(id)
    .bind(couple)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(done == 1)
}

/// Takes every member out of a couple.
pub async fn leave_couple(tx: &mut Tx, couple: CoupleId) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE users SET couple_id = NULL WHERE couple_id = $1"
    )
    .bind(couple)
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Every user, for `ondol user list`.
pub async fn all(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY email");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql).fetch_all(p).await)
}

/// The id of the user with this e-mail, now disabled if they were not.
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
