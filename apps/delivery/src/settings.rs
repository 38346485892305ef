//! `[apps.delivery]` / `ONDOL_DELIVERY_*`: delivery's own settings (the platform's,
//! such as `port`, are listed in the README).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// How long an edit lock lasts without a renewal (seed: 5 minutes).
    pub lock_seconds: u64,
    /// The longest date range a list, statistic or export may span.
    pub max_range_days: i64,
    /// Days before today whose orders the month view holds in memory; lists
    /// within the held days are served from there (both 0: every list reads
    /// the database).
    pub list_days_back: i64,
    /// Days after today held likewise.
    pub list_days_ahead: i64,
    /// Bulk reads (an uncached month list, an export) running at once.
    pub bulk_read_concurrency: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lock_seconds: 300,
            max_range_days: 92,
            list_days_back: 62,
            list_days_ahead: 31,
            bulk_read_concurrency: platform::db::BULK_READERS as usize,
        }
    }
}
