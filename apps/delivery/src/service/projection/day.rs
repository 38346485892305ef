//! One day of the projection: its orders by ETA, each kept as the JSON the list
//! sends for it, and the day's part of an unfiltered list, plain and gzipped.
//! A day is never changed in place: a change builds the next one, so a reply
//! holds the days it read however the projection moves on.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use bytes::{BufMut, Bytes, BytesMut};
use chrono::{DateTime, Utc};
use platform::http::gzip::Piece;

use crate::model::{Department, ListItem, OrderType, Status, Warehouse};
use crate::store::changes::Versioned;
use crate::store::orders::Filters;

/// The gzip level of a day's piece: compressed once per change of the day, so
/// the default level costs little and saves bytes on every reply.
const GZIP_LEVEL: u32 = 6;

/// An order as the list shows it.
#[derive(Debug)]
pub struct Entry {
    pub id: i64,
    pub eta: DateTime<Utc>,
    /// The change that wrote it (`dashboards.change_seq`).
    pub seq: i64,
    order_type: OrderType,
    department: Department,
    warehouse: Warehouse,
    status: Status,
    /// The list item, serialized.
    pub json: Bytes,
}

impl Entry {
    pub fn new(v: Versioned, tz: chrono_tz::Tz) -> Self {
        let r = v.row;
        let (id, eta) = (r.dashboard_id, r.eta);
        let (order_type, department, warehouse, status) =
            (r.order_type, r.department, r.warehouse, r.status);
        let json =
            serde_json::to_vec(&ListItem::new(r, tz)).expect("a list item always serializes");
        Self {
            id,
            eta,
            seq: v.change_seq,
            order_type,
            department,
            warehouse,
            status,
            json: Bytes::from(json),
        }
    }

    pub fn passes(&self, f: &Filters) -> bool {
        f.order_type.value().is_none_or(|v| v == self.order_type)
            && f.department.value().is_none_or(|v| v == self.department)
            && f.warehouse.value().is_none_or(|v| v == self.warehouse)
            && f.status.value().is_none_or(|v| v == self.status)
    }

    fn key(&self) -> (DateTime<Utc>, i64) {
        (self.eta, self.id)
    }
}

#[derive(Debug, Default)]
pub struct Day {
    /// By ETA, then id: the list's order.
    rows: Vec<Arc<Entry>>,
    /// The rows' JSON joined with commas.
    block: Bytes,
    gzip: OnceLock<Piece>,
}

impl Day {
    pub fn new(mut rows: Vec<Arc<Entry>>) -> Self {
        rows.sort_unstable_by_key(|e| e.key());
        let size = rows.iter().map(|e| e.json.len() + 1).sum();
        let mut block = BytesMut::with_capacity(size);
        for (i, e) in rows.iter().enumerate() {
            if i > 0 {
                block.put_u8(b',');
            }
            block.put_slice(&e.json);
        }
        Self {
            rows,
            block: block.freeze(),
            gzip: OnceLock::new(),
        }
    }

    pub fn rows(&self) -> &[Arc<Entry>] {
        &self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every row's JSON, comma-separated.
    pub fn block(&self) -> &Bytes {
        &self.block
    }

    /// The block compressed, the first time it is asked for.
    pub fn gzip(&self) -> &Piece {
        self.gzip
            .get_or_init(|| Piece::compress(&self.block, GZIP_LEVEL))
    }

    /// The next day: `self` without `remove` and with `add`.
    pub fn with(&self, remove: &HashSet<i64>, add: Vec<Arc<Entry>>) -> Self {
        let mut rows: Vec<Arc<Entry>> = self
            .rows
            .iter()
            .filter(|e| !remove.contains(&e.id))
            .cloned()
            .collect();
        rows.extend(add);
        Self::new(rows)
    }
}
