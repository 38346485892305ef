//! The realtime hub: topics, per-topic ordering, bounded queues per subscriber.
//!
//! Without Redis, `publish` hands the message to local subscribers directly. With
//! Redis, every message goes through one Redis channel per topic and every instance
//! (this one included) delivers what it receives, so all subscribers everywhere see
//! one order per topic. A subscriber whose queue is full is dropped: its stream ends
//! and the connection that owns it closes, instead of buffering without bound.
//!
//! A connection with several subscriptions (a STOMP session) gives them one shared
//! [`Mailbox`]: one queue per connection, each message tagged with its subscription.
//!
//! Presence ([`presence`]) counts the open connections of a member (a user) in a
//! scope, so "first connection opened" and "last connection closed" are known across
//! devices and instances, also when an instance dies.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::redis_conn::RedisConn;
use crate::telemetry::Metrics;

pub mod presence;

pub use presence::Ended;
use presence::Presence;

/// How long an instance's presence counts outlive it, by default.
pub const PRESENCE_LEASE: Duration = Duration::from_secs(10);

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
    presence: Presence,
    metrics: Metrics,
}

struct Subscriber {
    id: u64,
    sink: Sink,
}

enum Sink {
    /// A [`Subscription`]'s own queue.
    Own(mpsc::Sender<Message>),
    /// A connection's shared [`Mailbox`], tagged with the subscription.
    Mailbox {
        tx: mpsc::Sender<Tagged>,
        tag: u64,
        overflow: CancellationToken,
    },
}

/// A message delivered to a [`Mailbox`], with the tag it was attached under.
#[derive(Debug, Clone)]
pub struct Tagged {
    pub tag: u64,
    pub message: Message,
}

/// One bounded queue for all the subscriptions of a connection. When it is full the
/// connection is too slow: every attachment is dropped and [`Mailbox::recv`] ends.
pub struct Mailbox {
    tx: mpsc::Sender<Tagged>,
    rx: mpsc::Receiver<Tagged>,
    overflow: CancellationToken,
}

impl Mailbox {
    /// The next message; `None` once the connection fell behind and was dropped.
    pub async fn recv(&mut self) -> Option<Tagged> {
        if self.overflow.is_cancelled() {
            return None;
        }
        tokio::select! {
            biased;
            msg = self.rx.recv() => msg,
            _ = self.overflow.cancelled() => None,
        }
    }

    pub fn overflowed(&self) -> bool {
        self.overflow.is_cancelled()
    }
}

/// A topic attached to a [`Mailbox`]. Dropping it detaches.
pub struct Attachment {
    topic: String,
    id: u64,
    hub: Weak<Inner>,
}

impl Drop for Attachment {
    fn drop(&mut self) {
        if let Some(inner) = self.hub.upgrade() {
            inner.remove(&self.topic, self.id);
        }
    }
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
        Self::with_presence_lease(redis, app, metrics, shutdown, PRESENCE_LEASE).await
    }

    /// A hub whose presence counts outlive a dead instance by `lease` (Redis only).
    pub async fn with_presence_lease(
        redis: Option<RedisConn>,
        app: &str,
        metrics: Metrics,
        shutdown: CancellationToken,
        lease: Duration,
    ) -> Result<Self, HubError> {
        let (channel_prefix, presence) = match &redis {
            Some(r) => (
                r.key(&format!("rt:{app}:")),
                Presence::redis(r.clone(), app, lease, shutdown.clone()).await?,
            ),
            None => (String::new(), Presence::memory()),
        };
        let inner = Arc::new(Inner {
            topics: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            redis: redis.clone(),
            channel_prefix,
            presence,
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
        let id = self.inner.add(topic, Sink::Own(tx));
        Subscription {
            rx,
            topic: topic.to_owned(),
            id,
            hub: Arc::downgrade(&self.inner),
        }
    }

    /// A queue of `queue` messages shared by the subscriptions of one connection.
    pub fn mailbox(&self, queue: usize) -> Mailbox {
        let (tx, rx) = mpsc::channel(queue.max(1));
        Mailbox {
            tx,
            rx,
            overflow: CancellationToken::new(),
        }
    }

    /// Delivers `topic` into `mailbox`, each message tagged with `tag`, until the
    /// attachment is dropped.
    pub fn attach(&self, mailbox: &Mailbox, topic: &str, tag: u64) -> Attachment {
        let id = self.inner.add(
            topic,
            Sink::Mailbox {
                tx: mailbox.tx.clone(),
                tag,
                overflow: mailbox.overflow.clone(),
            },
        );
        Attachment {
            topic: topic.to_owned(),
            id,
            hub: Arc::downgrade(&self.inner),
        }
    }

    /// Counts one more open connection of `member` in `scope`; `true` if it is the
    /// member's first, on every instance together.
    pub async fn presence_join(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        self.inner.presence.join(scope, member).await
    }

    /// Counts one open connection of `member` fewer; `true` if it was the last.
    pub async fn presence_leave(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        self.inner.presence.leave(scope, member).await
    }

    /// Does `member` have an open connection in `scope` on a live instance?
    pub async fn is_present(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        self.inner.presence.is_present(scope, member).await
    }

    /// Members whose last connection ended because its instance died (reported
    /// once, by the instance that reaps it); an app announces these as it does
    /// a last leave.
    pub fn presence_ended(&self) -> tokio::sync::broadcast::Receiver<Ended> {
        self.inner.presence.ended()
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

    /// Publishes several messages in order, in one round trip to Redis.
    pub async fn publish_all(&self, messages: Vec<(String, String)>) -> Result<(), HubError> {
        match &self.inner.redis {
            Some(redis) => {
                let mut pipe = redis::pipe();
                for (topic, message) in messages {
                    pipe.cmd("PUBLISH")
                        .arg(format!("{}{}", self.inner.channel_prefix, topic))
                        .arg(message)
                        .ignore();
                }
                pipe.query_async::<()>(&mut redis.conn()).await?;
            }
            None => {
                for (topic, message) in messages {
                    self.inner.deliver(&topic, Arc::from(message));
                }
            }
        }
        Ok(())
    }

    /// Is this the same hub (a clone of it)?
    pub fn same_as(&self, other: &Hub) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
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
    fn add(&self, topic: &str, sink: Sink) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        self.topics
            .lock()
            .expect("hub lock poisoned: a subscriber panicked while holding it")
            .entry(topic.to_owned())
            .or_default()
            .push(Subscriber { id, sink });
        id
    }

    fn deliver(&self, topic: &str, message: Message) {
        let mut topics = self.topics.lock().expect("hub lock poisoned");
        let Some(subscribers) = topics.get_mut(topic) else {
            return;
        };
        let mut delivered = 0u64;
        subscribers.retain(|s| {
            let sent = match &s.sink {
                Sink::Own(tx) => tx.try_send(message.clone()).map_err(|e| match e {
                    mpsc::error::TrySendError::Full(_) => true,
                    mpsc::error::TrySendError::Closed(_) => false,
                }),
                Sink::Mailbox { tx, tag, overflow } => {
                    if overflow.is_cancelled() {
                        return false;
                    }
                    let tagged = Tagged {
                        tag: *tag,
                        message: message.clone(),
                    };
                    tx.try_send(tagged).map_err(|e| match e {
                        mpsc::error::TrySendError::Full(_) => {
                            overflow.cancel();
                            true
                        }
                        mpsc::error::TrySendError::Closed(_) => false,
                    })
                }
            };
            match sent {
                Ok(()) => {
                    delivered += 1;
                    true
                }
                Err(full) => {
                    if full {
                        tracing::warn!(topic, subscriber = s.id, "slow subscriber dropped");
                    }
                    false
                }
            }
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
    async fn a_mailbox_tags_messages_and_ends_when_full() {
        let hub = hub().await;
        let mut mailbox = hub.mailbox(3);
        let a = hub.attach(&mailbox, "a", 1);
        let _b = hub.attach(&mailbox, "b", 2);
        hub.publish("a", "x").await.unwrap();
        hub.publish("b", "y").await.unwrap();
        let first = mailbox.recv().await.unwrap();
        assert_eq!((first.tag, &*first.message), (1, "x"));
        let second = mailbox.recv().await.unwrap();
        assert_eq!((second.tag, &*second.message), (2, "y"));
        drop(a);
        assert_eq!(hub.local_subscribers("a"), 0);
        for i in 0..4 {
            hub.publish("b", i.to_string()).await.unwrap();
        }
        assert!(mailbox.overflowed());
        assert!(mailbox.recv().await.is_none(), "an overflowed mailbox ends");
        assert_eq!(hub.local_subscribers("b"), 0);
    }

    #[tokio::test]
    async fn presence_counts_first_and_last_connection() {
        let hub = hub().await;
        assert!(hub.presence_join("s", "u1").await.unwrap());
        assert!(!hub.presence_join("s", "u1").await.unwrap());
        assert!(hub.presence_join("s", "u2").await.unwrap());
        assert!(hub.is_present("s", "u1").await.unwrap());
        assert!(!hub.presence_leave("s", "u1").await.unwrap());
        assert!(hub.presence_leave("s", "u1").await.unwrap());
        assert!(!hub.is_present("s", "u1").await.unwrap());
        assert!(
            !hub.presence_leave("s", "u1").await.unwrap(),
            "never below zero"
        );
        assert!(hub.is_present("s", "u2").await.unwrap());
    }

    #[tokio::test]
    async fn dropping_a_subscription_unsubscribes() {
        let hub = hub().await;
        let s = hub.subscribe("t", 4);
        assert_eq!(hub.local_subscribers("t"), 1);
        drop(s);
        assert_eq!(hub.local_subscribers("t"), 0);
    }

    /// Two instances on one Redis: the one holding a member's only connection
    /// dies without a leave (its lease stops being renewed). Within the lease the
    /// member is absent everywhere, the survivor reports the end exactly once, and
    /// the member's next connection is a first one again.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs Redis (ONDOL_TEST_REDIS_URL)"]
    async fn a_dead_instances_presence_expires_with_its_lease() {
        let url = std::env::var("ONDOL_TEST_REDIS_URL").expect("ONDOL_TEST_REDIS_URL");
        let prefix = format!("test:presence:{}:", uuid::Uuid::new_v4().simple());
        let redis = RedisConn::connect(&url, &prefix).await.expect("Redis");
        let lease = Duration::from_secs(1);
        let hub = |shutdown: CancellationToken| {
            Hub::with_presence_lease(
                Some(redis.clone()),
                "t",
                Metrics::default(),
                shutdown,
                lease,
            )
        };
        let doomed_life = CancellationToken::new();
        let doomed = hub(doomed_life.clone()).await.expect("a hub");
        let survivor_life = CancellationToken::new();
        let survivor = hub(survivor_life.clone()).await.expect("a hub");
        let mut ended = survivor.presence_ended();

        assert!(doomed.presence_join("room", "u1").await.unwrap());
        assert!(survivor.is_present("room", "u1").await.unwrap());
        // A second device of u1 on the survivor is not a first connection.
        assert!(!survivor.presence_join("room", "u1").await.unwrap());
        assert!(!survivor.presence_leave("room", "u1").await.unwrap());

        doomed_life.cancel(); // the lease is no longer renewed: as good as dead
        let started = std::time::Instant::now();
        while survivor.is_present("room", "u1").await.unwrap() {
            assert!(started.elapsed() < Duration::from_secs(3), "still present");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let gone = tokio::time::timeout(Duration::from_secs(5), ended.recv())
            .await
            .expect("the end is reported")
            .expect("a report");
        assert_eq!((gone.scope.as_str(), gone.member.as_str()), ("room", "u1"));
        assert!(
            tokio::time::timeout(Duration::from_millis(1500), ended.recv())
                .await
                .is_err(),
            "reported once"
        );
        assert!(
            survivor.presence_join("room", "u1").await.unwrap(),
            "a first connection again"
        );
        survivor_life.cancel();
        let mut conn = redis.conn();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut conn)
            .await
            .unwrap();
        if !keys.is_empty() {
            let _: i64 = redis::cmd("DEL")
                .arg(keys)
                .query_async(&mut conn)
                .await
                .unwrap();
        }
    }
}
