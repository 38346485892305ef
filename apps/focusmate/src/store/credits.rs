//! Focus credits: one row per participant per completed focus phase; the
//! leaderboard sums them.

use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{Completed, RoomId, UserId};

/// Credits `phase` to every participant of `room` who was in it when the phase
/// began (and, since this runs when it ends, is still in it). A phase credited
/// before is not credited again.
pub async fn credit_phase(
    tx: &mut Tx,
    room: RoomId,
    phase: &Completed,
) -> Result<u64, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO focus_credits (user_id, room_id, phase_seq, minutes, credited_ms)
         SELECT user_id, room_id, $2, $3, $4 FROM room_participants
         WHERE room_id = $1 AND joined_ms <= $5
         ON CONFLICT (room_id, phase_seq, user_id) DO NOTHING"
    )
    .bind(room)
    .bind(phase.seq)
    .bind(phase.minutes)
    .bind(phase.ended_ms)
    .bind(phase.started_ms)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Total {
    pub user_id: UserId,
    pub username: String,
    pub minutes: i64,
}

/// The `limit` users with the most minutes credited since `since_ms` (all time
/// when `None`); ties by name.
pub async fn top(db: &Db, since_ms: Option<i64>, limit: i64) -> Result<Vec<Total>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT c.user_id, u.username, CAST(SUM(c.minutes) AS BIGINT) AS minutes
         FROM focus_credits c JOIN users u ON u.id = c.user_id
         WHERE c.credited_ms >= $1 AND u.disabled_at IS NULL
         GROUP BY c.user_id, u.username
         ORDER BY minutes DESC, u.username, c.user_id
         LIMIT $2"
    )
    .bind(since_ms.unwrap_or(i64::MIN))
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// Focus time from a room since closed (demo history).
pub async fn insert_history(
    tx: &mut Tx,
    user: UserId,
    minutes: i32,
    credited_ms: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query(
        "INSERT INTO focus_credits (user_id, room_id, phase_seq, minutes, credited_ms)
         VALUES ($1, NULL, 0, $2, $3)"
    )
    .bind(user)
    .bind(minutes)
    .bind(credited_ms)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(())
}
