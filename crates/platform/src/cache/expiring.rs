//! Answers kept for a fixed time: in Redis when configured, so every instance
//! reuses what one computed, and in process otherwise (bounded, oldest out first).
//! A cache failure is a miss, never an error: the caller computes the answer.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::redis_conn::RedisConn;

enum Store {
    Redis(RedisConn),
    Memory(Mutex<HashMap<String, (Instant, String)>>),
}

/// A cache whose entries expire `ttl` after they were stored.
pub struct ExpiringCache {
    store: Store,
    ttl: Duration,
    /// Entries kept in process at most.
    max_entries: usize,
    /// Keys being computed in this process, so that a crowd missing one key
    /// waits for one computation instead of running it once each.
    flights: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

impl ExpiringCache {
    /// In `redis` when given (keys under its prefix), else in process with at most
    /// `max_entries` entries. A zero `ttl` caches nothing.
    pub fn new(redis: Option<RedisConn>, ttl: Duration, max_entries: usize) -> Self {
        Self {
            store: match redis {
                Some(r) => Store::Redis(r),
                None => Store::Memory(Mutex::new(HashMap::new())),
            },
            ttl,
            max_entries: max_entries.max(1),
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// The entry under `key`, or `compute`'s value, stored. Concurrent callers of
    /// one key in this process wait for a single computation (with Redis, each
    /// instance computes at most once per TTL). A zero TTL computes every time.
    pub async fn get_or_compute<E, F, Fut>(&self, key: &str, compute: F) -> Result<String, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, E>>,
    {
        if self.ttl.is_zero() {
            return compute().await;
        }
        if let Some(hit) = self.get(key).await {
            return Ok(hit);
        }
        let flight = self
            .flights
            .lock()
            .expect("cache lock poisoned")
            .entry(key.to_owned())
            .or_default()
            .clone();
        let result = {
            let _turn = flight.lock().await;
            match self.get(key).await {
                Some(hit) => Ok(hit),
                None => {
                    let value = compute().await?;
                    self.put(key, &value).await;
                    Ok(value)
                }
            }
        };
        let mut flights = self.flights.lock().expect("cache lock poisoned");
        // Two holders: the map's and ours; no one else waits on this key.
        if Arc::strong_count(&flight) <= 2 {
            flights.remove(key);
        }
        result
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The entry under `key`, if stored less than the TTL ago.
    pub async fn get(&self, key: &str) -> Option<String> {
        if self.ttl.is_zero() {
            return None;
        }
        match &self.store {
            Store::Memory(map) => {
                let map = map.lock().expect("cache lock poisoned");
                map.get(key)
                    .filter(|(at, _)| at.elapsed() < self.ttl)
                    .map(|(_, v)| v.clone())
            }
            Store::Redis(redis) => {
                let mut conn = redis.conn();
                redis::cmd("GET")
                    .arg(redis.key(key))
                    .query_async::<Option<String>>(&mut conn)
                    .await
                    .unwrap_or_else(|e| {
                        tracing::warn!(error = %e, "cache read failed");
                        None
                    })
            }
        }
    }

    /// Stores `value` under `key` for the TTL; a failure is logged.
    pub async fn put(&self, key: &str, value: &str) {
        if self.ttl.is_zero() {
            return;
        }
        match &self.store {
            Store::Memory(map) => {
                let mut map = map.lock().expect("cache lock poisoned");
                if map.len() >= self.max_entries && !map.contains_key(key) {
                    let ttl = self.ttl;
                    map.retain(|_, (at, _)| at.elapsed() < ttl);
                    if map.len() >= self.max_entries
                        && let Some(oldest) = map
                            .iter()
                            .min_by_key(|(_, (at, _))| *at)
                            .map(|(k, _)| k.clone())
                    {
                        map.remove(&oldest);
                    }
                }
                map.insert(key.to_owned(), (Instant::now(), value.to_owned()));
            }
            Store::Redis(redis) => {
                let mut conn = redis.conn();
                // Whole seconds, rounded up: Redis' `EX` has no smaller unit.
                let seconds = self.ttl.as_millis().div_ceil(1000).max(1) as u64;
                let stored: Result<(), _> = redis::cmd("SET")
                    .arg(redis.key(key))
                    .arg(value)
                    .arg("EX")
                    .arg(seconds)
                    .query_async(&mut conn)
                    .await;
                if let Err(e) = stored {
                    tracing::warn!(error = %e, "cache write failed");
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn memory_entries_expire_and_the_oldest_leaves_first() {
        let cache = ExpiringCache::new(None, Duration::from_millis(200), 2);
        cache.put("a", "1").await;
        cache.put("b", "2").await;
        assert_eq!(cache.get("a").await.as_deref(), Some("1"));
        cache.put("c", "3").await;
        assert_eq!(cache.get("a").await, None, "the oldest left for the third");
        assert_eq!(cache.get("c").await.as_deref(), Some("3"));
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(cache.get("c").await, None, "expired");
    }

    #[tokio::test]
    async fn a_crowd_missing_one_key_computes_it_once() {
        let cache = ExpiringCache::new(None, Duration::from_secs(60), 10);
        let runs = std::sync::atomic::AtomicUsize::new(0);
        let compute = || async {
            runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(50)).await;
            Ok::<_, ()>("v".to_owned())
        };
        let all =
            futures_util::future::join_all((0..20).map(|_| cache.get_or_compute("k", compute)))
                .await;
        assert!(all.iter().all(|r| r.as_deref() == Ok("v")));
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1);
        assert!(
            cache.flights.lock().unwrap().is_empty(),
            "no flight is left behind"
        );
    }

    #[tokio::test]
    async fn a_zero_ttl_keeps_nothing() {
        let cache = ExpiringCache::new(None, Duration::ZERO, 10);
        cache.put("a", "1").await;
        assert_eq!(cache.get("a").await, None);
    }
}
