use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::UserId;

pub async fn insert(
    db: &Db,
    code: &str,
    inviter: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query(
        "INSERT INTO invites (code, inviter_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(code)
    .bind(inviter)
    .bind(now)
    .bind(expires_at)
    .execute(p)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// An invite's inviter, expiry and whether it was used.
pub async fn get(
    tx: &mut Tx,
    code: &str,
) -> Result<Option<(UserId, DateTime<Utc>, bool)>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_as(
        "SELECT inviter_id, expires_at, used_at IS NOT NULL FROM invites WHERE code = $1"
    )
    .bind(code)
    .fetch_optional(&mut *c)
    .await)
}

/// Uses an invite once: `false` if it was used (or expired) meanwhile.
pub async fn take(
    tx: &mut Tx,
    code: &str,
    user: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE invites SET used_at = $3, used_by = $2
         WHERE code = $1 AND used_at IS NULL AND expires_at > $3"
    )
    .bind(code)
    .bind(user)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(done == 1)
}
