//! The realtime hub: topics, per-topic ordering, bounded queues per subscriber.
//!
//! Without Redis, `publish` hands the message to local subscribers directly. With
//! Redis, every message goes through one Redis channel per topic and every instance
//! (this one included) delivers what it receives, so all subscribers everywhere see
//! one order per topic. A subscriber whose queue is full is dropped: its stream ends
//! and the connection that owns it closes, instead of buffering without bound.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::redis_conn::RedisConn;
use crate::telemetry::Metrics;

/// Messages are shared between subscribers, never copied per connection.
pub type Message = Arc<str>;

/// Default outbound queue per subscriber.
pub const DEFAULT_QUEUE: usize = 256;

#[derive(Clone)]
pub struct Hub {
    inner: Arc<Inner>,
}

struct Inner {
    topics: Mutex<HashMap<String, Vec<Subscriber>>>,
    next_id: AtomicU64,
    redis: Option<RedisConn>,
    channel_prefix: String,
    metrics: Metrics,
}

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Message>,
}

/// A subscription to one topic. Dropping it unsubscribes.
pub struct Subscription {
    rx: mpsc::Receiver<Message>,
    topic: String,
    id: u64,
    hub: Weak<Inner>,
}

impl Subscription {
    /// The next message; `None` once the subscriber was dropped for being slow or the
    /// hub is gone.
    pub async fn recv(&mut self) -> Option<Message> {
        self.rx.recv().await
    }

    pub fn topic(&self) -> &str {
        &self.topic
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        if let Some(inner) = self.hub.upgrade() {
            inner.remove(&self.topic, self.id);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum HubError {
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
}

impl Hub {
    /// A hub; with Redis, it first subscribes to this deployment's channels so that no
    /// message published after `new` returns is missed.
    pub async fn new(
        redis: Option<RedisConn>,
        app: &str,
        metrics: Metrics,
        shutdown: CancellationToken,
    ) -> Result<Self, HubError> {
        let channel_prefix = match &redis {
            Some(r) => r.key(&format!("rt:{app}:")),
            None => String::new(),
        };
        let inner = Arc::new(Inner {
            topics: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            redis: redis.clone(),
            channel_prefix,
            metrics,
        });
        if let Some(redis) = redis {
            let mut pubsub = redis.client.get_async_pubsub().await?;
            pubsub
                .psubscribe(format!("{}*", inner.channel_prefix))
                .await?;
            tokio::spawn(listen(Arc::downgrade(&inner), pubsub, redis, shutdown));
        }
        Ok(Self { inner })
    }

    pub fn subscribe(&self, topic: &str, queue: usize) -> Subscription {
        let (tx, rx) = mpsc::channel(queue.max(1));
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        self.inner
            .topics
            .lock()
            .expect("hub lock poisoned: a subscriber panicked while holding it")
            .entry(topic.to_owned())
            .or_default()
            .push(Subscriber { id, tx });
        Subscription {
            rx,
            topic: topic.to_owned(),
            id,
            hub: Arc::downgrade(&self.inner),
        }
    }

    /// Publishes to every subscriber of `topic`, on every instance.
    pub async fn publish(&self, topic: &str, message: impl Into<String>) -> Result<(), HubError> {
        let message: String = message.into();
        match &self.inner.redis {
            Some(redis) => {
                let mut conn = redis.conn();
                redis::cmd("PUBLISH")
                    .arg(format!("{}{}", self.inner.channel_prefix, topic))
                    .arg(message)
                    .query_async::<i64>(&mut conn)
                    .await?;
            }
            None => self.inner.deliver(topic, Arc::from(message)),
        }
        Ok(())
    }

    /// Subscribers of a topic on this instance.
    pub fn local_subscribers(&self, topic: &str) -> usize {
        self.inner
            .topics
            .lock()
            .expect("hub lock poisoned")
            .get(topic)
            .map_or(0, Vec::len)
    }
}

impl Inner {
    fn deliver(&self, topic: &str, message: Message) {
        let mut topics = self.topics.lock().expect("hub lock poisoned");
        let Some(subscribers) = topics.get_mut(topic) else {
            return;
        };
        let mut delivered = 0u64;
        subscribers.retain(|s| match s.tx.try_send(message.clone()) {
            Ok(()) => {
                delivered += 1;
                true
            }
            Err(mpsc::error::TrySendError::Full(_)) => {
                tracing::warn!(topic, subscriber = s.id, "slow subscriber dropped");
                false
            }
            Err(mpsc::error::TrySendError::Closed(_)) => false,
        });
        if subscribers.is_empty() {
            topics.remove(topic);
        }
        drop(topics);
        self.metrics.realtime_delivered(delivered);
    }

    fn remove(&self, topic: &str, id: u64) {
        let mut topics = self.topics.lock().expect("hub lock poisoned");
        if let Some(subscribers) = topics.get_mut(topic) {
            subscribers.retain(|s| s.id != id);
            if subscribers.is_empty() {
                topics.remove(topic);
            }
        }
    }
}

async fn listen(
    inner: Weak<Inner>,
    mut pubsub: redis::aio::PubSub,
    redis: RedisConn,
    shutdown: CancellationToken,
) {
    loop {
        {
            let mut stream = pubsub.on_message();
            loop {
                let msg = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    msg = stream.next() => msg,
                };
                let Some(msg) = msg else { break };
                let Some(inner) = inner.upgrade() else { return };
                let Some(topic) = msg.get_channel_name().strip_prefix(&inner.channel_prefix) else {
                    continue;
                };
                match std::str::from_utf8(msg.get_payload_bytes()) {
                    Ok(text) => inner.deliver(topic, Arc::from(text)),
                    Err(_) => tracing::warn!(topic, "non-UTF-8 realtime message ignored"),
                }
            }
        }
        // The subscription connection broke: reconnect until shutdown.
        tracing::warn!("realtime: redis subscription lost, reconnecting");
        loop {
            if shutdown.is_cancelled() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let Some(prefix) = inner.upgrade().map(|i| i.channel_prefix.clone()) else {
                return;
            };
            match redis.client.get_async_pubsub().await {
                Ok(mut p) => {
                    if p.psubscribe(format!("{prefix}*")).await.is_ok() {
                        pubsub = p;
                        break;
                    }
                }
                Err(e) => tracing::warn!(error = %e, "realtime: redis reconnect failed"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn hub() -> Hub {
        Hub::new(None, "test", Metrics::default(), CancellationToken::new())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn delivers_in_order_to_every_subscriber() {
        let hub = hub().await;
        let mut a = hub.subscribe("t", 16);
        let mut b = hub.subscribe("t", 16);
        for i in 0..10 {
            hub.publish("t", i.to_string()).await.unwrap();
        }
        for i in 0..10 {
            assert_eq!(&*a.recv().await.unwrap(), i.to_string());
            assert_eq!(&*b.recv().await.unwrap(), i.to_string());
        }
    }

    #[tokio::test]
    async fn slow_subscriber_is_dropped_not_buffered() {
        let hub = hub().await;
        let mut slow = hub.subscribe("t", 2);
        let mut fast = hub.subscribe("t", 64);
        for i in 0..5 {
            hub.publish("t", i.to_string()).await.unwrap();
            fast.recv().await.unwrap();
        }
        assert_eq!(hub.local_subscribers("t"), 1);
        assert!(slow.recv().await.is_some());
        assert!(slow.recv().await.is_some());
        assert!(
            slow.recv().await.is_none(),
            "a dropped subscriber's stream ends"
        );
    }

    #[tokio::test]
    async fn dropping_a_subscription_unsubscribes() {
        let hub = hub().await;
        let s = hub.subscribe("t", 4);
        assert_eq!(hub.local_subscribers("t"), 1);
        drop(s);
        assert_eq!(hub.local_subscribers("t"), 0);
    }
}
