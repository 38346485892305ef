use platform::db::{Db, Tx, placeholders};
use platform::{on_pool, on_tx};

use crate::model::Warehouse;

/// One line of the postal-code table: a code and its distance from one warehouse.
#[derive(Debug, Clone, PartialEq)]
pub struct PostalEntry {
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub warehouse: Warehouse,
    pub distance: i32,
    pub duration_time: i32,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Place {
    pub city: String,
    pub county: String,
    pub district: String,
    pub distance: Option<i32>,
    pub duration_time: Option<i32>,
}

const LOOKUP: &str = "SELECT p.city, p.county, p.district, d.distance, d.duration_time
     FROM postal_codes p
     LEFT JOIN postal_code_details d ON d.postal_code = p.postal_code AND d.warehouse = $2
     WHERE p.postal_code = $1";

/// The code's place, with the warehouse-specific distance and duration if known.
pub async fn lookup(
    db: &Db,
    postal_code: &str,
    warehouse: Warehouse,
) -> Result<Option<Place>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(LOOKUP)
            .bind(postal_code)
            .bind(warehouse.as_str())
            .fetch_optional(p)
            .await
    })
}

/// [`lookup`] inside a transaction: a second pooled connection taken while the
/// transaction holds one would let a burst of edits (more than the pool holds)
/// wait on each other until they time out.
pub async fn lookup_in(
    tx: &mut Tx,
    postal_code: &str,
    warehouse: Warehouse,
) -> Result<Option<Place>, sqlx::Error> {
    on_tx!(tx, |c| {
        sqlx::query_as(LOOKUP)
            .bind(postal_code)
            .bind(warehouse.as_str())
            .fetch_optional(c)
            .await
    })
}

/// Inserts or updates entries, in one transaction, a few hundred rows per
/// statement (the bundled table holds twelve thousand).
pub async fn import(db: &Db, entries: &[PostalEntry]) -> Result<usize, sqlx::Error> {
    const BATCH: usize = 200;
    let mut places: Vec<&PostalEntry> = Vec::new();
    for e in entries {
        if !places.iter().any(|p| p.postal_code == e.postal_code) {
            places.push(e);
        }
    }
    let mut tx = db.begin().await?;
    for chunk in places.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * 4, 4)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO postal_codes (postal_code, city, county, district) VALUES {values}
             ON CONFLICT (postal_code) DO UPDATE SET city = excluded.city,
                 county = excluded.county, district = excluded.district"
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(&e.postal_code)
                    .bind(&e.city)
                    .bind(&e.county)
                    .bind(&e.district);
            }
            q.execute(&mut *c).await?;
        });
    }
    for chunk in entries.chunks(BATCH) {
        let values = (0..chunk.len())
            .map(|i| format!("({})", placeholders(1 + i * 4, 4)))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO postal_code_details (postal_code, warehouse, distance, duration_time)
             VALUES {values}
             ON CONFLICT (postal_code, warehouse) DO UPDATE SET distance = excluded.distance,
                 duration_time = excluded.duration_time"
        );
        on_tx!(&mut tx, |c| {
            let mut q = sqlx::query(&sql);
            for e in chunk {
                q = q
                    .bind(&e.postal_code)
                    .bind(e.warehouse.as_str())
                    .bind(e.distance)
                    .bind(e.duration_time);
            }
            q.execute(&mut *c).await?;
        });
    }
    tx.commit().await?;
    Ok(entries.len())
}

/// A postal code with its distance from every warehouse that has one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Found {
    pub postal_code: String,
    pub city: String,
    pub county: String,
    pub district: String,
    pub warehouse: Option<String>,
    pub distance: Option<i32>,
    pub duration_time: Option<i32>,
}

/// Codes whose code, city, county or district contains `q` (case and `LIKE`
/// wildcards taken literally), at most `limit` codes, in code order; one row per
/// code and warehouse.
pub async fn search(db: &Db, q: &str, limit: i64) -> Result<Vec<Found>, sqlx::Error> {
    let pattern = format!("%{}%", platform::db::like_escape(q));
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT p.postal_code, p.city, p.county, p.district,
                d.warehouse, d.distance, d.duration_time
         FROM (SELECT * FROM postal_codes
               WHERE postal_code LIKE $1 ESCAPE '\\' OR city LIKE $1 ESCAPE '\\'
                  OR county LIKE $1 ESCAPE '\\' OR district LIKE $1 ESCAPE '\\'
               ORDER BY postal_code LIMIT $2) p
         LEFT JOIN postal_code_details d ON d.postal_code = p.postal_code
         ORDER BY p.postal_code, d.warehouse"
    )
    .bind(pattern)
    .bind(limit)
    .fetch_all(p)
    .await)
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_pool!(db.reader(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM postal_codes")
            .fetch_one(p)
            .await
    })?;
    Ok(n)
}
