use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{DeviceId, UserId};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct Device {
    pub id: DeviceId,
    pub fcm_token: String,
    pub created_at: DateTime<Utc>,
}

/// Registers `token` for `user`: a token already registered moves to them (a
/// phone that changed hands), and registering it again changes nothing. `true`
/// when the token is new or moved.
pub async fn register(
    db: &Db,
    user: UserId,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(Device, bool), sqlx::Error> {
    let mut tx = db.begin().await?;
    let existing: Option<(DeviceId, UserId, DateTime<Utc>)> = on_tx!(&mut tx, |c| {
        sqlx::query_as("SELECT id, user_id, created_at FROM devices WHERE fcm_token = $1")
            .bind(token)
            .fetch_optional(&mut *c)
            .await?
    });
    let outcome = match existing {
        Some((id, owner, created_at)) if owner == user => (
            Device {
                id,
                fcm_token: token.to_owned(),
                created_at,
            },
            false,
        ),
        Some((id, _, _)) => {
            on_tx!(&mut tx, |c| {
                sqlx::query("UPDATE devices SET user_id = $2, created_at = $3 WHERE id = $1")
                    .bind(id)
                    .bind(user)
                    .bind(now)
                    .execute(&mut *c)
                    .await?;
            });
            (
                Device {
                    id,
                    fcm_token: token.to_owned(),
                    created_at: now,
                },
                true,
            )
        }
        None => {
            let device: Device = on_tx!(&mut tx, |c| {
                sqlx::query_as(
                    "INSERT INTO devices (user_id, fcm_token, created_at) VALUES ($1, $2, $3)
                     RETURNING id, fcm_token, created_at",
                )
                .bind(user)
                .bind(token)
                .bind(now)
                .fetch_one(&mut *c)
                .await?
            });
            (device, true)
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// The push tokens of `user`'s devices, inside a transaction.
pub async fn tokens_of(tx: &mut Tx, user: UserId) -> Result<Vec<String>, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT fcm_token FROM devices WHERE user_id = $1 ORDER BY id"
    )
    .bind(user)
    .fetch_all(c)
    .await)
}

/// Forgets a token the push service no longer knows.
pub async fn forget(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let n = on_pool!(db.writer(), |p| sqlx::query(
        "DELETE FROM devices WHERE fcm_token = $1"
    )
    .bind(token)
    .execute(p)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(n > 0)
}
