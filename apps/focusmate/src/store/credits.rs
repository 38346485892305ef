//! Focus credits: one row per participant per completed focus phase, and the
//! leaderboard's sums (per user per local day, per user in all) moved by the same
//! transaction, so that a leaderboard never scans the credits themselves.

use platform::db::{Db, Tx, placeholders};
use platform::{on_pool, on_tx};

use crate::model::{Completed, RoomId, UserId};

/// Credits `phase` to every participant of `room` who was in it when the phase
/// began (and, since this runs when it ends, is still in it), on local day `day`.
/// A phase credited before is not credited again, nor counted in the sums.
pub async fn credit_phase(
    tx: &mut Tx,
    room: RoomId,
    phase: &Completed,
    day: i32,
) -> Result<usize, sqlx::Error> {
    let mut users: Vec<UserId> = on_tx!(tx, |c| sqlx::query_scalar(
        "INSERT INTO focus_credits (user_id, room_id, phase_seq, minutes, credited_ms)
         SELECT user_id, room_id, $2, $3, $4 FROM room_participants
         WHERE room_id = $1 AND joined_ms <= $5
         ON CONFLICT (room_id, phase_seq, user_id) DO NOTHING
         RETURNING user_id"
    )
    .bind(room)
    .bind(phase.seq)
    .bind(phase.minutes)
    .bind(phase.ended_ms)
    .bind(phase.started_ms)
    .fetch_all(c)
    .await)?;
    add_to_sums(tx, &mut users, phase.minutes, day).await?;
    Ok(users.len())
}

/// Focus time from elsewhere (an import, the demo's history): a credit outside
/// any room, and the sums.
pub async fn import(
    tx: &mut Tx,
    user: UserId,
    minutes: i32,
    credited_ms: i64,
    day: i32,
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
    add_to_sums(tx, &mut [user], minutes, day).await
}

/// Adds `minutes` to each user's sums with `x = x + d` upserts. Users are taken in
/// id order, so that two transactions crediting the same people lock their rows in
/// the same order and never wait for each other.
async fn add_to_sums(
    tx: &mut Tx,
    users: &mut [UserId],
    minutes: i32,
    day: i32,
) -> Result<(), sqlx::Error> {
    if users.is_empty() {
        return Ok(());
    }
    users.sort_unstable();
    let rows = |width: usize| {
        (0..users.len())
            .map(|i| format!("({})", placeholders(1 + i * width, width)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let days = format!(
        "INSERT INTO focus_days (user_id, day, minutes) VALUES {}
         ON CONFLICT (user_id, day) DO UPDATE SET minutes = focus_days.minutes + excluded.minutes",
        rows(3)
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query(&days);
        for u in users.iter() {
            q = q.bind(*u).bind(day).bind(i64::from(minutes));
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    let totals = format!(
        "INSERT INTO focus_totals (user_id, minutes) VALUES {}
         ON CONFLICT (user_id) DO UPDATE SET minutes = focus_totals.minutes + excluded.minutes",
        rows(2)
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query(&totals);
        for u in users.iter() {
            q = q.bind(*u).bind(i64::from(minutes));
        }
        q.execute(c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Total {
    pub user_id: UserId,
    pub username: String,
    pub minutes: i64,
}

/// The `limit` users with the most minutes in all; ties by name.
pub async fn top_of_all(db: &Db, limit: i64) -> Result<Vec<Total>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT t.user_id, u.username, t.minutes
         FROM focus_totals t JOIN users u ON u.id = t.user_id
         WHERE u.disabled_at IS NULL AND t.minutes > 0
         ORDER BY t.minutes DESC, u.username, t.user_id
         LIMIT $1"
    )
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// The `limit` users with the most minutes on local days `first..=last`.
pub async fn top_of_days(
    db: &Db,
    first: i32,
    last: i32,
    limit: i64,
) -> Result<Vec<Total>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT s.user_id, u.username, s.minutes
         FROM (SELECT user_id, CAST(SUM(minutes) AS BIGINT) AS minutes FROM focus_days
               WHERE day >= $1 AND day <= $2 GROUP BY user_id) s
         JOIN users u ON u.id = s.user_id
         WHERE u.disabled_at IS NULL AND s.minutes > 0
         ORDER BY s.minutes DESC, u.username, s.user_id
         LIMIT $3"
    )
    .bind(first)
    .bind(last)
    .bind(limit)
    .fetch_all(p)
    .await)
}
