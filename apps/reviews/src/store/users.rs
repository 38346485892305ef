use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{UserId, UserRow};

const COLUMNS: &str =
    "id, email, password_hash, nickname, bio, profile_image, created_at, disabled_at";

/// A unique violation if the e-mail address is taken.
pub async fn insert(
    tx: &mut Tx,
    email: &str,
    password_hash: &str,
    nickname: &str,
    now: DateTime<Utc>,
) -> Result<UserRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO users (email, password_hash, nickname, created_at)
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(email)
        .bind(password_hash)
        .bind(nickname)
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

pub async fn all(db: &Db) -> Result<Vec<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY email");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql).fetch_all(p).await)
}

/// The profile's fields; `None` leaves one as it is.
pub struct ProfileChange<'a> {
    pub nickname: Option<&'a str>,
    pub bio: Option<Option<&'a str>>,
    pub profile_image: Option<Option<&'a str>>,
}

/// The changed user, `None` if they are gone.
pub async fn update_profile(
    db: &Db,
    id: UserId,
    change: &ProfileChange<'_>,
) -> Result<Option<UserRow>, sqlx::Error> {
    // Each column keeps its value unless its flag says it is given (a bio can be
    // set to null, which a COALESCE could not tell from "not given").
    let sql = format!(
        "UPDATE users SET
             nickname = CASE WHEN $2 THEN $3 ELSE nickname END,
             bio = CASE WHEN $4 THEN $5 ELSE bio END,
             profile_image = CASE WHEN $6 THEN $7 ELSE profile_image END
         WHERE id = $1 AND disabled_at IS NULL RETURNING {COLUMNS}"
    );
    on_pool!(db.writer(), |p| sqlx::query_as(&sql)
        .bind(id)
        .bind(change.nickname.is_some())
        .bind(change.nickname)
        .bind(change.bio.is_some())
        .bind(change.bio.flatten())
        .bind(change.profile_image.is_some())
        .bind(change.profile_image.flatten())
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
