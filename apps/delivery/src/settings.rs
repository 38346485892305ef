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
    /// Memory for cached month-list replies; 0 turns the cache off.
    pub list_cache_bytes: usize,
    /// The longest a cached reply is served (events empty it sooner).
    pub list_cache_seconds: u64,
    /// Bulk reads (an uncached month list, an export) running at once.
    pub bulk_read_concurrency: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            lock_seconds: 300,
            max_range_days: 92,
            list_cache_bytes: 64 << 20,
            list_cache_seconds: 60,
            bulk_read_concurrency: platform::db::BULK_READERS as usize,
        }
    }
}
