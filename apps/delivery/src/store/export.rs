//! The Excel export's read: every column of the orders in a range, streamed to
//! the writer in chunks as the database hands them over.

use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::db::scan::rusqlite;
use platform::on_pool;
use tokio::sync::mpsc::Sender;

use super::BulkReadError;
use super::orders::{Filters, filter_sql, filter_values};
use super::scanned::{bound_time, optional_time, parsed, time};
use crate::model::{ORDER_COLUMNS, OrderRow};

/// Full orders whose ETA is in `[from, to)`, by ETA, handed to `out` in chunks
/// of `chunk` rows as the database sends them, so the caller can write the first
/// rows while the rest are still being read. Each row is decoded once. Stops
/// early, without error, when `out` is closed (the consumer gave up; it reports
/// its own error).
///
/// PostgreSQL's rows are read in the driver's binary form on this task. SQLite's
/// are read and decoded on a scanner thread, where the connection lives, and cross
/// threads a chunk at a time (see `platform::db::scan`).
pub async fn export(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    f: &Filters,
    chunk: usize,
    out: Sender<Vec<OrderRow>>,
) -> Result<(), BulkReadError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM dashboards WHERE eta >= $1 AND eta < $2{} ORDER BY eta, dashboard_id",
        filter_sql(3)
    );
    let filters = filter_values(f);
    if let Some(scanners) = db.scanners() {
        return scanners
            .run(move |conn| scan(conn, &sql, from, to, filters, chunk, &out))
            .await?
            .map_err(Into::into);
    }
    use futures_util::TryStreamExt;
    let [a, b, c, d] = filters;
    on_pool!(db.bulk_reader(), |p| {
        let mut rows = sqlx::query_as::<_, OrderRow>(&sql)
            .bind(from)
            .bind(to)
            .bind(a)
            .bind(b)
            .bind(c)
            .bind(d)
            .fetch(p);
        let mut batch = Vec::with_capacity(chunk);
        while let Some(row) = rows.try_next().await? {
            batch.push(row);
            if batch.len() == chunk {
                let full = std::mem::replace(&mut batch, Vec::with_capacity(chunk));
                if out.send(full).await.is_err() {
                    return Ok(());
                }
            }
        }
        if !batch.is_empty() {
            // A closed receiver here means the consumer already failed.
            let _ = out.send(batch).await;
        }
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}

/// The SQLite read, on the scanner thread.
fn scan(
    conn: &rusqlite::Connection,
    sql: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    [a, b, c, d]: [Option<&'static str>; 4],
    chunk: usize,
    out: &Sender<Vec<OrderRow>>,
) -> rusqlite::Result<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params![
        bound_time(from),
        bound_time(to),
        a,
        b,
        c,
        d
    ])?;
    let mut batch = Vec::with_capacity(chunk);
    while let Some(row) = rows.next()? {
        batch.push(order(row)?);
        if batch.len() == chunk {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(chunk));
            if out.blocking_send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = out.blocking_send(batch);
    }
    Ok(())
}

/// A row of [`ORDER_COLUMNS`], by position.
fn order(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        dashboard_id: r.get(0)?,
        order_no: r.get(1)?,
        order_type: parsed(r, 2)?,
        status: parsed(r, 3)?,
        department: parsed(r, 4)?,
        warehouse: parsed(r, 5)?,
        sla: r.get(6)?,
        eta: time(r, 7)?,
        create_time: time(r, 8)?,
        depart_time: optional_time(r, 9)?,
        complete_time: optional_time(r, 10)?,
        postal_code: r.get(11)?,
        city: r.get(12)?,
        county: r.get(13)?,
        district: r.get(14)?,
        distance: r.get(15)?,
        duration_time: r.get(16)?,
        address: r.get(17)?,
        customer: r.get(18)?,
        contact: r.get(19)?,
        driver_name: r.get(20)?,
        driver_contact: r.get(21)?,
        created_by: r.get(22)?,
    })
}
