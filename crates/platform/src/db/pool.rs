//! Database connections, pooled without a round trip per statement.
//!
//! sqlx's own pool pings every connection each time it goes back to the pool (and,
//! by default, again when it is taken out): on PostgreSQL a `Sync` and the server's
//! answer, on SQLite a round trip to the connection's worker thread. For a point read
//! that doubles the round trips, and on SQLite's single writer connection every
//! write waits for the previous one's ping. This pool keeps the driver's connections
//! but decides itself when a connection needs checking:
//!
//! - a connection whose statement finished (with a result or with an error the
//!   server sent) goes back to the pool as it is;
//! - one whose statement was abandoned halfway (the request future was dropped)
//!   or failed in the driver (I/O, protocol), or whose session the server ended
//!   (FATAL), is discarded, not reused;
//! - one that sat idle for [`IDLE_BEFORE_PING`] is pinged before use, so a
//!   server restart costs a reconnect, not a failed request.
//!
//! Transactions are `BEGIN` ... `COMMIT` on one pooled connection; one dropped
//! without a commit is rolled back in the background before its connection is
//! reused, as sqlx's `Transaction` does.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use deadpool::Runtime;
use deadpool::managed::{self, Metrics, Object, PoolError, RecycleError, RecycleResult};
use sqlx::postgres::{PgDatabaseError, PgSeverity};
use sqlx::{ConnectOptions, Connection, Executor};

/// How long a connection may sit idle before it is pinged on its way out of the
/// pool.
pub const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// A pool of connections of one driver (`PgConnection`, `SqliteConnection`). Cheap
/// to clone.
pub struct Connections<C: Connection> {
    inner: managed::Pool<Manager<C>>,
}

impl<C: Connection> Clone for Connections<C> {
    fn clone(&self) -> Self {
        Self {
            inner: self.inner.clone(),
        }
    }
}

impl<C: Connection> std::fmt::Debug for Connections<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let status = self.inner.status();
        f.debug_struct("Connections")
            .field("max_size", &status.max_size)
            .field("size", &status.size)
            .field("available", &status.available)
            .finish()
    }
}

struct Manager<C: Connection> {
    options: C::Options,
}

/// A pooled connection and whether it is fit to be reused.
struct Pooled<C> {
    conn: C,
    reusable: bool,
}

impl<C: Connection> managed::Manager for Manager<C> {
    type Type = Pooled<C>;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<Pooled<C>, sqlx::Error> {
        Ok(Pooled {
            conn: self.options.connect().await?,
            reusable: true,
        })
    }

    async fn recycle(&self, obj: &mut Pooled<C>, metrics: &Metrics) -> RecycleResult<sqlx::Error> {
        if !obj.reusable {
            return Err(RecycleError::message("statement abandoned or failed"));
        }
        if metrics.last_used() >= IDLE_BEFORE_PING {
            obj.conn.ping().await?;
        }
        Ok(())
    }
}

impl<C: Connection> Connections<C> {
    /// Opens one connection at once, so a wrong location fails at startup rather
    /// than on the first request.
    pub async fn connect(
        options: C::Options,
        max_size: usize,
        wait: Duration,
    ) -> Result<Self, sqlx::Error> {
        let inner = managed::Pool::builder(Manager { options })
            .max_size(max_size.max(1))
            .wait_timeout(Some(wait))
            .create_timeout(Some(wait))
            .recycle_timeout(Some(wait))
            .runtime(Runtime::Tokio1)
            .build()
            .map_err(|e| sqlx::Error::Configuration(e.to_string().into()))?;
        let pool = Self { inner };
        pool.get().await?.finish(true);
        Ok(pool)
    }

    /// A connection for one or more statements. Call [`Conn::finish`] with
    /// whether the work ended cleanly; dropped without it, the connection is
    /// discarded.
    pub async fn get(&self) -> Result<Conn<C>, sqlx::Error> {
        let mut obj = self.inner.get().await.map_err(|e| match e {
            PoolError::Backend(e) => e,
            PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
            PoolError::Closed => sqlx::Error::PoolClosed,
            other => sqlx::Error::Configuration(other.to_string().into()),
        })?;
        obj.reusable = false;
        Ok(Conn(obj))
    }

    /// Closes idle connections and refuses new requests; connections in use
    /// close when they are returned.
    pub fn close(&self) {
        self.inner.close();
    }

    pub fn is_closed(&self) -> bool {
        self.inner.is_closed()
    }
}

impl<C: Driver> Connections<C> {
    pub async fn begin(&self) -> Result<ConnTx<C>, sqlx::Error> {
        let conn = self.get().await?;
        ConnTx::begin(conn, None).await
    }
}

/// Releases every advisory lock of the session.
const UNLOCK_ALL: &str = "SELECT pg_advisory_unlock_all()";

impl Connections<sqlx::postgres::PgConnection> {
    /// A transaction on a connection that first takes the session advisory lock of
    /// each of `keys` (in the order given: sort them, so that two callers never wait
    /// for each other). The locks are released once the transaction has ended and
    /// its after-commit work is done.
    pub async fn begin_locked(
        &self,
        keys: &[i64],
    ) -> Result<ConnTx<sqlx::postgres::PgConnection>, sqlx::Error> {
        let mut conn = self.get().await?;
        // The subquery fixes the order in which the locks are taken.
        let locked = sqlx::query(
            "SELECT pg_advisory_lock(k) FROM (SELECT unnest($1::int8[]) AS k) keys ORDER BY k",
        )
        .bind(keys)
        .execute(&mut *conn)
        .await;
        if let Err(e) = locked {
            // Some locks may be held: a discarded connection releases them.
            conn.finish(false);
            return Err(e);
        }
        ConnTx::begin(conn, Some(UNLOCK_ALL)).await
    }
}

/// The drivers the pool serves, for the statements it sends itself (`BEGIN`,
/// `COMMIT`, `ROLLBACK`). Implemented per concrete driver: a bound generic over the
/// executor's lifetime would make the callers' futures not `Send`.
pub trait Driver: Connection + 'static {
    fn run<'a>(
        conn: &'a mut Self,
        sql: &'static str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'a>>;
}

macro_rules! driver {
    ($conn:ty) => {
        impl Driver for $conn {
            fn run<'a>(
                conn: &'a mut Self,
                sql: &'static str,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<(), sqlx::Error>> + Send + 'a>,
            > {
                Box::pin(async move { conn.execute(sql).await.map(drop) })
            }
        }
    };
}

driver!(sqlx::postgres::PgConnection);
driver!(sqlx::sqlite::SqliteConnection);

/// A connection taken from a [`Connections`] pool.
pub struct Conn<C: Connection>(Object<Manager<C>>);

impl<C: Connection> Conn<C> {
    /// Returns the connection to the pool as reusable or not.
    pub fn finish(mut self, reusable: bool) {
        self.0.reusable = reusable;
    }

    /// [`Self::finish`] after `outcome`: reusable unless it is an error that may
    /// have left the connection mid-message (anything but an error the server
    /// reported or a row that did not decode).
    pub fn finish_after<T, E: 'static>(self, outcome: &Result<T, E>) {
        let reusable = match outcome {
            Ok(_) => true,
            Err(e) => (e as &dyn std::any::Any)
                .downcast_ref::<sqlx::Error>()
                .is_some_and(leaves_connection_usable),
        };
        self.finish(reusable);
    }
}

fn leaves_connection_usable(e: &sqlx::Error) -> bool {
    if let sqlx::Error::Database(db) = e {
        // FATAL and PANIC end a PostgreSQL session (a terminated backend, a server
        // shutting down); any other error the server reports ends only the
        // statement, and SQLite's errors never end the connection.
        return db
            .try_downcast_ref::<PgDatabaseError>()
            .is_none_or(|pg| !matches!(pg.severity(), PgSeverity::Fatal | PgSeverity::Panic));
    }
    matches!(
        e,
        sqlx::Error::RowNotFound
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::ColumnIndexOutOfBounds { .. }
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::Decode(_)
            | sqlx::Error::TypeNotFound { .. }
    )
}

impl<C: Connection> Deref for Conn<C> {
    type Target = C;
    fn deref(&self) -> &C {
        &self.0.conn
    }
}

impl<C: Connection> DerefMut for Conn<C> {
    fn deref_mut(&mut self) -> &mut C {
        &mut self.0.conn
    }
}

/// A transaction on a pooled connection: `BEGIN` was sent; [`Self::commit`] or
/// [`Self::rollback`] end it, dropping it rolls it back.
pub struct ConnTx<C: Driver> {
    conn: Option<Conn<C>>,
    /// A statement that runs once the transaction has ended, before the
    /// connection is reused (releasing session locks).
    release: Option<&'static str>,
}

impl<C> ConnTx<C>
where
    C: Driver,
{
    async fn begin(mut conn: Conn<C>, release: Option<&'static str>) -> Result<Self, sqlx::Error> {
        match C::run(&mut conn, "BEGIN").await {
            Ok(_) => Ok(Self {
                conn: Some(conn),
                release,
            }),
            Err(e) => {
                conn.finish(false);
                Err(e)
            }
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        self.commit_then(async {}).await
    }

    /// Commits; if the commit succeeded, runs `after` while the connection (and
    /// whatever it holds) is still this transaction's.
    pub async fn commit_then(
        mut self,
        after: impl std::future::Future<Output = ()>,
    ) -> Result<(), sqlx::Error> {
        let mut conn = self.conn.take().expect("a transaction ends once");
        let outcome = C::run(&mut conn, "COMMIT").await;
        let mut usable = match &outcome {
            Ok(()) => {
                after.await;
                true
            }
            // SQLite keeps a transaction open when its COMMIT fails (a deferred
            // constraint); PostgreSQL has ended it and only warns about this.
            Err(e) => leaves_connection_usable(e) && C::run(&mut conn, "ROLLBACK").await.is_ok(),
        };
        if let Some(release) = self.release {
            usable &= C::run(&mut conn, release).await.is_ok();
        }
        conn.finish(usable);
        outcome
    }

    pub async fn rollback(mut self) -> Result<(), sqlx::Error> {
        let mut conn = self.conn.take().expect("a transaction ends once");
        let outcome = C::run(&mut conn, "ROLLBACK").await;
        let mut usable = outcome.as_ref().err().is_none_or(leaves_connection_usable);
        if let Some(release) = self.release {
            usable &= C::run(&mut conn, release).await.is_ok();
        }
        conn.finish(usable);
        outcome
    }
}

impl<C> Deref for ConnTx<C>
where
    C: Driver,
{
    type Target = C;
    fn deref(&self) -> &C {
        self.conn
            .as_ref()
            .expect("a transaction is used before it ends")
    }
}

impl<C> DerefMut for ConnTx<C>
where
    C: Driver,
{
    fn deref_mut(&mut self) -> &mut C {
        self.conn
            .as_mut()
            .expect("a transaction is used before it ends")
    }
}

impl<C> Drop for ConnTx<C>
where
    C: Driver,
{
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else {
            return;
        };
        let release = self.release;
        // Without a runtime (process exit) the connection is simply discarded,
        // which ends the transaction (and releases its locks) too.
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(async move {
                let outcome = C::run(&mut conn, "ROLLBACK").await;
                let mut usable = outcome.as_ref().err().is_none_or(leaves_connection_usable);
                if let Some(release) = release {
                    usable &= C::run(&mut conn, release).await.is_ok();
                }
                conn.finish(usable);
            });
        }
    }
}

/// Against a real server: `ONDOL_TEST_DATABASE_URL` (run with `--include-ignored`).
#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::on_pool;

    use crate::db::scratch::Scratch;

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn an_error_the_server_reports_keeps_the_connection() {
        let s = Scratch::new().await;
        let before = s.backend_pid().await.expect("a query runs");
        let failed = on_pool!(s.db.reader(), |p| sqlx::query(
            "SELECT * FROM no_such_table"
        )
        .execute(p)
        .await
        .map(drop));
        assert!(
            matches!(failed, Err(sqlx::Error::Database(_))),
            "{failed:?}"
        );
        assert_eq!(s.backend_pid().await.expect("a query runs"), before);
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn a_statement_abandoned_halfway_does_not_hand_its_connection_on() {
        let s = Scratch::new().await;
        let sleeping = s.backend_pid().await.expect("a query runs");
        let abandoned = tokio::time::timeout(Duration::from_millis(200), async {
            on_pool!(s.db.reader(), |p| sqlx::query("SELECT pg_sleep(5)")
                .execute(p)
                .await
                .map(drop))
        })
        .await;
        assert!(abandoned.is_err(), "the sleep was cut short");
        // Reusing the connection would wait out the sleep.
        let started = Instant::now();
        let next = s.backend_pid().await.expect("a query runs");
        assert_ne!(next, sleeping);
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn a_transaction_dropped_without_commit_is_rolled_back_and_its_locks_freed() {
        let s = Scratch::new().await;
        on_pool!(s.db.writer(), |p| sqlx::raw_sql(
            "CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL); INSERT INTO t VALUES (1, 0)"
        )
        .execute(p)
        .await
        .map(drop))
        .expect("the table is created");
        {
            let mut tx = s.db.begin().await.expect("a transaction begins");
            crate::on_tx!(&mut tx, |c| {
                sqlx::query("SELECT n FROM t WHERE id = 1 FOR UPDATE")
                    .execute(&mut *c)
                    .await
                    .expect("the row is locked");
                sqlx::query("UPDATE t SET n = 1 WHERE id = 1")
                    .execute(&mut *c)
                    .await
                    .expect("the row is updated");
            });
            // Dropped here, as when a handler returns early with an error.
        }
        // The row lock goes with the rollback: a second transaction gets it.
        let mut tx = s.db.begin().await.expect("a transaction begins");
        let n: (i32,) = crate::on_tx!(&mut tx, |c| {
            sqlx::query("SET LOCAL lock_timeout = '2s'")
                .execute(&mut *c)
                .await
                .expect("the timeout is set");
            sqlx::query_as("SELECT n FROM t WHERE id = 1 FOR UPDATE")
                .fetch_one(&mut *c)
                .await
                .expect("the lock is free")
        });
        tx.commit().await.expect("the transaction commits");
        assert_eq!(n.0, 0, "the update was rolled back");
    }

    #[tokio::test]
    #[ignore = "needs PostgreSQL"]
    async fn a_connection_the_server_closed_is_replaced() {
        let s = Scratch::new().await;
        let mut outside = s.outside().await;
        let kill = "SELECT pg_terminate_backend($1)";

        // Killed while idle for long enough: the ping on the way out notices.
        let pid = s.backend_pid().await.expect("a query runs");
        sqlx::query(kill)
            .bind(pid)
            .execute(&mut outside)
            .await
            .expect("killed");
        tokio::time::sleep(IDLE_BEFORE_PING + Duration::from_millis(200)).await;
        let replaced = s
            .backend_pid()
            .await
            .expect("the next query gets a live connection");
        assert_ne!(replaced, pid);

        // Killed just after use: one statement fails, and that connection is not
        // handed out again.
        sqlx::query(kill)
            .bind(replaced)
            .execute(&mut outside)
            .await
            .expect("killed");
        tokio::time::sleep(Duration::from_millis(100)).await;
        let mut failures = 0;
        let pid = loop {
            match s.backend_pid().await {
                Ok(pid) => break pid,
                Err(_) => failures += 1,
            }
            assert!(failures < 2, "a dead connection was handed out twice");
        };
        assert_ne!(pid, replaced);
    }
}
