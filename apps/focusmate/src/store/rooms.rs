//! Rooms, their participants and invitations. A room's row is changed only inside
//! a transaction that read it with [`lock`]: on PostgreSQL the row is locked until
//! commit, and SQLite's single writer runs one such transaction at a time, so a
//! timer step or a host's command is always computed from the current row.

use chrono::{DateTime, Utc};
use platform::db::{Db, Tx, TxConn};
use platform::{on_pool, on_tx};

use crate::model::{Participant, RoomId, RoomRow, Timer, UserId};

const COLUMNS: &str = "id, name, description, host_id, focus_minutes, break_minutes, \
    max_participants, is_public, created_at, phase, ends_ms, remaining_ms, \
    phase_started_ms, phase_minutes, phase_seq, version";

/// A new room's fields.
pub struct NewRoom<'a> {
    pub name: &'a str,
    pub description: Option<&'a str>,
    pub host: UserId,
    pub focus_minutes: i32,
    pub break_minutes: i32,
    pub max_participants: i32,
    pub is_public: bool,
}

pub async fn insert(
    tx: &mut Tx,
    room: &NewRoom<'_>,
    now: DateTime<Utc>,
) -> Result<RoomRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO rooms (id, name, description, host_id, focus_minutes, break_minutes,
             max_participants, is_public, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(RoomId(uuid::Uuid::now_v7()))
        .bind(room.name)
        .bind(room.description)
        .bind(room.host)
        .bind(room.focus_minutes)
        .bind(room.break_minutes)
        .bind(room.max_participants)
        .bind(room.is_public)
        .bind(now)
        .fetch_one(c)
        .await)
}

pub async fn get(db: &Db, id: RoomId) -> Result<Option<RoomRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM rooms WHERE id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// The room, its row locked until the transaction ends (see the module).
pub async fn lock(tx: &mut Tx, id: RoomId) -> Result<Option<RoomRow>, sqlx::Error> {
    let for_update = match tx.engine() {
        TxConn::Postgres(_) => " FOR UPDATE",
        TxConn::Sqlite(_) => "",
    };
    let sql = format!("SELECT {COLUMNS} FROM rooms WHERE id = $1{for_update}");
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(c)
        .await)
}

/// Public rooms, newest first.
pub async fn public(db: &Db, limit: i64, offset: i64) -> Result<Vec<RoomRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM rooms WHERE is_public
         ORDER BY created_at DESC, id DESC LIMIT $1 OFFSET $2"
    );
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)
}

/// The rooms `user` is in, newest first.
pub async fn of_user(db: &Db, user: UserId) -> Result<Vec<RoomRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM rooms WHERE id IN
             (SELECT room_id FROM room_participants WHERE user_id = $1)
         ORDER BY created_at DESC, id DESC"
    );
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(user)
        .fetch_all(p)
        .await)
}

/// A room's settings as the host changes them; `None` keeps one.
#[derive(Default)]
pub struct Change<'a> {
    pub name: Option<&'a str>,
    pub description: Option<Option<&'a str>>,
    pub focus_minutes: Option<i32>,
    pub break_minutes: Option<i32>,
    pub max_participants: Option<i32>,
    pub is_public: Option<bool>,
    pub host: Option<UserId>,
}

/// Applies `change` to a locked room.
pub async fn update(tx: &mut Tx, id: RoomId, change: &Change<'_>) -> Result<RoomRow, sqlx::Error> {
    let sql = format!(
        "UPDATE rooms SET
             name = COALESCE($2, name),
             description = CASE WHEN $3 THEN $4 ELSE description END,
             focus_minutes = COALESCE($5, focus_minutes),
             break_minutes = COALESCE($6, break_minutes),
             max_participants = COALESCE($7, max_participants),
             is_public = COALESCE($8, is_public),
             host_id = COALESCE($9, host_id),
             version = version + 1
         WHERE id = $1 RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .bind(change.name)
        .bind(change.description.is_some())
        .bind(change.description.flatten())
        .bind(change.focus_minutes)
        .bind(change.break_minutes)
        .bind(change.max_participants)
        .bind(change.is_public)
        .bind(change.host)
        .fetch_one(c)
        .await)
}

/// Stores `timer` over the row read at `version`; `false` if the row moved on
/// meanwhile (it cannot while locked: a second guard, not the mechanism).
pub async fn save_timer(
    tx: &mut Tx,
    id: RoomId,
    version: i64,
    timer: &Timer,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE rooms SET phase = $3, ends_ms = $4, remaining_ms = $5,
             phase_started_ms = $6, phase_minutes = $7, phase_seq = $8,
             version = version + 1
         WHERE id = $1 AND version = $2"
    )
    .bind(id)
    .bind(version)
    .bind(timer.phase.as_str())
    .bind(timer.ends_ms)
    .bind(timer.remaining_ms)
    .bind(timer.phase_started_ms)
    .bind(timer.phase_minutes)
    .bind(timer.phase_seq)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Marks a change of the room that is not in its row (its participants); the
/// new version.
pub async fn bump(tx: &mut Tx, id: RoomId) -> Result<i64, sqlx::Error> {
    on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE rooms SET version = version + 1 WHERE id = $1 RETURNING version"
    )
    .bind(id)
    .fetch_one(c)
    .await)
}

pub async fn delete(tx: &mut Tx, id: RoomId) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| sqlx::query("DELETE FROM rooms WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(())
}

const PARTICIPANT: &str = "SELECT p.room_id, p.user_id, u.username, p.joined_ms
     FROM room_participants p JOIN users u ON u.id = p.user_id";

#[derive(sqlx::FromRow)]
struct ParticipantOf {
    room_id: RoomId,
    #[sqlx(flatten)]
    participant: Participant,
}

/// A room's participants, first joined first.
pub async fn participants(tx: &mut Tx, room: RoomId) -> Result<Vec<Participant>, sqlx::Error> {
    let sql = format!("{PARTICIPANT} WHERE p.room_id = $1 ORDER BY p.joined_ms, u.username");
    let rows: Vec<ParticipantOf> =
        on_tx!(tx, |c| sqlx::query_as(&sql).bind(room).fetch_all(c).await)?;
    Ok(rows.into_iter().map(|r| r.participant).collect())
}

/// The participants of each of `rooms`, in the order of `rooms`.
pub async fn participants_of(
    db: &Db,
    rooms: &[RoomId],
) -> Result<Vec<Vec<Participant>>, sqlx::Error> {
    if rooms.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{PARTICIPANT} WHERE p.room_id IN ({}) ORDER BY p.joined_ms, u.username",
        platform::db::placeholders(1, rooms.len())
    );
    let rows: Vec<ParticipantOf> = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql);
        for r in rooms {
            q = q.bind(*r);
        }
        q.fetch_all(p).await
    })?;
    let mut out = vec![Vec::new(); rooms.len()];
    for row in rows {
        if let Some(i) = rooms.iter().position(|r| *r == row.room_id) {
            out[i].push(row.participant);
        }
    }
    Ok(out)
}

/// Adds `user` to `room`; `false` if they were in it already.
pub async fn join(
    tx: &mut Tx,
    room: RoomId,
    user: UserId,
    now_ms: i64,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO room_participants (room_id, user_id, joined_ms) VALUES ($1, $2, $3)
         ON CONFLICT (room_id, user_id) DO NOTHING"
    )
    .bind(room)
    .bind(user)
    .bind(now_ms)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Removes `user` from `room`; `false` if they were not in it.
pub async fn leave(tx: &mut Tx, room: RoomId, user: UserId) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "DELETE FROM room_participants WHERE room_id = $1 AND user_id = $2"
    )
    .bind(room)
    .bind(user)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Records an invitation; inviting twice keeps the first.
pub async fn invite(
    tx: &mut Tx,
    room: RoomId,
    user: UserId,
    by: UserId,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "INSERT INTO room_invitations (room_id, user_id, invited_by, created_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT (room_id, user_id) DO NOTHING"
    )
    .bind(room)
    .bind(user)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// Whether `user` was invited to `room` (a read, outside any transaction).
pub async fn invited(db: &Db, room: RoomId, user: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT 1 FROM room_invitations WHERE room_id = $1 AND user_id = $2"
    )
    .bind(room)
    .bind(user)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// Whether `user` was invited to `room`, inside a transaction.
pub async fn is_invited(tx: &mut Tx, room: RoomId, user: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_tx!(tx, |c| sqlx::query_scalar(
        "SELECT 1 FROM room_invitations WHERE room_id = $1 AND user_id = $2"
    )
    .bind(room)
    .bind(user)
    .fetch_optional(c)
    .await)?;
    Ok(found.is_some())
}

/// Rooms whose running phase has ended by `now_ms`, the most overdue first.
pub async fn due(db: &Db, now_ms: i64, limit: i64) -> Result<Vec<RoomId>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM rooms WHERE ends_ms IS NOT NULL AND ends_ms <= $1
         ORDER BY ends_ms LIMIT $2"
    )
    .bind(now_ms)
    .bind(limit)
    .fetch_all(p)
    .await)
}

/// When the next running phase ends, if any runs.
pub async fn next_end(db: &Db) -> Result<Option<i64>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT MIN(ends_ms) FROM rooms WHERE ends_ms IS NOT NULL"
    )
    .fetch_one(p)
    .await)
}
