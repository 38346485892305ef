use platform::db::Db;
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

/// The code's place, with the warehouse-specific distance and duration if known.
pub async fn lookup(
    db: &Db,
    postal_code: &str,
    warehouse: Warehouse,
) -> Result<Option<Place>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
            "SELECT p.city, p.county, p.district, d.distance, d.duration_time
             FROM postal_codes p
             LEFT JOIN postal_code_details d ON d.postal_code = p.postal_code AND d.warehouse = $2
             WHERE p.postal_code = $1",
        )
        .bind(postal_code)
        .bind(warehouse.as_str())
        .fetch_optional(p)
        .await
    })
}

/// Inserts or updates entries, in one transaction.
pub async fn import(db: &Db, entries: &[PostalEntry]) -> Result<usize, sqlx::Error> {
    let mut tx = db.begin().await?;
    for e in entries {
        on_tx!(&mut tx, |c| {
            sqlx::query(
                "INSERT INTO postal_codes (postal_code, city, county, district) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (postal_code) DO UPDATE SET city = excluded.city,
                     county = excluded.county, district = excluded.district",
            )
            .bind(&e.postal_code)
            .bind(&e.city)
            .bind(&e.county)
            .bind(&e.district)
            .execute(&mut *c)
            .await?;
            sqlx::query(
                "INSERT INTO postal_code_details (postal_code, warehouse, distance, duration_time)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (postal_code, warehouse) DO UPDATE SET distance = excluded.distance,
                     duration_time = excluded.duration_time",
            )
            .bind(&e.postal_code)
            .bind(e.warehouse.as_str())
            .bind(e.distance)
            .bind(e.duration_time)
            .execute(&mut *c)
            .await?;
        });
    }
    tx.commit().await?;
    Ok(entries.len())
}

pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    let (n,): (i64,) = on_pool!(db.reader(), |p| {
        sqlx::query_as("SELECT COUNT(*) FROM postal_codes")
            .fetch_one(p)
            .await
    })?;
    Ok(n)
}
