use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::OrderId;

/// Records the order's intent; the first one stays (the provider returns the
/// same intent for the same idempotency key anyway).
pub async fn record(
    db: &Db,
    order: OrderId,
    intent_id: &str,
    client_secret: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    let sql = "INSERT INTO payments (order_id, intent_id, client_secret, status, created_at,
             updated_at)
         VALUES ($1, $2, $3, $4, $5, $5) ON CONFLICT (order_id) DO NOTHING";
    on_pool!(db.writer(), |p| sqlx::query(sql)
        .bind(order)
        .bind(intent_id)
        .bind(client_secret)
        .bind(status)
        .bind(now)
        .execute(p)
        .await
        .map(drop))
}

/// `true` the first time `event_id` is seen; the row stays locked until the
/// transaction ends, so a concurrent delivery of the same event waits and then
/// finds it.
pub async fn first_sight(
    tx: &mut Tx,
    event_id: &str,
    kind: &str,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "INSERT INTO payment_events (event_id, kind, received_at) VALUES ($1, $2, $3)
         ON CONFLICT (event_id) DO NOTHING";
    on_tx!(tx, |c| sqlx::query(sql)
        .bind(event_id)
        .bind(kind)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected() == 1))
}

pub async fn set_status(
    tx: &mut Tx,
    intent_id: &str,
    status: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "UPDATE payments SET status = $2, updated_at = $3 WHERE intent_id = $1"
    )
    .bind(intent_id)
    .bind(status)
    .bind(now)
    .execute(c)
    .await
    .map(drop))
}
