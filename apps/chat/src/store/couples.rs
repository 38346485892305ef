use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{CoupleId, UserId, UserRow};

pub async fn create(
    tx: &mut Tx,
    id: CoupleId,
    members: [UserId; 2],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query("INSERT INTO couples (id, created_at) VALUES ($1, $2)")
            .bind(id)
            .bind(now)
            .execute(&mut *c)
            .await?;
        for user in members {
            sqlx::query(
                "INSERT INTO couple_members (couple_id, user_id, joined_at) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(user)
            .bind(now)
            .execute(&mut *c)
            .await?;
        }
    });
    Ok(())
}

/// Closes a couple to new messages; `false` if it was closed already.
pub async fn close(tx: &mut Tx, id: CoupleId, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let done = on_tx!(tx, |c| sqlx::query(
        "UPDATE couples SET closed_at = $2 WHERE id = $1 AND closed_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(&mut *c)
    .await?
    .rows_affected());
    Ok(done == 1)
}

/// Was (or is) `user` a member of `couple`? Former members keep reading the history.
pub async fn is_member(db: &Db, couple: CoupleId, user: UserId) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT 1 FROM couple_members WHERE couple_id = $1 AND user_id = $2"
    )
    .bind(couple)
    .bind(user)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// A member's (name, profile image), if `user` is or was a member of `couple`:
/// the membership check and what a message shows of its sender, in one read.
pub async fn member(
    db: &Db,
    couple: CoupleId,
    user: UserId,
) -> Result<Option<(String, Option<String>)>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT u.name, u.profile_image FROM couple_members m JOIN users u ON u.id = m.user_id
         WHERE m.couple_id = $1 AND m.user_id = $2"
    )
    .bind(couple)
    .bind(user)
    .fetch_optional(p)
    .await)
}

/// The members of a couple, in the order they joined.
pub async fn members(db: &Db, couple: CoupleId) -> Result<Vec<UserRow>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
        "SELECT u.id, u.email, u.password_hash, u.name, u.profile_image, u.couple_id, u.created_at, u.disabled_at
         FROM couple_members m JOIN users u ON u.id = m.user_id
         WHERE m.couple_id = $1 ORDER BY m.joined_at, u.email"
    )
    .bind(couple)
    .fetch_all(p)
    .await
    })
}

/// Takes the next place in the room's storage order: the sequence number and a
/// creation time later than every earlier message's. The row stays locked until the
/// transaction ends, so writers of one room queue here, on any instance.
/// `None` if the room is closed or unknown.
pub async fn next_slot(
    tx: &mut Tx,
    id: CoupleId,
    now: DateTime<Utc>,
) -> Result<Option<(i64, DateTime<Utc>)>, sqlx::Error> {
    // The common case in one statement: the clock moved on since the last message.
    let seq: Option<i64> = on_tx!(tx, |c| sqlx::query_scalar(
        "UPDATE couples SET last_seq = last_seq + 1, last_message_at = $2
         WHERE id = $1 AND closed_at IS NULL AND (last_message_at IS NULL OR last_message_at < $2)
         RETURNING last_seq"
    )
    .bind(id)
    .bind(now)
    .fetch_optional(&mut *c)
    .await)?;
    if let Some(seq) = seq {
        return Ok(Some((seq, now)));
    }
    // Closed, unknown, or a message at or after `now` already: one tick later.
    let previous: Option<(i64, Option<DateTime<Utc>>)> = on_tx!(tx, |c| sqlx::query_as(
        "UPDATE couples SET last_seq = last_seq + 1 WHERE id = $1 AND closed_at IS NULL
         RETURNING last_seq, last_message_at"
    )
    .bind(id)
    .fetch_optional(&mut *c)
    .await)?;
    let Some((seq, last)) = previous else {
        return Ok(None);
    };
    let at = match last {
        Some(last) if last >= now => last + chrono::Duration::microseconds(1),
        _ => now,
    };
    on_tx!(tx, |c| sqlx::query(
        "UPDATE couples SET last_message_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(at)
    .execute(&mut *c)
    .await
    .map(|_| ()))?;
    Ok(Some((seq, at)))
}
