//! The month view from memory: the orders of the days around today, each kept
//! as the JSON the list sends for it, brought up to date from the database's
//! change counter at the start of every list request.
//!
//! Why the counter and not the live view's events: an event from another
//! server can arrive after a request that should already see its change, and
//! events are lost while Redis is away. The counter is read in the same round
//! trip as the list's `date_range`; when it has moved, the orders changed
//! since are read (an index range on `change_seq`) and applied row by row, each
//! only if newer than the one held. So a reply holds every change committed
//! before its request began, on whichever server it was made, whatever happened
//! to the event bus, and a list is a filter and a concatenation.

mod day;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, RwLock};

use bytes::{BufMut, BytesMut};
use chrono::{Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use platform::db::Db;
use platform::http::gzip::Piece;

use crate::store::changes::{self, Head, Versioned};
use crate::store::orders::Filters;
pub use day::{Day, Entry};

/// Which days the projection holds, around today (in the configured zone).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub days_back: i64,
    pub days_ahead: i64,
}

impl Window {
    pub fn is_off(&self) -> bool {
        self.days_back <= 0 && self.days_ahead <= 0
    }

    fn around(&self, today: NaiveDate) -> (NaiveDate, NaiveDate) {
        (
            today - Duration::days(self.days_back),
            today + Duration::days(self.days_ahead),
        )
    }
}

struct State {
    /// The day the window was laid around; a new day reloads.
    today: NaiveDate,
    first: NaiveDate,
    last: NaiveDate,
    /// Every change up to this one is applied.
    seq: i64,
    days: BTreeMap<NaiveDate, Arc<Day>>,
    /// Which day each held order is on.
    day_of: HashMap<i64, NaiveDate>,
}

pub struct Projection {
    db: Db,
    tz: Tz,
    window: Window,
    state: RwLock<Option<State>>,
    /// One catch-up at a time; the others wait for it and find it done.
    catching_up: tokio::sync::Mutex<()>,
}

/// The days of one list request, as the projection held them.
pub struct Month {
    days: Vec<Arc<Day>>,
    filters: Filters,
}

impl Projection {
    pub fn new(db: Db, tz: Tz, window: Window) -> Self {
        Self {
            db,
            tz,
            window,
            state: RwLock::new(None),
            catching_up: tokio::sync::Mutex::new(()),
        }
    }

    fn today(&self) -> NaiveDate {
        platform::time::local_date(Utc::now(), self.tz)
    }

    /// The days `[start, end]` up to date with `head` (read after the request
    /// began), or `None` when they are not all within the window.
    pub async fn month(
        &self,
        start: NaiveDate,
        end: NaiveDate,
        filters: Filters,
        head: Head,
    ) -> Result<Option<Month>, sqlx::Error> {
        if self.window.is_off() {
            return Ok(None);
        }
        let today = self.today();
        let (first, last) = self.window.around(today);
        if start < first || end > last {
            return Ok(None);
        }
        if !self.is_current(today, head) {
            let _one = self.catching_up.lock().await;
            if !self.is_current(today, head) {
                self.catch_up(today, head).await?;
            }
        }
        let state = self.state.read().expect("projection lock poisoned");
        let state = state.as_ref().expect("caught up above");
        let days = state
            .days
            .range(start..=end)
            .map(|(_, d)| d.clone())
            .collect();
        Ok(Some(Month { days, filters }))
    }

    fn is_current(&self, today: NaiveDate, head: Head) -> bool {
        let state = self.state.read().expect("projection lock poisoned");
        state
            .as_ref()
            .is_some_and(|s| s.today == today && s.seq >= head.seq)
    }

    async fn catch_up(&self, today: NaiveDate, head: Head) -> Result<(), sqlx::Error> {
        let behind = {
            let state = self.state.read().expect("projection lock poisoned");
            match state.as_ref() {
                Some(s) if s.today == today && s.seq >= head.pruned_seq => Some(s.seq),
                _ => None,
            }
        };
        match behind {
            Some(seq) => {
                // Deletions first: an order deleted between the two reads is
                // then simply absent from the second, and the deletion is
                // found by the next catch-up (its number is above `head`).
                let deleted = changes::deleted_since(&self.db, seq).await?;
                let changed = changes::changed_since(&self.db, seq).await?;
                let mut state = self.state.write().expect("projection lock poisoned");
                let state = state.as_mut().expect("held above");
                self.apply(state, changed, deleted);
                state.seq = state.seq.max(head.seq);
            }
            None => {
                let (first, last) = self.window.around(today);
                let state = self.load(today, first, last, head.seq).await?;
                *self.state.write().expect("projection lock poisoned") = Some(state);
            }
        }
        Ok(())
    }

    async fn load(
        &self,
        today: NaiveDate,
        first: NaiveDate,
        last: NaiveDate,
        seq: i64,
    ) -> Result<State, sqlx::Error> {
        let (from, to) = platform::time::day_range(first, last, self.tz)
            .expect("the window's days exist in the zone");
        let rows = changes::window(&self.db, from, to).await?;
        let mut by_day: BTreeMap<NaiveDate, Vec<Arc<Entry>>> = BTreeMap::new();
        let mut day_of = HashMap::with_capacity(rows.len());
        for v in rows {
            let day = platform::time::local_date(v.row.eta, self.tz);
            day_of.insert(v.row.dashboard_id, day);
            by_day
                .entry(day)
                .or_default()
                .push(Arc::new(Entry::new(v, self.tz)));
        }
        let days = by_day
            .into_iter()
            .map(|(d, rows)| (d, Arc::new(Day::new(rows))))
            .collect();
        tracing::debug!(%first, %last, orders = day_of.len(), seq, "month projection loaded");
        Ok(State {
            today,
            first,
            last,
            seq,
            days,
            day_of,
        })
    }

    /// Applies changed and deleted orders; each day they touch is rebuilt once.
    fn apply(&self, state: &mut State, changed: Vec<Versioned>, deleted: Vec<i64>) {
        let mut removed: HashMap<NaiveDate, HashSet<i64>> = HashMap::new();
        let mut added: HashMap<NaiveDate, Vec<Arc<Entry>>> = HashMap::new();
        for id in deleted {
            if let Some(day) = state.day_of.remove(&id) {
                removed.entry(day).or_default().insert(id);
            }
        }
        for v in changed {
            let id = v.row.dashboard_id;
            if let Some(&day) = state.day_of.get(&id) {
                let held = state
                    .days
                    .get(&day)
                    .and_then(|d| d.rows().iter().find(|e| e.id == id).map(|e| e.seq));
                if held.is_some_and(|seq| seq >= v.change_seq) {
                    continue;
                }
                removed.entry(day).or_default().insert(id);
                state.day_of.remove(&id);
            }
            let day = platform::time::local_date(v.row.eta, self.tz);
            if day < state.first || day > state.last {
                continue;
            }
            state.day_of.insert(id, day);
            added
                .entry(day)
                .or_default()
                .push(Arc::new(Entry::new(v, self.tz)));
        }
        let touched: HashSet<NaiveDate> = removed.keys().chain(added.keys()).copied().collect();
        let none = HashSet::new();
        for day in touched {
            let next = {
                let old = state.days.get(&day).cloned().unwrap_or_default();
                old.with(
                    removed.get(&day).unwrap_or(&none),
                    added.remove(&day).unwrap_or_default(),
                )
            };
            if next.is_empty() {
                state.days.remove(&day);
            } else {
                state.days.insert(day, Arc::new(next));
            }
        }
    }
}

impl Month {
    fn unfiltered(&self) -> bool {
        self.filters.order_type.value().is_none()
            && self.filters.department.value().is_none()
            && self.filters.warehouse.value().is_none()
            && self.filters.status.value().is_none()
    }

    /// The items, comma-separated (what goes between `[` and `]`).
    pub fn write_items(&self, out: &mut BytesMut) {
        let mut first = true;
        if self.unfiltered() {
            for day in self.days.iter().filter(|d| !d.is_empty()) {
                if !first {
                    out.put_u8(b',');
                }
                out.put_slice(day.block());
                first = false;
            }
            return;
        }
        for e in self.days.iter().flat_map(|d| d.rows()) {
            if e.passes(&self.filters) {
                if !first {
                    out.put_u8(b',');
                }
                out.put_slice(&e.json);
                first = false;
            }
        }
    }

    /// The items as gzip pieces: each day's kept piece when unfiltered, else
    /// the filtered items compressed now.
    pub fn gzip_items(&self) -> Vec<Piece> {
        if !self.unfiltered() {
            let mut out = BytesMut::new();
            self.write_items(&mut out);
            return vec![Piece::compress(&out, 1)];
        }
        let mut pieces = Vec::with_capacity(self.days.len() * 2);
        let comma = Piece::stored(b",");
        for day in self.days.iter().filter(|d| !d.is_empty()) {
            if !pieces.is_empty() {
                pieces.push(comma.clone());
            }
            pieces.push(day.gzip().clone());
        }
        pieces
    }
}
