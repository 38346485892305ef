//! Write transactions, and the effects that must wait for their commit.
//!
//! A change and the events it causes leave together or not at all: events are
//! queued on the transaction ([`Tx::publish_after_commit`]) and published only once
//! `COMMIT` succeeded, before the connection goes back to the pool. A failed commit,
//! an early return or a dropped future publishes nothing.
//!
//! Publishing after the commit opens a gap between two transactions' commits and
//! their events. Where subscribers need the events of one key (a chat room) in
//! commit order across instances, [`super::Db::begin_ordered`] holds a lock per
//! key from before `BEGIN` until the events are out (a PostgreSQL advisory lock;
//! SQLite's single writer connection already orders everything, and it is held
//! until the events are out).

use sqlx::postgres::PgConnection;
use sqlx::sqlite::SqliteConnection;

use super::pool::ConnTx;
use crate::realtime::Hub;

/// A write transaction on either engine.
pub struct Tx {
    conn: TxConn,
    after_commit: Vec<(Hub, String, String)>,
    /// Workers to wake once the rows they deliver are visible.
    wake: Vec<std::sync::Arc<tokio::sync::Notify>>,
}

/// The engine's transaction; use it through [`crate::on_tx!`].
#[doc(hidden)]
pub enum TxConn {
    Sqlite(ConnTx<SqliteConnection>),
    Postgres(ConnTx<PgConnection>),
}

impl Tx {
    pub(super) fn new(conn: TxConn) -> Self {
        Self {
            conn,
            after_commit: Vec::new(),
            wake: Vec::new(),
        }
    }

    #[doc(hidden)]
    pub fn engine(&mut self) -> &mut TxConn {
        &mut self.conn
    }

    /// Publishes `message` on `topic` of `hub` once this transaction has committed,
    /// in the order queued; never if it does not commit.
    pub fn publish_after_commit(
        &mut self,
        hub: &Hub,
        topic: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.after_commit
            .push((hub.clone(), topic.into(), message.into()));
    }

    /// Wakes `worker` once this transaction has committed (an outbox worker whose
    /// rows it wrote); never if it does not commit.
    pub fn wake_after_commit(&mut self, worker: &std::sync::Arc<tokio::sync::Notify>) {
        if !self.wake.iter().any(|w| std::sync::Arc::ptr_eq(w, worker)) {
            self.wake.push(worker.clone());
        }
    }

    /// Commits, then publishes what was queued. A publish that fails after the
    /// commit is logged, not returned: the change is stored, and subscribers that
    /// missed a live event read the state again.
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        let Self {
            conn,
            after_commit,
            wake,
        } = self;
        let publish = async move {
            publish_all(after_commit).await;
            for w in wake {
                w.notify_one();
            }
        };
        match conn {
            TxConn::Sqlite(t) => t.commit_then(publish).await,
            TxConn::Postgres(t) => t.commit_then(publish).await,
        }
    }

    /// Rolls back; nothing queued is published.
    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self.conn {
            TxConn::Sqlite(t) => t.rollback().await,
            TxConn::Postgres(t) => t.rollback().await,
        }
    }
}

async fn publish_all(events: Vec<(Hub, String, String)>) {
    let mut events = events.into_iter().peekable();
    while let Some((hub, topic, message)) = events.next() {
        // One round trip for each run of events on the same hub.
        let mut batch = vec![(topic, message)];
        while let Some((next, _, _)) = events.peek()
            && next.same_as(&hub)
        {
            let (_, topic, message) = events.next().expect("peeked");
            batch.push((topic, message));
        }
        let n = batch.len();
        if let Err(e) = hub.publish_all(batch).await {
            tracing::warn!(error = %e, events = n, "committed, but events were not published");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use tokio_util::sync::CancellationToken;

    use crate::db::scratch::{Scratch, count, execute, scratch};
    use crate::db::{Db, DbOptions};
    use crate::on_tx;
    use crate::realtime::{Hub, Subscription};
    use crate::telemetry::Metrics;

    async fn hub() -> Hub {
        Hub::new(None, "t", Metrics::default(), CancellationToken::new())
            .await
            .expect("an in-process hub starts")
    }

    async fn nothing_arrives(sub: &mut Subscription) {
        let got = tokio::time::timeout(Duration::from_millis(100), sub.recv()).await;
        assert!(got.is_err(), "an event arrived: {got:?}");
    }

    async fn insert(tx: &mut super::Tx, sql: &'static str) {
        on_tx!(tx, |c| sqlx::query(sql)
            .execute(&mut *c)
            .await
            .map(drop)
            .expect("the insert itself succeeds"));
    }

    /// A child whose parent must exist by the commit: the commit of a transaction
    /// that inserts an orphan fails, on both engines.
    async fn events_follow_the_commit(db: &Db) {
        execute(db, "CREATE TABLE parent (id INTEGER PRIMARY KEY)")
            .await
            .expect("table");
        execute(
            db,
            "CREATE TABLE child (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL
             REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
        )
        .await
        .expect("table");
        let hub = hub().await;
        let mut sub = hub.subscribe("t", 16);

        let mut tx = db.begin().await.expect("begin");
        insert(&mut tx, "INSERT INTO child (id, parent_id) VALUES (1, 99)").await;
        tx.publish_after_commit(&hub, "t", "orphan");
        nothing_arrives(&mut sub).await;
        assert!(tx.commit().await.is_err(), "the deferred constraint fails");
        nothing_arrives(&mut sub).await;

        let mut tx = db.begin().await.expect("begin after a failed commit");
        insert(&mut tx, "INSERT INTO parent (id) VALUES (1)").await;
        insert(&mut tx, "INSERT INTO child (id, parent_id) VALUES (2, 1)").await;
        tx.publish_after_commit(&hub, "t", "first");
        tx.publish_after_commit(&hub, "t", "second");
        nothing_arrives(&mut sub).await;
        tx.commit().await.expect("commit");
        assert_eq!(&*sub.recv().await.expect("event"), "first");
        assert_eq!(&*sub.recv().await.expect("event"), "second");

        let mut tx = db.begin().await.expect("begin");
        insert(&mut tx, "INSERT INTO parent (id) VALUES (2)").await;
        tx.publish_after_commit(&hub, "t", "dropped");
        drop(tx);
        let mut tx = db.begin().await.expect("begin");
        tx.publish_after_commit(&hub, "t", "rolled back");
        tx.rollback().await.expect("rollback");
        nothing_arrives(&mut sub).await;

        assert_eq!(count(db.writer(), "SELECT count(*) FROM child").await, 1);
        assert_eq!(count(db.writer(), "SELECT count(*) FROM parent").await, 1);
    }

    #[tokio::test]
    async fn sqlite_events_leave_after_commit_and_never_without_one() {
        let (db, dir) = scratch(DbOptions::new(2, 4096)).await;
        events_follow_the_commit(&db).await;
        db.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn postgres_events_leave_after_commit_and_never_without_one() {
        let s = Scratch::new().await;
        events_follow_the_commit(&s.db).await;
    }

    /// Two transactions on one key, the second begun while the first is open:
    /// the second waits until the first has committed and published, so the
    /// events arrive in commit order; and every lock is released at the end,
    /// also by a transaction that was dropped.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    #[ignore = "needs PostgreSQL"]
    async fn ordered_transactions_publish_in_commit_order() {
        let s = Scratch::new().await;
        let hub = hub().await;
        let mut sub = hub.subscribe("room", 16);
        let first = s.db.begin_ordered(&[7, 3]).await.expect("begin");
        let (db, h) = (s.db.clone(), hub.clone());
        let second = tokio::spawn(async move {
            let mut tx = db.begin_ordered(&[3]).await.expect("begin");
            tx.publish_after_commit(&h, "room", "second");
            tx.commit().await.expect("commit");
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(
            !second.is_finished(),
            "the second waits for the first's key"
        );
        let mut first = first;
        first.publish_after_commit(&hub, "room", "first");
        first.commit().await.expect("commit");
        second.await.expect("the second transaction ran");
        assert_eq!(&*sub.recv().await.expect("event"), "first");
        assert_eq!(&*sub.recv().await.expect("event"), "second");

        drop(s.db.begin_ordered(&[9]).await.expect("begin"));
        let again = tokio::time::timeout(Duration::from_secs(5), s.db.begin_ordered(&[9, 7, 3]))
            .await
            .expect("a dropped transaction releases its keys")
            .expect("begin");
        again.rollback().await.expect("rollback");
        let mut outside = s.outside().await;
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database =
             (SELECT oid FROM pg_database WHERE datname = current_database())
             AND objid IN (3, 7, 9)",
        )
        .fetch_one(&mut outside)
        .await
        .expect("pg_locks answers");
        assert_eq!(held, 0, "advisory locks left behind");
    }
}
