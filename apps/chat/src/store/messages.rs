use chrono::{DateTime, Utc};
use platform::db::placeholders;
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{CoupleId, MessageId, MessageRow, MessageType, UserId};

const SELECT: &str = "SELECT m.id, m.couple_id, m.sender_id, u.name AS sender_name,
        u.profile_image AS sender_profile_image, m.content, m.type, m.image_url,
        m.is_read, m.read_at, m.created_at, m.seq, m.temp_id
    FROM messages m JOIN users u ON u.id = m.sender_id";

pub struct NewMessage<'a> {
    pub id: MessageId,
    pub couple: CoupleId,
    pub sender: UserId,
    pub kind: MessageType,
    pub content: Option<&'a str>,
    pub image_url: Option<&'a str>,
    pub temp_id: Option<&'a str>,
    pub seq: i64,
    pub created_at: DateTime<Utc>,
}

/// Stores a message; `None` if its sender already stored its `tempId`. The row is
/// built here from what was stored (no read back): `sender` is the sender's (name,
/// profile image) for the view.
pub async fn insert(
    tx: &mut Tx,
    m: &NewMessage<'_>,
    sender: (String, Option<String>),
) -> Result<Option<MessageRow>, sqlx::Error> {
    let inserted = on_tx!(tx, |c| {
        sqlx::query(
            "INSERT INTO messages (id, couple_id, sender_id, content, type, image_url,
                 created_at, seq, temp_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (sender_id, temp_id) DO NOTHING",
        )
        .bind(m.id)
        .bind(m.couple)
        .bind(m.sender)
        .bind(m.content)
        .bind(m.kind.as_str())
        .bind(m.image_url)
        .bind(m.created_at)
        .bind(m.seq)
        .bind(m.temp_id)
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected())
    })?;
    if inserted == 0 {
        return Ok(None);
    }
    Ok(Some(MessageRow {
        id: m.id,
        couple_id: m.couple,
        sender_id: m.sender,
        sender_name: sender.0,
        sender_profile_image: sender.1,
        content: m.content.map(str::to_owned),
        kind: m.kind,
        image_url: m.image_url.map(str::to_owned),
        is_read: false,
        read_at: None,
        created_at: m.created_at,
        seq: m.seq,
        temp_id: m.temp_id.map(str::to_owned),
    }))
}

/// The message a sender already stored under a `tempId`.
pub async fn by_temp_id(
    db: &Db,
    sender: UserId,
    temp_id: &str,
) -> Result<Option<MessageRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.sender_id = $1 AND m.temp_id = $2");
    // A reader sees every committed message (WAL on SQLite), so a retry right after
    // the original's commit finds it.
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(sender)
        .bind(temp_id)
        .fetch_optional(p)
        .await)
}

/// A message's place in its room, if it is in that room.
pub async fn seq_of(db: &Db, couple: CoupleId, id: MessageId) -> Result<Option<i64>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT seq FROM messages WHERE couple_id = $1 AND id = $2"
    )
    .bind(couple)
    .bind(id)
    .fetch_optional(p)
    .await)
}

/// Up to `limit` messages of a room strictly between two places (either open),
/// ascending; `newest_first` takes them from the `before` end.
pub async fn page(
    db: &Db,
    couple: CoupleId,
    after: Option<i64>,
    before: Option<i64>,
    limit: i64,
    newest_first: bool,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let order = if newest_first { "DESC" } else { "ASC" };
    let sql = format!(
        "{SELECT} WHERE m.couple_id = $1 AND m.seq > $2 AND m.seq < $3
         ORDER BY m.seq {order} LIMIT $4"
    );
    let mut rows: Vec<MessageRow> = on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(couple)
        .bind(after.unwrap_or(0))
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(p)
        .await)?;
    if newest_first {
        rows.reverse();
    }
    Ok(rows)
}

pub async fn last(db: &Db, couple: CoupleId) -> Result<Option<MessageRow>, sqlx::Error> {
    let sql = format!("{SELECT} WHERE m.couple_id = $1 ORDER BY m.seq DESC LIMIT 1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(couple)
        .fetch_optional(p)
        .await)
}

/// The partner's messages `reader` has not read yet.
pub async fn unread_count(db: &Db, couple: CoupleId, reader: UserId) -> Result<i64, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM messages WHERE couple_id = $1 AND sender_id <> $2 AND is_read = $3"
    )
    .bind(couple)
    .bind(reader)
    .bind(false)
    .fetch_one(p)
    .await)
}

/// Marks the listed messages read, only those of the room that the partner sent and
/// that were unread; returns the ids it changed, in storage order.
pub async fn mark_read(
    tx: &mut Tx,
    couple: CoupleId,
    reader: UserId,
    ids: &[MessageId],
    now: DateTime<Utc>,
) -> Result<Vec<MessageId>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "UPDATE messages SET is_read = $3, read_at = $4
         WHERE couple_id = $1 AND sender_id <> $2 AND is_read = $5 AND id IN ({})
         RETURNING id, seq",
        placeholders(6, ids.len())
    );
    let mut changed: Vec<(MessageId, i64)> = on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql)
            .bind(couple)
            .bind(reader)
            .bind(true)
            .bind(now)
            .bind(false);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(&mut *c).await
    })?;
    changed.sort_by_key(|(_, seq)| *seq);
    Ok(changed.into_iter().map(|(id, _)| id).collect())
}
