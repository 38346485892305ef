use chrono::{DateTime, Utc};
use platform::db::{Db, Pool, Tx};
use platform::{on_pool, on_tx};

use crate::model::{LockRow, LockType};
use platform::db::placeholders;

const COLUMNS: &str = "dashboard_id, locked_by, lock_type, expires_at";

/// The rule of taking a lock, shared by the single and the batched statement: the
/// row is written (taken or renewed) unless another user holds a live one; no row
/// back = refused.
macro_rules! take_upsert {
    () => {
        "ON CONFLICT (dashboard_id) DO UPDATE SET
             locked_by = excluded.locked_by,
             lock_type = excluded.lock_type,
             acquired_at = excluded.acquired_at,
             expires_at = excluded.expires_at
         WHERE dashboard_locks.locked_by = excluded.locked_by
            OR dashboard_locks.expires_at <= excluded.acquired_at
         RETURNING dashboard_id"
    };
}

/// Takes or renews a lock unless another user holds a live one. One statement, so
/// two racing callers cannot both succeed on either engine.
const TAKE: &str = concat!(
    "INSERT INTO dashboard_locks (dashboard_id, locked_by, lock_type, acquired_at, expires_at)
     VALUES ($1, $2, $3, $4, $5) ",
    take_upsert!()
);

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

/// One lock request of a batch ([`run_batch`]).
#[derive(Debug, Clone)]
pub enum LockOp {
    Take {
        id: i64,
        user: String,
        lock_type: LockType,
    },
    /// `holder` = `None`: whoever holds it (an admin).
    Release { id: i64, holder: Option<String> },
}

impl LockOp {
    fn id(&self) -> i64 {
        match self {
            Self::Take { id, .. } | Self::Release { id, .. } => *id,
        }
    }
}

/// What one [`LockOp`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LockOutcome {
    Taken {
        expires_at: DateTime<Utc>,
    },
    HeldByOther,
    NoSuchOrder,
    /// The deleted lock's expiry, `None` if there was nothing the caller could delete.
    Released(Option<DateTime<Utc>>),
}

/// Runs concurrent lock requests as a few statements: each round (no order twice)
/// is one `INSERT … ON CONFLICT` for the takes and one `DELETE` for the releases,
/// each autocommitted, so every answer is as durable and as exclusive as the single
/// statements above. Requests in one batch were concurrent, so running a round's
/// releases before its takes is an order they could have had. A round statement
/// that fails (an order deleted mid-batch breaks the foreign key for all) is retried
/// request by request, so one bad request cannot fail the others.
pub async fn run_batch(
    db: &Db,
    ops: Vec<LockOp>,
    ttl: chrono::Duration,
) -> Vec<Result<LockOutcome, sqlx::Error>> {
    let now = Utc::now();
    let expires_at = now + ttl;
    let mut out: Vec<Option<Result<LockOutcome, sqlx::Error>>> = ops.iter().map(|_| None).collect();
    for round in platform::batch::rounds_by_key(ops.iter().map(LockOp::id)) {
        let (takes, releases): (Vec<usize>, Vec<usize>) = round
            .into_iter()
            .partition(|&i| matches!(ops[i], LockOp::Take { .. }));
        if !releases.is_empty() {
            let batch: Vec<(i64, Option<&str>)> = releases
                .iter()
                .map(|&i| match &ops[i] {
                    LockOp::Release { id, holder } => (*id, holder.as_deref()),
                    LockOp::Take { .. } => unreachable!("partitioned above"),
                })
                .collect();
            match delete_many(db, &batch, now).await {
                Ok(deleted) => {
                    for (&i, (id, _)) in releases.iter().zip(&batch) {
                        let gone = deleted.iter().find(|(d, _)| d == id).map(|(_, e)| *e);
                        out[i] = Some(Ok(LockOutcome::Released(gone)));
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "batched lock release failed; one by one");
                    for (&i, (id, holder)) in releases.iter().zip(&batch) {
                        out[i] = Some(
                            delete(db, *id, *holder, now)
                                .await
                                .map(LockOutcome::Released),
                        );
                    }
                }
            }
        }
        if !takes.is_empty() {
            let batch: Vec<(i64, &str, LockType)> = takes
                .iter()
                .map(|&i| match &ops[i] {
                    LockOp::Take {
                        id,
                        user,
                        lock_type,
                    } => (*id, user.as_str(), *lock_type),
                    LockOp::Release { .. } => unreachable!("partitioned above"),
                })
                .collect();
            match take_many(db, &batch, now, expires_at).await {
                Ok(taken) => {
                    let refused: Vec<i64> = batch
                        .iter()
                        .map(|b| b.0)
                        .filter(|id| !taken.contains(id))
                        .collect();
                    let existing = match refused.is_empty() {
                        true => Ok(Vec::new()),
                        false => existing_orders(db, &refused).await,
                    };
                    for (&i, (id, _, _)) in takes.iter().zip(&batch) {
                        out[i] = Some(if taken.contains(id) {
                            Ok(LockOutcome::Taken { expires_at })
                        } else {
                            match &existing {
                                Ok(ids) if ids.contains(id) => Ok(LockOutcome::HeldByOther),
                                Ok(_) => Ok(LockOutcome::NoSuchOrder),
                                Err(e) => Err(sqlx::Error::Protocol(e.to_string())),
                            }
                        });
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "batched lock take failed; one by one");
                    for (&i, (id, user, lock_type)) in takes.iter().zip(&batch) {
                        out[i] = Some(take(db, *id, user, *lock_type, now, expires_at).await.map(
                            |t| match t {
                                Take::Taken => LockOutcome::Taken { expires_at },
                                Take::HeldByOther => LockOutcome::HeldByOther,
                                Take::NoSuchOrder => LockOutcome::NoSuchOrder,
                            },
                        ));
                    }
                }
            }
        }
    }
    out.into_iter()
        .map(|o| {
            o.unwrap_or_else(|| Err(sqlx::Error::Protocol("lock request left unanswered".into())))
        })
        .collect()
}

/// [`TAKE`] for many orders at once (no order twice); orders that do not exist are
/// skipped instead of breaking the foreign key. Returns the orders now held.
async fn take_many(
    db: &Db,
    batch: &[(i64, &str, LockType)],
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    const UPSERT: &str = take_upsert!();
    let rows: Vec<(i64,)> = match db.writer() {
        Pool::Postgres(pool) => {
            let sql = format!(
                "INSERT INTO dashboard_locks (dashboard_id, locked_by, lock_type, acquired_at, expires_at)
                 SELECT u.id, u.who, u.kind, $4, $5
                 FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u (id, who, kind)
                 WHERE EXISTS (SELECT 1 FROM dashboards d WHERE d.dashboard_id = u.id)
                 {UPSERT}"
            );
            let ids: Vec<i64> = batch.iter().map(|b| b.0).collect();
            let users: Vec<&str> = batch.iter().map(|b| b.1).collect();
            let kinds: Vec<&str> = batch.iter().map(|b| b.2.as_str()).collect();
            platform::on_pool!(@on pool, platform::db::PgConnection, |c| sqlx::query_as(&sql)
                .bind(&ids)
                .bind(&users)
                .bind(&kinds)
                .bind(now)
                .bind(expires_at)
                .fetch_all(c)
                .await)?
        }
        Pool::Sqlite(pool) => {
            // The upsert after an INSERT … SELECT needs a WHERE in the SELECT to parse.
            let sql = format!(
                "INSERT INTO dashboard_locks (dashboard_id, locked_by, lock_type, acquired_at, expires_at)
                 SELECT j.value ->> 0, j.value ->> 1, j.value ->> 2, $2, $3
                 FROM json_each($1) AS j
                 WHERE EXISTS (SELECT 1 FROM dashboards d WHERE d.dashboard_id = j.value ->> 0)
                 {UPSERT}"
            );
            let json = serde_json::to_string(
                &batch
                    .iter()
                    .map(|b| (b.0, b.1, b.2.as_str()))
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            platform::on_pool!(@on pool, platform::db::SqliteConnection, |c| sqlx::query_as(&sql)
                .bind(&json)
                .bind(now)
                .bind(expires_at)
                .fetch_all(c)
                .await)?
        }
    };
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// [`delete`] for many orders at once (no order twice). Returns the deleted locks.
async fn delete_many(
    db: &Db,
    batch: &[(i64, Option<&str>)],
    now: DateTime<Utc>,
) -> Result<Vec<(i64, DateTime<Utc>)>, sqlx::Error> {
    match db.writer() {
        Pool::Postgres(pool) => {
            let ids: Vec<i64> = batch.iter().map(|b| b.0).collect();
            let holders: Vec<Option<&str>> = batch.iter().map(|b| b.1).collect();
            platform::on_pool!(@on pool, platform::db::PgConnection, |c| sqlx::query_as(
                "DELETE FROM dashboard_locks l
                 USING unnest($1::bigint[], $2::text[]) AS u (id, holder)
                 WHERE l.dashboard_id = u.id
                   AND (u.holder IS NULL OR l.locked_by = u.holder OR l.expires_at <= $3)
                 RETURNING l.dashboard_id, l.expires_at",
            )
            .bind(&ids)
            .bind(&holders)
            .bind(now)
            .fetch_all(c)
            .await)
        }
        Pool::Sqlite(pool) => {
            let json =
                serde_json::to_string(batch).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
            // The IN finds the rows by key; the EXISTS checks each one's holder.
            platform::on_pool!(@on pool, platform::db::SqliteConnection, |c| sqlx::query_as(
                "DELETE FROM dashboard_locks
                 WHERE dashboard_id IN (SELECT j.value ->> 0 FROM json_each($1) AS j)
                   AND EXISTS (
                       SELECT 1 FROM json_each($1) AS j
                       WHERE j.value ->> 0 = dashboard_locks.dashboard_id
                         AND (j.value ->> 1 IS NULL
                              OR j.value ->> 1 = dashboard_locks.locked_by
                              OR dashboard_locks.expires_at <= $2))
                 RETURNING dashboard_id, expires_at",
            )
            .bind(&json)
            .bind(now)
            .fetch_all(c)
            .await)
        }
    }
}

/// Which of `ids` are orders.
async fn existing_orders(db: &Db, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    let sql = format!(
        "SELECT dashboard_id FROM dashboards WHERE dashboard_id IN ({})",
        placeholders(1, ids.len())
    );
    let rows: Vec<(i64,)> = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(p).await
    })?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
