use chrono::{DateTime, Utc};
use platform::db::{Db, Tx};
use platform::{on_pool, on_tx};

use crate::model::{LockRow, LockType};
use platform::db::placeholders;

const COLUMNS: &str = "dashboard_id, locked_by, lock_type, expires_at";

/// Takes or renews a lock unless another user holds a live one. One statement, so
/// two racing callers cannot both succeed on either engine; no row back = refused.
const TAKE: &str =
    "INSERT INTO dashboard_locks (dashboard_id, locked_by, lock_type, acquired_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (dashboard_id) DO UPDATE SET
         locked_by = excluded.locked_by,
         lock_type = excluded.lock_type,
         acquired_at = excluded.acquired_at,
         expires_at = excluded.expires_at
     WHERE dashboard_locks.locked_by = excluded.locked_by
        OR dashboard_locks.expires_at <= excluded.acquired_at
     RETURNING dashboard_id";

/// The lock row of an order, live or expired.
pub async fn get(db: &Db, id: i64) -> Result<Option<LockRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM dashboard_locks WHERE dashboard_id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// Every live lock, by order: what the console marks on its rows.
pub async fn live(db: &Db, now: DateTime<Utc>) -> Result<Vec<LockRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dashboard_locks WHERE expires_at > $1 ORDER BY dashboard_id"
    );
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(now)
        .fetch_all(p)
        .await)
}

pub async fn get_many(tx: &mut Tx, ids: &[i64]) -> Result<Vec<LockRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM dashboard_locks WHERE dashboard_id IN ({}) ORDER BY dashboard_id",
        placeholders(1, ids.len())
    );
    on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&mut *c).await
    })
}

/// Takes or renews the lock unless another user holds a live one: one statement, so
/// two racing callers cannot both succeed on either engine. Returns whether the
/// caller now holds it.
pub async fn try_take(
    tx: &mut Tx,
    id: i64,
    user: &str,
    lock_type: LockType,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let taken: Option<(i64,)> = on_tx!(tx, |c| {
        sqlx::query_as(TAKE)
            .bind(id)
            .bind(user)
            .bind(lock_type.as_str())
            .bind(now)
            .bind(expires_at)
            .fetch_optional(&mut *c)
            .await?
    });
    Ok(taken.is_some())
}

/// Releases `ids` if held by `user` (or by anyone when `user` is `None`).
pub async fn release(tx: &mut Tx, ids: &[i64], user: Option<&str>) -> Result<u64, sqlx::Error> {
    let n = ids.len();
    let sql = match user {
        Some(_) => format!(
            "DELETE FROM dashboard_locks WHERE dashboard_id IN ({}) AND locked_by = ${}",
            placeholders(1, n),
            n + 1
        ),
        None => format!(
            "DELETE FROM dashboard_locks WHERE dashboard_id IN ({})",
            placeholders(1, n)
        ),
    };
    let deleted = on_tx!(tx, |c| {
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        if let Some(u) = user {
            q = q.bind(u);
        }
        q.execute(&mut *c).await?.rows_affected()
    });
    Ok(deleted)
}

/// The outcome of [`take`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Take {
    Taken,
    HeldByOther,
    NoSuchOrder,
}

/// [`try_take`] as one autocommitted statement (the explicit lock endpoint): the
/// order's existence is checked by the foreign key, not by a separate query.
pub async fn take(
    db: &Db,
    id: i64,
    user: &str,
    lock_type: LockType,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Take, sqlx::Error> {
    let result: Result<Option<(i64,)>, sqlx::Error> = on_pool!(db.writer(), |p| {
        sqlx::query_as(TAKE)
            .bind(id)
            .bind(user)
            .bind(lock_type.as_str())
            .bind(now)
            .bind(expires_at)
            .fetch_optional(p)
            .await
    });
    match result {
        Ok(Some(_)) => Ok(Take::Taken),
        Ok(None) => Ok(Take::HeldByOther),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Ok(Take::NoSuchOrder),
        Err(e) => Err(e),
    }
}

/// Deletes the lock if `user` holds it or it has expired (`user` = `None`: whoever
/// holds it). Returns the deleted lock's expiry.
pub async fn delete(
    db: &Db,
    id: i64,
    user: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
    let row: Option<(DateTime<Utc>,)> = on_pool!(db.writer(), |p| match user {
        Some(u) => {
            sqlx::query_as(
                "DELETE FROM dashboard_locks
                 WHERE dashboard_id = $1 AND (locked_by = $2 OR expires_at <= $3) RETURNING expires_at",
            )
            .bind(id)
            .bind(u)
            .bind(now)
            .fetch_optional(p)
            .await
        }
        None => {
            sqlx::query_as(
                "DELETE FROM dashboard_locks WHERE dashboard_id = $1 RETURNING expires_at",
            )
            .bind(id)
            .fetch_optional(p)
            .await
        }
    })?;
    Ok(row.map(|r| r.0))
}
