//! A durable outbox: effects that must leave the system (mails, webhooks, pushes)
//! are rows written in the same transaction as the change that causes them, and
//! a worker delivers them after the commit, with retries.
//!
//! - **Never before the commit, never lost.** [`Outbox::push`] writes the row
//!   inside the caller's [`Tx`]: a rolled-back change leaves no row, a committed one
//!   leaves a row that survives a crash until it is delivered.
//! - **Never slows the request.** The request only writes a row; the worker is woken
//!   after the commit and delivers in the background.
//! - **Once across instances.** A worker claims a row with a lease (`claimed_until`)
//!   in one statement (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite's single
//!   writer orders claims already), so two instances never deliver the same row at
//!   once. A process that dies mid-delivery leaves the lease to expire and the row
//!   is delivered again: delivery is at least once, and each row carries a stable
//!   id ([`OutboxRow::key`]) that receivers can deduplicate on.
//! - **Retries with backoff.** A failed delivery is tried again after
//!   `outbox_retry_ms`, doubling up to an hour, and given up after
//!   `outbox_max_attempts` (logged, kept in the table with its last error).
//!
//! Times are integer epoch milliseconds, compared the same way on both engines.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use crate::app::AppContext;
use crate::db::{Db, Tx};
use crate::{on_pool, on_tx};

const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    claimed_until_ms INTEGER,
    done_ms INTEGER,
    dead_ms INTEGER,
    last_error TEXT
)";
const POSTGRES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_outbox (
    id BIGSERIAL PRIMARY KEY,
    topic TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    claimed_until_ms BIGINT,
    done_ms BIGINT,
    dead_ms BIGINT,
    last_error TEXT
)";
const INDEXES: [&str; 1] = ["CREATE INDEX IF NOT EXISTS platform_outbox_due
    ON platform_outbox (topic, next_attempt_ms) WHERE done_ms IS NULL AND dead_ms IS NULL"];

/// Creates the outbox table in an app database (idempotent).
pub async fn ensure_schema(db: &Db) -> Result<(), sqlx::Error> {
    db.define(SQLITE_SCHEMA, POSTGRES_SCHEMA, &INDEXES).await
}

/// How long a claim holds a row: longer than any delivery may take (the SMTP and
/// HTTP clients time out well before).
const LEASE: Duration = Duration::from_secs(120);
/// The longest wait between two tries of one row.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);
/// Rows claimed per round.
const BATCH: i64 = 16;
/// Delivered rows are kept this long (to see what was sent), then removed.
const KEEP_DONE: Duration = Duration::from_secs(7 * 24 * 3600);

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// One row handed to a [`Deliver`].
#[derive(Debug, Clone)]
pub struct OutboxRow {
    pub id: i64,
    /// What was pushed.
    pub payload: String,
    /// 1 on the first try.
    pub attempt: i32,
    app: &'static str,
}

impl OutboxRow {
    /// A key that stays the same on every try of this row: a receiver that sees
    /// it twice has seen a redelivery.
    pub fn key(&self) -> String {
        format!("{}-outbox-{}", self.app, self.id)
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends what one topic's rows stand for. An `Err` is retried later.
pub trait Deliver: Send + Sync + 'static {
    fn deliver<'a>(&'a self, row: &'a OutboxRow) -> BoxFuture<'a, Result<(), String>>;
}

/// Retry timing, from the app's platform settings.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub first: Duration,
    pub poll: Duration,
    pub max_attempts: u32,
}

impl Retry {
    /// The wait after the `attempt`th failed try.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.first.saturating_mul(factor).min(MAX_BACKOFF)
    }
}

/// One topic of an app's outbox: where producers push rows and a worker
/// delivers them.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    app: &'static str,
    topic: &'static str,
    wake: Arc<Notify>,
    retry: Retry,
}

impl Outbox {
    /// The `topic` of `ctx`'s outbox, its worker started with `deliver` until the
    /// app shuts down.
    pub fn start(ctx: &AppContext, topic: &'static str, deliver: Arc<dyn Deliver>) -> Self {
        let p = &ctx.platform;
        let outbox = Self::new(
            ctx.db.clone(),
            ctx.name,
            topic,
            Retry {
                first: Duration::from_millis(p.outbox_retry_ms.max(1)),
                poll: Duration::from_millis(p.outbox_poll_ms.max(10)),
                max_attempts: p.outbox_max_attempts.max(1),
            },
        );
        outbox.spawn_worker(deliver, ctx.shutdown.clone());
        outbox
    }

    /// A handle on `topic` of `app`'s outbox in `db`, with no worker yet.
    pub fn new(db: Db, app: &'static str, topic: &'static str, retry: Retry) -> Self {
        Self {
            db,
            app,
            topic,
            wake: Arc::new(Notify::new()),
            retry,
        }
    }

    /// Starts a worker delivering this topic's rows until `shutdown`. Several
    /// workers (in one process or many) share the rows without delivering one
    /// twice at once.
    pub fn spawn_worker(&self, deliver: Arc<dyn Deliver>, shutdown: CancellationToken) {
        tokio::spawn(self.clone().work(deliver, shutdown));
    }

    /// Queues `payload` in `tx`: delivered after `tx` commits, never if it does not.
    pub async fn push(&self, tx: &mut Tx, payload: &str) -> Result<i64, sqlx::Error> {
        let now = now_ms();
        let sql = "INSERT INTO platform_outbox (topic, payload, created_ms, next_attempt_ms)
             VALUES ($1, $2, $3, $3) RETURNING id";
        let id: i64 = on_tx!(tx, |c| sqlx::query_scalar(sql)
            .bind(self.topic)
            .bind(payload)
            .bind(now)
            .fetch_one(c)
            .await)?;
        tx.wake_after_commit(&self.wake);
        Ok(id)
    }

    /// Rows of this topic not delivered yet (queued, being retried or given up).
    pub async fn pending(&self) -> Result<i64, sqlx::Error> {
        on_pool!(self.db.reader(), |p| sqlx::query_scalar(
            "SELECT COUNT(*) FROM platform_outbox WHERE topic = $1 AND done_ms IS NULL"
        )
        .bind(self.topic)
        .fetch_one(p)
        .await)
    }

    async fn work(self, deliver: Arc<dyn Deliver>, shutdown: CancellationToken) {
        let mut last_prune = 0;
        loop {
            match self.round(deliver.as_ref()).await {
                // A full batch: there may be more at once.
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, topic = self.topic, "outbox round failed"),
            }
            if now_ms() - last_prune > 3_600_000 {
                last_prune = now_ms();
                if let Err(e) = self.prune().await {
                    tracing::warn!(error = %e, "outbox prune failed");
                }
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(self.retry.poll) => {}
            }
        }
    }

    /// Claims due rows and delivers them; how many were claimed.
    async fn round(&self, deliver: &dyn Deliver) -> Result<usize, sqlx::Error> {
        let claimed = self.claim().await?;
        let n = claimed.len();
        for (id, payload, attempt) in claimed {
            let d = OutboxRow {
                id,
                payload,
                attempt,
                app: self.app,
            };
            match deliver.deliver(&d).await {
                Ok(()) => self.done(id).await?,
                Err(e) => self.failed(&d, &e).await?,
            }
        }
        Ok(n)
    }

    async fn claim(&self) -> Result<Vec<(i64, String, i32)>, sqlx::Error> {
        let now = now_ms();
        let lock = match self.db {
            Db::Postgres { .. } => "FOR UPDATE SKIP LOCKED",
            Db::Sqlite { .. } => "",
        };
        let sql = format!(
            "UPDATE platform_outbox SET claimed_until_ms = $1, attempts = attempts + 1
             WHERE id IN (SELECT id FROM platform_outbox
                 WHERE topic = $2 AND done_ms IS NULL AND dead_ms IS NULL
                   AND next_attempt_ms <= $3
                   AND (claimed_until_ms IS NULL OR claimed_until_ms < $3)
                 ORDER BY id LIMIT {BATCH} {lock})
             RETURNING id, payload, attempts"
        );
        let lease = i64::try_from(LEASE.as_millis()).expect("the lease fits in i64");
        let mut rows: Vec<(i64, String, i32)> = on_pool!(self.db.writer(), |p| {
            sqlx::query_as(&sql)
                .bind(now + lease)
                .bind(self.topic)
                .bind(now)
                .fetch_all(p)
                .await
        })?;
        rows.sort_by_key(|r| r.0);
        Ok(rows)
    }

    async fn done(&self, id: i64) -> Result<(), sqlx::Error> {
        on_pool!(self.db.writer(), |p| sqlx::query(
            "UPDATE platform_outbox SET done_ms = $2, claimed_until_ms = NULL, last_error = NULL
             WHERE id = $1"
        )
        .bind(id)
        .bind(now_ms())
        .execute(p)
        .await
        .map(drop))
    }

    async fn failed(&self, d: &OutboxRow, error: &str) -> Result<(), sqlx::Error> {
        let attempt = u32::try_from(d.attempt).unwrap_or(u32::MAX);
        let give_up = attempt >= self.retry.max_attempts;
        let now = now_ms();
        let wait = i64::try_from(self.retry.backoff(attempt).as_millis()).unwrap_or(i64::MAX);
        if give_up {
            tracing::error!(
                topic = self.topic,
                id = d.id,
                attempts = attempt,
                error,
                "outbox delivery given up"
            );
        } else {
            tracing::warn!(
                topic = self.topic,
                id = d.id,
                attempt,
                error,
                retry_in_ms = wait,
                "outbox delivery failed; will retry"
            );
        }
        on_pool!(self.db.writer(), |p| sqlx::query(
            "UPDATE platform_outbox SET claimed_until_ms = NULL, next_attempt_ms = $2,
                 last_error = $3, dead_ms = $4
             WHERE id = $1"
        )
        .bind(d.id)
        .bind(now.saturating_add(wait))
        .bind(error)
        .bind(give_up.then_some(now))
        .execute(p)
        .await
        .map(drop))
    }

    async fn prune(&self) -> Result<(), sqlx::Error> {
        let before = now_ms() - i64::try_from(KEEP_DONE.as_millis()).expect("fits in i64");
        on_pool!(self.db.writer(), |p| sqlx::query(
            "DELETE FROM platform_outbox WHERE topic = $1 AND done_ms < $2"
        )
        .bind(self.topic)
        .bind(before)
        .execute(p)
        .await
        .map(drop))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::sync::Mutex;

    use super::*;
    use crate::db::DbOptions;
    use crate::db::scratch::{Scratch, scratch};

    /// Records deliveries; fails while `down` is set.
    #[derive(Default)]
    struct Recorder {
        seen: Mutex<HashMap<String, usize>>,
        down: std::sync::atomic::AtomicBool,
        tries: std::sync::atomic::AtomicUsize,
    }

    impl Deliver for Recorder {
        fn deliver<'a>(&'a self, d: &'a OutboxRow) -> BoxFuture<'a, Result<(), String>> {
            Box::pin(async move {
                self.tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Long enough for two workers to race for the same rows.
                tokio::time::sleep(Duration::from_millis(5)).await;
                if self.down.load(std::sync::atomic::Ordering::SeqCst) {
                    return Err("receiver down".into());
                }
                *self
                    .seen
                    .lock()
                    .unwrap()
                    .entry(d.payload.clone())
                    .or_default() += 1;
                Ok(())
            })
        }
    }

    impl Recorder {
        fn count(&self) -> usize {
            self.seen.lock().unwrap().values().sum()
        }
    }

    const FAST: Retry = Retry {
        first: Duration::from_millis(50),
        poll: Duration::from_millis(20),
        max_attempts: 100,
    };

    async fn until(what: &str, mut done: impl FnMut() -> bool) {
        for _ in 0..400 {
            if done() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}");
    }

    /// Waits for the worker to mark every row done: a delivery is recorded a
    /// moment before its row is.
    async fn until_none_pending(outbox: &Outbox) {
        for _ in 0..400 {
            if outbox.pending().await.unwrap() == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("rows still pending: {}", outbox.pending().await.unwrap());
    }

    async fn delivers_after_commit_once_and_retries(db: &Db) {
        ensure_schema(db).await.expect("outbox table");
        let outbox = Outbox::new(db.clone(), "t", "mail", FAST);
        let recorder = Arc::new(Recorder::default());
        let shutdown = CancellationToken::new();
        // Two workers, as two instances would run.
        outbox.spawn_worker(recorder.clone(), shutdown.clone());
        outbox.spawn_worker(recorder.clone(), shutdown.clone());

        let mut tx = db.begin().await.expect("begin");
        outbox.push(&mut tx, "rolled back").await.expect("push");
        tx.rollback().await.expect("rollback");
        let mut tx = db.begin().await.expect("begin");
        for i in 0..40 {
            outbox.push(&mut tx, &format!("m{i}")).await.expect("push");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(recorder.count(), 0, "nothing leaves before the commit");
        tx.commit().await.expect("commit");
        until("40 deliveries", || recorder.count() == 40).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
        {
            let seen = recorder.seen.lock().unwrap();
            assert!(seen.values().all(|&n| n == 1), "each once: {seen:?}");
            assert!(!seen.contains_key("rolled back"));
        }
        until_none_pending(&outbox).await;

        // The receiver is down: the row is retried with backoff, then delivered
        // once it is back.
        recorder
            .down
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut tx = db.begin().await.expect("begin");
        outbox.push(&mut tx, "late").await.expect("push");
        tx.commit().await.expect("commit");
        let tries = || recorder.tries.load(std::sync::atomic::Ordering::SeqCst);
        let before = tries();
        until("two failed tries", || tries() >= before + 2).await;
        assert_eq!(outbox.pending().await.unwrap(), 1);
        recorder
            .down
            .store(false, std::sync::atomic::Ordering::SeqCst);
        until("the late delivery", || {
            recorder.seen.lock().unwrap().get("late") == Some(&1)
        })
        .await;
        until_none_pending(&outbox).await;
        shutdown.cancel();
    }

    #[tokio::test]
    async fn sqlite_delivers_after_commit_once_and_retries() {
        let (db, dir) = scratch(DbOptions::new(2, 4096)).await;
        delivers_after_commit_once_and_retries(&db).await;
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL (ONDOL_TEST_DATABASE_URL)"]
    async fn postgres_delivers_after_commit_once_and_retries() {
        let s = Scratch::new().await;
        delivers_after_commit_once_and_retries(&s.db).await;
    }

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        let r = Retry {
            first: Duration::from_secs(5),
            poll: Duration::from_secs(1),
            max_attempts: 20,
        };
        assert_eq!(r.backoff(1), Duration::from_secs(5));
        assert_eq!(r.backoff(2), Duration::from_secs(10));
        assert_eq!(r.backoff(3), Duration::from_secs(20));
        assert_eq!(r.backoff(11), MAX_BACKOFF);
        assert_eq!(r.backoff(u32::MAX), MAX_BACKOFF);
    }
}
