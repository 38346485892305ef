use chrono::{DateTime, Utc};
use platform::db::{Db, Tx, like_escape};
use platform::{on_pool, on_tx};

use crate::model::{
    Department, Filter, LIST_COLUMNS, ListRow, ORDER_COLUMNS, OrderRow, OrderType, Status,
    Warehouse,
};
use platform::db::placeholders;
use platform::db::scan::rusqlite;

use super::BulkReadError;
use super::scanned::{bound_time, parsed, time};

/// Everything needed to insert an order (after validation and postal lookup).
#[derive(Debug, Clone)]
pub struct NewOrder {
    pub order_no: String,
    pub order_type: OrderType,
    pub status: Status,
    pub department: Department,
    pub warehouse: Warehouse,
    pub sla: String,
    pub eta: DateTime<Utc>,
    pub create_time: DateTime<Utc>,
    pub depart_time: Option<DateTime<Utc>>,
    pub complete_time: Option<DateTime<Utc>>,
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub distance: Option<i32>,
    pub duration_time: Option<i32>,
    pub address: String,
    pub customer: String,
    pub contact: Option<String>,
    pub driver_name: Option<String>,
    pub driver_contact: Option<String>,
    pub created_by: Option<String>,
}

const INSERT_COLUMNS: &str = "order_no, type, status, department, warehouse, sla, eta, create_time, \
    depart_time, complete_time, postal_code, city, county, district, distance, duration_time, \
    address, customer, contact, driver_name, driver_contact, created_by, updated_at";
const INSERT_ARITY: usize = 23;

/// List filters (seed IV §4.3).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filters {
    pub order_type: Filter<OrderType>,
    pub department: Filter<Department>,
    pub warehouse: Filter<Warehouse>,
    pub status: Filter<Status>,
}

macro_rules! bind_order {
    ($q:expr, $o:expr) => {
        $q.bind(&$o.order_no)
            .bind($o.order_type.as_str())
            .bind($o.status.as_str())
            .bind($o.department.as_str())
            .bind($o.warehouse.as_str())
            .bind(&$o.sla)
            .bind($o.eta)
            .bind($o.create_time)
            .bind($o.depart_time)
            .bind($o.complete_time)
            .bind(&$o.postal_code)
            .bind(&$o.city)
            .bind(&$o.county)
            .bind(&$o.district)
            .bind($o.distance)
            .bind($o.duration_time)
            .bind(&$o.address)
            .bind(&$o.customer)
            .bind(&$o.contact)
            .bind(&$o.driver_name)
            .bind(&$o.driver_contact)
            .bind(&$o.created_by)
            .bind($o.create_time)
    };
}

/// Inserts one order; a duplicate `(order_no, type, department)` is a unique violation.
pub async fn insert(tx: &mut Tx, o: &NewOrder) -> Result<i64, sqlx::Error> {
    let sql = format!(
        "INSERT INTO dashboards ({INSERT_COLUMNS}) VALUES ({}) RETURNING dashboard_id",
        placeholders(1, INSERT_ARITY)
    );
    let (id,): (i64,) = on_tx!(tx, |c| bind_order!(sqlx::query_as(&sql), o)
        .fetch_one(&mut *c)
        .await?);
    Ok(id)
}

/// Inserts many orders with multi-row statements (demo data, benchmark data,
/// imports); returns their ids.
pub async fn insert_many(tx: &mut Tx, orders: &[NewOrder]) -> Result<Vec<i64>, sqlx::Error> {
    const BATCH: usize = 400;
    let mut ids = Vec::with_capacity(orders.len());
    for chunk in orders.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * INSERT_ARITY, INSERT_ARITY)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO dashboards ({INSERT_COLUMNS}) VALUES {values} RETURNING dashboard_id"
        );
        let batch: Vec<i64> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(&sql);
            for o in chunk {
                q = bind_order!(q, o);
            }
            q.fetch_all(&mut *c).await?
        });
        ids.extend(batch);
    }
    Ok(ids)
}

/// Inserts orders, or updates the one with the same `(order_no, type,
/// department)` (the import: loading the same file twice changes nothing);
/// returns their ids. A key must not repeat within `orders`.
pub async fn upsert_many(tx: &mut Tx, orders: &[NewOrder]) -> Result<Vec<i64>, sqlx::Error> {
    const BATCH: usize = 400;
    let updates = INSERT_COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !["order_no", "type", "department", "created_by"].contains(c))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut ids = Vec::with_capacity(orders.len());
    for chunk in orders.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * INSERT_ARITY, INSERT_ARITY)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO dashboards ({INSERT_COLUMNS}) VALUES {values}
             ON CONFLICT (order_no, type, department) DO UPDATE SET {updates}
             RETURNING dashboard_id"
        );
        let batch: Vec<i64> = on_tx!(tx, |c| {
            let mut q = sqlx::query_scalar(&sql);
            for o in chunk {
                q = bind_order!(q, o);
            }
            q.fetch_all(&mut *c).await?
        });
        ids.extend(batch);
    }
    Ok(ids)
}

pub async fn get(db: &Db, id: i64) -> Result<Option<OrderRow>, sqlx::Error> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM dashboards WHERE dashboard_id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// An order with its lock row (live or not) and its remarks, in one query: each
/// statement costs the SQLite driver a thread handoff there and back, and this is
/// what every operator's screen asks for most.
#[derive(Debug, sqlx::FromRow)]
pub struct OrderDetailRow {
    #[sqlx(flatten)]
    pub order: OrderRow,
    pub lock_by: Option<String>,
    pub lock_type: Option<String>,
    pub lock_expires_at: Option<DateTime<Utc>>,
    /// The remarks in id order, as a JSON array of [`RemarkRow`] arrays.
    pub remarks: String,
}

pub async fn get_detail(db: &Db, id: i64) -> Result<Option<OrderDetailRow>, sqlx::Error> {
    let sql = detail_sql(db);
    on_pool!(db.reader(), |p| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

/// The same read inside a write transaction (sees its own writes).
pub async fn get_detail_in(
    tx: &mut Tx,
    db: &Db,
    id: i64,
) -> Result<Option<OrderDetailRow>, sqlx::Error> {
    let sql = detail_sql(db);
    on_tx!(tx, |c| sqlx::query_as(sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)
}

fn detail_sql(db: &Db) -> &'static str {
    // Built once per engine: this is the most frequent request of all.
    static SQL: [std::sync::OnceLock<String>; 2] = [const { std::sync::OnceLock::new() }; 2];
    SQL[usize::from(db.engine() == "postgres")].get_or_init(|| {
        let columns = ORDER_COLUMNS
            .split(", ")
            .map(|c| format!("o.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let remarks = db.json_rows(crate::store::remarks::COLUMNS, "remark_id");
        format!(
            "SELECT {columns}, l.locked_by AS lock_by, l.lock_type AS lock_type, l.expires_at AS lock_expires_at,
                    (SELECT {remarks} FROM dashboard_remarks r WHERE r.dashboard_id = o.dashboard_id) AS remarks
             FROM dashboards o LEFT JOIN dashboard_locks l ON l.dashboard_id = o.dashboard_id
             WHERE o.dashboard_id = $1"
        )
    })
}

pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<OrderRow>, sqlx::Error> {
    let sql = format!("SELECT {ORDER_COLUMNS} FROM dashboards WHERE dashboard_id = $1");
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&mut *c)
        .await)
}

/// `(id, status)` of those of `ids` that exist.
pub async fn statuses(tx: &mut Tx, ids: &[i64]) -> Result<Vec<(i64, Status)>, sqlx::Error> {
    let sql = format!(
        "SELECT dashboard_id, status FROM dashboards WHERE dashboard_id IN ({}) ORDER BY dashboard_id",
        placeholders(1, ids.len())
    );
    let rows: Vec<(i64, String)> = on_tx!(tx, |c| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(&mut *c).await?
    });
    rows.into_iter()
        .map(|(id, s)| {
            s.parse()
                .map(|s| (id, s))
                .map_err(|e: String| sqlx::Error::Decode(e.into()))
        })
        .collect()
}

/// Which of `ids` exist.
pub async fn existing(tx: &mut Tx, ids: &[i64]) -> Result<Vec<i64>, sqlx::Error> {
    Ok(statuses(tx, ids)
        .await?
        .into_iter()
        .map(|(id, _)| id)
        .collect())
}

pub(super) fn filter_sql(first: usize) -> String {
    // `$n IS NULL OR col = $n` keeps one statement text for every filter combination.
    let cols = ["type", "department", "warehouse", "status"];
    cols.iter()
        .enumerate()
        .map(|(i, col)| {
            let n = first + i;
            format!(" AND (CAST(${n} AS TEXT) IS NULL OR {col} = ${n})")
        })
        .collect()
}

pub(super) fn filter_values(f: &Filters) -> [Option<&'static str>; 4] {
    [
        f.order_type.value().map(OrderType::as_str),
        f.department.value().map(Department::as_str),
        f.warehouse.value().map(Warehouse::as_str),
        f.status.value().map(Status::as_str),
    ]
}

/// Orders whose ETA is in `[from, to)`, by ETA, read as rows (the driver's
/// binary form on PostgreSQL): each is decoded once and serialized once.
pub async fn list(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    f: &Filters,
) -> Result<Vec<ListRow>, BulkReadError> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM dashboards WHERE eta >= $1 AND eta < $2{} ORDER BY eta, dashboard_id",
        filter_sql(3)
    );
    let [a, b, c, d] = filter_values(f);
    if let Some(scanners) = db.scanners() {
        // SQLite: read and decoded where the connection lives (see `scanned`).
        return scanners
            .run(move |conn| -> rusqlite::Result<Vec<ListRow>> {
                let mut stmt = conn.prepare_cached(&sql)?;
                let rows = stmt.query_map(
                    rusqlite::params![bound_time(from), bound_time(to), a, b, c, d],
                    list_row,
                )?;
                rows.collect()
            })
            .await?
            .map_err(Into::into);
    }
    let rows = on_pool!(db.bulk_reader(), |p| {
        sqlx::query_as(&sql)
            .bind(from)
            .bind(to)
            .bind(a)
            .bind(b)
            .bind(c)
            .bind(d)
            .fetch_all(p)
            .await
    })?;
    Ok(rows)
}

/// A row of [`LIST_COLUMNS`], by position.
fn list_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ListRow> {
    Ok(ListRow {
        dashboard_id: r.get(0)?,
        order_no: r.get(1)?,
        order_type: parsed(r, 2)?,
        status: parsed(r, 3)?,
        department: parsed(r, 4)?,
        warehouse: parsed(r, 5)?,
        eta: time(r, 6)?,
        customer: r.get(7)?,
        city: r.get(8)?,
        county: r.get(9)?,
        district: r.get(10)?,
        driver_name: r.get(11)?,
    })
}

/// Oldest and latest ETA (or creation time) in the store.
pub async fn range_of(
    db: &Db,
    column: RangeColumn,
) -> Result<Option<(DateTime<Utc>, DateTime<Utc>)>, sqlx::Error> {
    let col = match column {
        RangeColumn::Eta => "eta",
        RangeColumn::CreateTime => "create_time",
    };
    // Two index lookups rather than one MIN/MAX scan.
    let sql_min = format!("SELECT {col} FROM dashboards ORDER BY {col} ASC LIMIT 1");
    let sql_max = format!("SELECT {col} FROM dashboards ORDER BY {col} DESC LIMIT 1");
    type Edge = Option<(DateTime<Utc>,)>;
    let min: Edge = on_pool!(db.reader(), |p| sqlx::query_as(&sql_min)
        .fetch_optional(p)
        .await)?;
    let max: Edge = on_pool!(db.reader(), |p| sqlx::query_as(&sql_max)
        .fetch_optional(p)
        .await)?;
    Ok(min.zip(max).map(|(a, b)| (a.0, b.0)))
}

#[derive(Debug, Clone, Copy)]
pub enum RangeColumn {
    Eta,
    CreateTime,
}

/// Exact matches first, then substring matches; newest ETA first.
pub async fn search(db: &Db, order_no: &str, limit: i64) -> Result<Vec<ListRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {LIST_COLUMNS} FROM dashboards WHERE order_no LIKE $1 ESCAPE '\\'
         ORDER BY CASE WHEN order_no = $2 THEN 0 ELSE 1 END, eta DESC, dashboard_id DESC LIMIT $3"
    );
    let pattern = format!("%{}%", like_escape(order_no));
    on_pool!(db.reader(), |p| {
        sqlx::query_as(&sql)
            .bind(&pattern)
            .bind(order_no)
            .bind(limit)
            .fetch_all(p)
            .await
    })
}

/// Writes every editable column of `o` back (the caller holds the order's lock).
pub async fn save_fields(tx: &mut Tx, o: &OrderRow, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE dashboards SET eta = $2, postal_code = $3, city = $4, county = $5, district = $6,
                 distance = $7, duration_time = $8, address = $9, customer = $10, contact = $11,
                 sla = $12, driver_name = $13, driver_contact = $14, updated_at = $15
             WHERE dashboard_id = $1",
        )
        .bind(o.dashboard_id)
        .bind(o.eta)
        .bind(&o.postal_code)
        .bind(&o.city)
        .bind(&o.county)
        .bind(&o.district)
        .bind(o.distance)
        .bind(o.duration_time)
        .bind(&o.address)
        .bind(&o.customer)
        .bind(&o.contact)
        .bind(&o.sla)
        .bind(&o.driver_name)
        .bind(&o.driver_contact)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

pub async fn save_status(
    tx: &mut Tx,
    id: i64,
    status: Status,
    depart: Option<DateTime<Utc>>,
    complete: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query(
            "UPDATE dashboards SET status = $2, depart_time = $3, complete_time = $4, updated_at = $5
             WHERE dashboard_id = $1",
        )
        .bind(id)
        .bind(status.as_str())
        .bind(depart)
        .bind(complete)
        .bind(now)
        .execute(&mut *c)
        .await?;
    });
    Ok(())
}

pub async fn assign(
    tx: &mut Tx,
    ids: &[i64],
    driver_name: &str,
    driver_contact: Option<&str>,
    now: DateTime<Utc>,
) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "UPDATE dashboards SET driver_name = $1, driver_contact = $2, updated_at = $3
         WHERE dashboard_id IN ({})",
        placeholders(4, ids.len())
    );
    let n = on_tx!(tx, |c| {
        let mut q = sqlx::query(&sql)
            .bind(driver_name)
            .bind(driver_contact)
            .bind(now);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&mut *c).await?.rows_affected()
    });
    Ok(n)
}

/// Deletes orders; their remarks and locks go with them (foreign keys cascade).
pub async fn delete(tx: &mut Tx, ids: &[i64]) -> Result<u64, sqlx::Error> {
    let sql = format!(
        "DELETE FROM dashboards WHERE dashboard_id IN ({})",
        placeholders(1, ids.len())
    );
    let n = on_tx!(tx, |c| {
        let mut q = sqlx::query(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(&mut *c).await?.rows_affected()
    });
    Ok(n)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_pool!(db.reader(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM dashboards")
            .fetch_one(p)
            .await
    })?;
    Ok(n)
}
