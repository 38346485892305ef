//! A response cache that empties itself whenever anything is published on a hub
//! topic. With Redis the hub spans instances, so a write on one instance invalidates
//! every instance's cache. A TTL bounds staleness should an event ever be missed
//! (a Redis reconnect, a dropped subscriber).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use tokio_util::sync::CancellationToken;

use crate::realtime::Hub;

mod expiring;
pub use expiring::ExpiringCache;

#[derive(Clone)]
pub struct TopicCache {
    inner: Arc<Mutex<Inner>>,
}

struct Inner {
    generation: u64,
    entries: HashMap<String, (Instant, Bytes)>,
    order: VecDeque<String>,
    bytes: usize,
    max_bytes: usize,
    ttl: Duration,
}

impl Inner {
    fn clear(&mut self) {
        self.generation += 1;
        self.entries.clear();
        self.order.clear();
        self.bytes = 0;
    }
}

/// The cache's state when a computation began; a value computed across an
/// invalidation is not stored.
#[derive(Debug, Clone, Copy)]
pub struct Ticket(u64);

impl TopicCache {
    /// A cache of at most `max_bytes`, emptied by every message on `topic`.
    pub fn new(
        hub: &Hub,
        topic: &str,
        max_bytes: usize,
        ttl: Duration,
        shutdown: CancellationToken,
    ) -> Self {
        let cache = Self {
            inner: Arc::new(Mutex::new(Inner {
                generation: 0,
                entries: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
                max_bytes,
                ttl,
            })),
        };
        let weak = Arc::downgrade(&cache.inner);
        let hub = hub.clone();
        let topic = topic.to_owned();
        let mut sub = hub.subscribe(&topic, 4096);
        tokio::spawn(async move {
            loop {
                let msg = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    msg = sub.recv() => msg,
                };
                let Some(inner) = weak.upgrade() else { return };
                inner.lock().expect("cache lock poisoned").clear();
                if msg.is_none() {
                    // Dropped as a slow subscriber: events may have been lost, which
                    // the clear above covers; subscribe again.
                    sub = hub.subscribe(&topic, 4096);
                }
            }
        });
        cache
    }

    /// Empties the cache now (a local write: its own reader must see it at once; the
    /// hub event covers the other instances).
    pub fn invalidate(&self) {
        self.inner.lock().expect("cache lock poisoned").clear();
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner.lock().expect("cache lock poisoned").generation)
    }

    pub fn get(&self, key: &str) -> Option<Bytes> {
        let inner = self.inner.lock().expect("cache lock poisoned");
        let (at, bytes) = inner.entries.get(key)?;
        (at.elapsed() < inner.ttl).then(|| bytes.clone())
    }

    /// Stores `value` unless the cache was invalidated since `ticket` was taken.
    pub fn put(&self, ticket: Ticket, key: String, value: Bytes) {
        let mut inner = self.inner.lock().expect("cache lock poisoned");
        if inner.generation != ticket.0 || value.len() > inner.max_bytes {
            return;
        }
        if let Some((_, old)) = inner.entries.remove(&key) {
            inner.bytes -= old.len();
            inner.order.retain(|k| k != &key);
        }
        while inner.bytes + value.len() > inner.max_bytes {
            let Some(oldest) = inner.order.pop_front() else {
                break;
            };
            if let Some((_, old)) = inner.entries.remove(&oldest) {
                inner.bytes -= old.len();
            }
        }
        inner.bytes += value.len();
        inner.order.push_back(key.clone());
        inner.entries.insert(key, (Instant::now(), value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::telemetry::Metrics;

    async fn setup() -> (Hub, TopicCache) {
        let hub = Hub::new(None, "t", Metrics::default(), CancellationToken::new())
            .await
            .unwrap();
        let cache = TopicCache::new(
            &hub,
            "changes",
            100,
            Duration::from_secs(60),
            CancellationToken::new(),
        );
        (hub, cache)
    }

    #[tokio::test]
    async fn a_message_on_the_topic_empties_the_cache() {
        let (hub, cache) = setup().await;
        cache.put(cache.ticket(), "k".into(), Bytes::from_static(b"v"));
        assert_eq!(cache.get("k").as_deref(), Some(&b"v"[..]));
        hub.publish("changes", "x").await.unwrap();
        for _ in 0..100 {
            if cache.get("k").is_none() {
                return;
            }
            tokio::task::yield_now().await;
        }
        panic!("not invalidated");
    }

    #[tokio::test]
    async fn values_computed_across_an_invalidation_are_not_stored() {
        let (hub, cache) = setup().await;
        let ticket = cache.ticket();
        hub.publish("changes", "x").await.unwrap();
        for _ in 0..100 {
            if cache.ticket().0 != ticket.0 {
                break;
            }
            tokio::task::yield_now().await;
        }
        cache.put(ticket, "k".into(), Bytes::from_static(b"stale"));
        assert!(cache.get("k").is_none());
    }

    #[tokio::test]
    async fn evicts_oldest_beyond_the_byte_budget() {
        let (_hub, cache) = setup().await;
        for i in 0..5 {
            cache.put(cache.ticket(), format!("k{i}"), Bytes::from(vec![0u8; 30]));
        }
        assert!(cache.get("k0").is_none() && cache.get("k1").is_none());
        assert!(cache.get("k4").is_some());
    }
}
