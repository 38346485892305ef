//! The change counter (migration 0003): every transaction that changes orders
//! takes the next number as its last statements and stamps the rows it
//! changed (or records the ids it deleted) with it.
//!
//! Why the last statements: the counter's row lock is held until commit, so
//! the numbers are handed out in commit order, and a reader that sees number N
//! knows every change up to N has committed. Taken last, it is held only for
//! the commit, and a transaction holding it never waits for another lock, so
//! it cannot be part of a deadlock.

use chrono::{DateTime, Utc};
use platform::db::{Db, Tx, placeholders};
use platform::{on_pool, on_tx};

use crate::model::{LIST_COLUMNS, ListRow};

/// Ids per statement (well under both engines' limits on parameters).
const BATCH: usize = 1000;

/// How long deleted ids are remembered for servers that are behind.
const DELETIONS_KEPT_HOURS: i64 = 24;

async fn next(tx: &mut Tx) -> Result<i64, sqlx::Error> {
    let (seq,): (i64,) = on_tx!(tx, |c| sqlx::query_as(
        "UPDATE dashboard_changes SET seq = seq + 1 WHERE id = 1 RETURNING seq"
    )
    .fetch_one(&mut *c)
    .await?);
    Ok(seq)
}

/// Stamps the orders `ids` (changed or created in `tx`) with the next number.
pub async fn stamp(tx: &mut Tx, ids: &[i64]) -> Result<i64, sqlx::Error> {
    let seq = next(tx).await?;
    for chunk in ids.chunks(BATCH) {
        let sql = format!(
            "UPDATE dashboards SET change_seq = $1 WHERE dashboard_id IN ({})",
            placeholders(2, chunk.len())
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(seq);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(seq)
}

/// Records the orders `ids` (deleted in `tx`) under the next number, and
/// forgets deletions older than a day (a server that far behind reloads).
pub async fn stamp_deleted(
    tx: &mut Tx,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let seq = next(tx).await?;
    let horizon = now - chrono::Duration::hours(DELETIONS_KEPT_HOURS);
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE dashboard_changes SET pruned_seq = COALESCE(
                (SELECT MAX(seq) FROM dashboard_deletions WHERE deleted_at < $1), pruned_seq)
             WHERE id = 1",
        )
        .bind(horizon)
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM dashboard_deletions WHERE deleted_at < $1")
            .bind(horizon)
            .execute(&mut *c)
            .await?;
    });
    for chunk in ids.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("($1, ${}, $2)", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO dashboard_deletions (seq, dashboard_id, deleted_at) VALUES {values}"
        );
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(seq).bind(now);
            for id in chunk {
                q = q.bind(id);
            }
            q.execute(&mut *c).await?;
        });
    }
    Ok(seq)
}

/// Where the store stands: the last committed change, the deletions forgotten,
/// and the oldest and latest ETA (the list's `date_range`), in one statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct Head {
    pub seq: i64,
    pub pruned_seq: i64,
    pub oldest_eta: Option<DateTime<Utc>>,
    pub latest_eta: Option<DateTime<Utc>>,
}

pub async fn head(db: &Db) -> Result<Head, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT seq, pruned_seq,
            (SELECT eta FROM dashboards ORDER BY eta ASC LIMIT 1) AS oldest_eta,
            (SELECT eta FROM dashboards ORDER BY eta DESC LIMIT 1) AS latest_eta
         FROM dashboard_changes WHERE id = 1"
    )
    .fetch_one(p)
    .await)
}

/// A list row with the number of the change that last wrote it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Versioned {
    #[sqlx(flatten)]
    pub row: ListRow,
    pub change_seq: i64,
}

/// Orders written after change `seq`.
pub async fn changed_since(db: &Db, seq: i64) -> Result<Vec<Versioned>, sqlx::Error> {
    let sql = format!("SELECT {LIST_COLUMNS}, change_seq FROM dashboards WHERE change_seq > $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(seq)
        .fetch_all(p)
        .await)
}

/// Orders deleted after change `seq`.
pub async fn deleted_since(db: &Db, seq: i64) -> Result<Vec<i64>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT dashboard_id FROM dashboard_deletions WHERE seq > $1"
    )
    .bind(seq)
    .fetch_all(p)
    .await)
}

/// Orders whose ETA is in `[from, to)`, with their versions, read as rows (the
/// driver's binary form on PostgreSQL), not as a JSON document to parse again.
pub async fn window(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Versioned>, sqlx::Error> {
    let sql =
        format!("SELECT {LIST_COLUMNS}, change_seq FROM dashboards WHERE eta >= $1 AND eta < $2");
    on_pool!(db.bulk_reader(), |p| sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await)
}
