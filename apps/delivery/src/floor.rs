//! The floor of a month list on this machine, for the benchmarks: how long the
//! database takes to hand over a range's rows (decoded into structs, as the
//! list's database path reads them), and how long Rust alone takes to
//! serialize them into the list's JSON. No server is involved.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use chrono_tz::Tz;
use platform::db::Db;

use crate::model::ListItem;
use crate::store::BulkReadError;
use crate::store::orders::{self, Filters};

pub struct Floor {
    pub rows: usize,
    /// The query and the rows' transfer and decoding.
    pub fetch: Duration,
    /// The rows into list items and JSON.
    pub serialize: Duration,
    pub json_bytes: usize,
}

/// One measurement of the days `[start, end]`.
pub async fn measure(
    db: &Db,
    tz: Tz,
    start: NaiveDate,
    end: NaiveDate,
) -> Result<Floor, BulkReadError> {
    let (from, to) = platform::time::day_range(start, end, tz)
        .ok_or_else(|| sqlx::Error::Protocol("the days do not exist in the zone".into()))?;
    let t0 = Instant::now();
    let rows = orders::list(db, from, to, &Filters::default()).await?;
    let fetch = t0.elapsed();
    let n = rows.len();
    let t1 = Instant::now();
    let items: Vec<ListItem> = rows.into_iter().map(|r| ListItem::new(r, tz)).collect();
    let json = serde_json::to_vec(&items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    let serialize = t1.elapsed();
    Ok(Floor {
        rows: n,
        fetch,
        serialize,
        json_bytes: json.len(),
    })
}
