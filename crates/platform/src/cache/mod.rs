//! Caches with a time to live, in memory or in Redis (shared by instances).

mod expiring;
pub use expiring::ExpiringCache;
