//! Storage on two engines with one code path.
//!
//! [`Db`] is SQLite (one file per app, WAL) or PostgreSQL (one schema per app). Queries
//! are written once with `$n` placeholders, which both engines accept, and run
//! through [`on_pool!`] / [`on_tx!`]: the macro expands the same body once per
//! engine, so each expansion is checked against that engine's concrete types.
//!
//! SQLite allows one writer at a time. Rather than let concurrent writers fail with
//! `SQLITE_BUSY`, writes go through a dedicated single-connection pool and queue in
//! process; reads use a separate pool and never wait for writers (WAL).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::PgConnectOptions;
pub use sqlx::postgres::PgConnection;
pub use sqlx::sqlite::SqliteConnection;
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use crate::config::{Config, Secret};
use crate::settings::PlatformSettings;

mod pool;
pub mod scan;
#[cfg(test)]
pub(crate) mod scratch;
mod tx;
pub use pool::{Conn, ConnTx, Connections, IDLE_BEFORE_PING};
pub use tx::{Tx, TxConn};

pub type PgPool = Connections<PgConnection>;
pub type SqliteConnections = Connections<SqliteConnection>;

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("database: {0}")]
    Sqlx(#[from] sqlx::Error),
    #[error("migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("cannot create data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("invalid schema name {0:?}")]
    SchemaName(String),
    #[error("cannot sync the database file: {0}")]
    Sync(std::io::Error),
    #[error("cannot lock the database for migrating: {0}")]
    Lock(std::io::Error),
}

/// How to open an app's database.
#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    /// Connections (PostgreSQL) or reader connections (SQLite).
    pub pool_size: u32,
    /// Page size of a new SQLite file (see [`crate::App::sqlite_page_size`]).
    pub sqlite_page_size: u32,
    /// WAL size at which SQLite's WAL is restarted from its beginning (see
    /// `checkpoint_in_background`).
    pub sqlite_wal_restart_bytes: u64,
    /// SQLite connections reserved for [`Db::bulk_reader`], and as many
    /// [`Db::scanners`].
    pub sqlite_bulk_readers: u32,
}

impl DbOptions {
    pub fn new(pool_size: u32, sqlite_page_size: u32) -> Self {
        Self {
            pool_size,
            sqlite_page_size,
            sqlite_wal_restart_bytes: WAL_RESTART_BYTES,
            sqlite_bulk_readers: BULK_READERS,
        }
    }
}

/// An app's database: the engine and its pools.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        reader: SqliteConnections,
        bulk: SqliteConnections,
        scanners: scan::Scanners,
        writer: SqliteConnections,
        path: PathBuf,
    },
    Postgres {
        pool: PgPool,
        schema: String,
    },
}

/// A pool to run one statement on.
#[derive(Clone, Copy)]
pub enum Pool<'a> {
    Sqlite(&'a SqliteConnections),
    Postgres(&'a PgPool),
}

/// Each app's migrations, one directory per engine (`sqlx::migrate!`).
pub struct Migrations {
    pub sqlite: Migrator,
    pub postgres: Migrator,
}

/// Runs `$body` with `$p` bound to a connection of `$pool` ([`Pool`]): a
/// `&mut SqliteConnection` or `&mut PgConnection` taken from the pool for the body.
/// `$body` is one statement's `Result` (not `?`-ed inside: the outcome decides
/// whether the connection is reused), and the macro evaluates to it.
#[macro_export]
macro_rules! on_pool {
    // One engine: take a connection, run the body, tell the pool how it ended.
    (@on $pool:ident, $conn:ty, |$p:ident| $body:expr) => {
        match $pool.get().await {
            Ok(mut conn) => {
                let outcome = {
                    let $p: &mut $conn = &mut conn;
                    $body
                };
                conn.finish_after(&outcome);
                outcome
            }
            Err(e) => Err(e.into()),
        }
    };
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite(pool) => {
                $crate::on_pool!(@on pool, $crate::db::SqliteConnection, |$p| $body)
            }
            $crate::db::Pool::Postgres(pool) => {
                $crate::on_pool!(@on pool, $crate::db::PgConnection, |$p| $body)
            }
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of the transaction `$tx` (a
/// `&mut` [`Tx`]). Use `&mut *$c` for every statement.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $crate::db::Tx::engine($tx) {
            $crate::db::TxConn::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::TxConn::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}

/// Where an app's data lives, as the startup table shows it.
#[derive(Debug, Clone)]
pub enum Location {
    SqliteFile(std::path::PathBuf),
    Postgres { url: Secret, schema: String },
}

impl Location {
    /// The app's own database URL wins, then the shared one (own schema), then SQLite.
    pub fn for_app(config: &Config, app: &str, settings: &PlatformSettings) -> Self {
        let url = settings
            .database_url
            .clone()
            .or_else(|| config.database_url.clone());
        match url {
            Some(url) => Self::Postgres {
                url,
                schema: settings.schema.clone().unwrap_or_else(|| app.to_owned()),
            },
            None => Self::SqliteFile(config.data_dir.join(format!("{app}.db"))),
        }
    }

    /// For the startup table: never the URL itself (it may carry a password).
    pub fn describe(&self) -> String {
        match self {
            Self::SqliteFile(path) => format!("sqlite {}", path.display()),
            Self::Postgres { url, schema } => {
                let host = url
                    .expose()
                    .rsplit_once('@')
                    .map(|(_, h)| h)
                    .or_else(|| url.expose().split_once("://").map(|(_, h)| h))
                    .unwrap_or("?");
                format!("postgres {host} schema {schema}")
            }
        }
    }
}

impl Db {
    pub async fn connect(location: &Location, options: DbOptions) -> Result<Self, DbError> {
        let DbOptions {
            pool_size,
            sqlite_page_size: page_size,
            sqlite_wal_restart_bytes,
            sqlite_bulk_readers,
        } = options;
        match location {
            Location::SqliteFile(path) => {
                if let Some(dir) = path.parent()
                    && !dir.as_os_str().is_empty()
                {
                    std::fs::create_dir_all(dir)
                        .map_err(|e| DbError::DataDir(dir.display().to_string(), e))?;
                }
                let sqlite = SqliteConnectOptions::new()
                    .filename(path)
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(10))
                    // Only takes effect when the file is created.
                    .page_size(page_size);
                // The writer does not checkpoint the WAL itself: a checkpoint in a
                // commit stalls that write (and every write queued behind it) on an
                // fsync. A separate connection checkpoints in the background.
                let writer = SqliteConnections::connect(
                    sqlite
                        .clone()
                        .pragma("wal_autocheckpoint", "0")
                        .pragma("cache_size", "-65536"),
                    1,
                    SQLITE_WAIT,
                )
                .await?;
                // No busy wait: a RESTART that meets a reader on an old snapshot
                // returns at once (the next round retries) instead of sleeping in
                // the busy handler while it holds the writer.
                let checkpointer = SqlitePoolOptions::new()
                    .test_before_acquire(false)
                    .max_connections(1)
                    .connect_with(sqlite.clone().busy_timeout(Duration::ZERO))
                    .await?;
                tokio::spawn(checkpoint_in_background(
                    checkpointer,
                    writer.clone(),
                    path.clone(),
                    sqlite_wal_restart_bytes / u64::from(page_size.max(512)),
                ));
                let reader = SqliteConnections::connect(
                    sqlite.clone().read_only(true),
                    pool_size.max(1) as usize,
                    SQLITE_WAIT,
                )
                .await?;
                let bulk = SqliteConnections::connect(
                    sqlite.read_only(true),
                    sqlite_bulk_readers.max(1) as usize,
                    SQLITE_WAIT,
                )
                .await?;
                let scanners = scan::Scanners::new(
                    path,
                    sqlite_bulk_readers.max(1) as usize,
                    Duration::from_secs(10),
                );
                Ok(Self::Sqlite {
                    reader,
                    bulk,
                    scanners,
                    writer,
                    path: path.clone(),
                })
            }
            Location::Postgres { url, schema } => {
                if !schema
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    || schema.is_empty()
                {
                    return Err(DbError::SchemaName(schema.clone()));
                }
                let base = PgConnectOptions::from_str(url.expose())?;
                // Every pooled connection points at the schema; `lock_schema`
                // creates it.
                let pool = PgPool::connect(
                    base.options([("search_path", schema.as_str())]),
                    pool_size.max(2) as usize,
                    Duration::from_secs(10),
                )
                .await?;
                Ok(Self::Postgres {
                    pool,
                    schema: schema.clone(),
                })
            }
        }
    }

    pub fn reader(&self) -> Pool<'_> {
        match self {
            Self::Sqlite { reader, .. } => Pool::Sqlite(reader),
            Self::Postgres { pool, .. } => Pool::Postgres(pool),
        }
    }

    /// For statements that build large results (a month of rows as one JSON
    /// document). On SQLite these get their own few connections: SQLite allocates
    /// with the C allocator on each connection's own thread, and glibc keeps a
    /// per-thread arena at its high-water mark, so spreading multi-megabyte
    /// results over every reader thread ratchets the process's memory up run
    /// after run. It also keeps long reads from occupying the point-read pool.
    pub fn bulk_reader(&self) -> Pool<'_> {
        match self {
            Self::Sqlite { bulk, .. } => Pool::Sqlite(bulk),
            Self::Postgres { pool, .. } => Pool::Postgres(pool),
        }
    }

    /// On SQLite, threads that run a read of many rows where its connection
    /// lives and hand the rows over in batches (see [`scan`]); `None` on
    /// PostgreSQL, whose driver reads a result on the caller's task already.
    pub fn scanners(&self) -> Option<&scan::Scanners> {
        match self {
            Self::Sqlite { scanners, .. } => Some(scanners),
            Self::Postgres { .. } => None,
        }
    }

    pub fn writer(&self) -> Pool<'_> {
        match self {
            Self::Sqlite { writer, .. } => Pool::Sqlite(writer),
            Self::Postgres { pool, .. } => Pool::Postgres(pool),
        }
    }

    /// SQL for "these rows as one JSON array of arrays, in this order", the same
    /// on both engines apart from the function names. For bulk reads: one row
    /// crosses the driver instead of thousands (sqlx's SQLite driver pays a thread
    /// handoff per row). Deserialize with serde: a struct reads a JSON array
    /// positionally, so the column order is the field order.
    pub fn json_rows(&self, columns: &str, order_by: &str) -> String {
        let (agg, row) = match self {
            Self::Sqlite { .. } => ("json_group_array", "json_array"),
            Self::Postgres { .. } => ("json_agg", "json_build_array"),
        };
        format!("COALESCE(CAST({agg}({row}({columns}) ORDER BY {order_by}) AS TEXT), '[]')")
    }

    pub fn engine(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgres",
        }
    }

    pub async fn begin(&self) -> Result<Tx, sqlx::Error> {
        Ok(Tx::new(match self {
            Self::Sqlite { writer, .. } => TxConn::Sqlite(writer.begin().await?),
            Self::Postgres { pool, .. } => TxConn::Postgres(pool.begin().await?),
        }))
    }

    /// A transaction whose events ([`Tx::publish_after_commit`]) reach subscribers
    /// in commit order among all transactions begun with any of the same `keys`,
    /// on every instance: each key is locked from before `BEGIN` until the events
    /// are out. On PostgreSQL these are session advisory locks, taken in ascending
    /// order so that two transactions never wait for each other; on SQLite the
    /// single writer connection orders every transaction already.
    pub async fn begin_ordered(&self, keys: &[i64]) -> Result<Tx, sqlx::Error> {
        match self {
            Self::Sqlite { .. } => self.begin().await,
            Self::Postgres { pool, .. } => {
                let mut keys = keys.to_vec();
                keys.sort_unstable();
                keys.dedup();
                Ok(Tx::new(TxConn::Postgres(pool.begin_locked(&keys).await?)))
            }
        }
    }

    /// Holds the app's schema for creating and migrating it: several processes
    /// started at once against a new database would otherwise race to create the
    /// same schema and tables (PostgreSQL's catalogue refuses the loser, and two
    /// migrators both find a migration missing). On PostgreSQL this takes an
    /// advisory lock keyed on the schema name on one connection and creates the
    /// schema; on SQLite an exclusive lock on a file beside the database. Others
    /// wait until [`SchemaLock::release`].
    pub async fn lock_schema(&self) -> Result<SchemaLock, DbError> {
        let (pool, schema) = match self {
            Self::Postgres { pool, schema } => (pool, schema),
            Self::Sqlite { path, .. } => return SchemaLock::file(path).await,
        };
        let mut conn = pool.get().await?;
        let locked = async {
            sqlx::query("SELECT pg_advisory_lock(hashtext('ondol:schema:' || $1))")
                .bind(schema)
                .execute(&mut *conn)
                .await?;
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                .execute(&mut *conn)
                .await
        }
        .await;
        match locked {
            Ok(_) => Ok(SchemaLock(Held::Postgres(conn, schema.clone()))),
            Err(e) => {
                // A discarded connection releases whatever it holds.
                conn.finish(false);
                Err(e.into())
            }
        }
    }

    /// The platform's own tables, then the app's migrations.
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), DbError> {
        match self {
            Self::Sqlite { writer, .. } => {
                let mut conn = writer.get().await?;
                let outcome = migrations.sqlite.run(&mut *conn).await;
                conn.finish(outcome.is_ok());
                outcome?;
            }
            Self::Postgres { pool, .. } => {
                let mut conn = pool.get().await?;
                let outcome = migrations.postgres.run(&mut *conn).await;
                conn.finish(outcome.is_ok());
                outcome?;
            }
        }
        Ok(())
    }

    /// Runs DDL statements, the first in this engine's dialect (`sqlite` or
    /// `postgres`), the rest written for both: the platform's own tables.
    pub async fn define(
        &self,
        sqlite: &str,
        postgres: &str,
        common: &[&str],
    ) -> Result<(), sqlx::Error> {
        let first = match self {
            Self::Sqlite { .. } => sqlite,
            Self::Postgres { .. } => postgres,
        };
        for statement in std::iter::once(first).chain(common.iter().copied()) {
            on_pool!(self.writer(), |p| sqlx::query(statement)
                .execute(p)
                .await
                .map(drop))?;
        }
        Ok(())
    }

    /// A trivial round trip, for `/ready`.
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self.reader(), |p| sqlx::query("SELECT 1")
            .execute(p)
            .await
            .map(|_| ()))?;
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Self::Sqlite {
                reader,
                bulk,
                writer,
                ..
            } => {
                reader.close();
                bulk.close();
                writer.close();
            }
            Self::Postgres { pool, .. } => pool.close(),
        }
    }
}

/// The lock of [`Db::lock_schema`]. Dropped without [`Self::release`] (a failed
/// start), the lock goes too: the connection is discarded, the file closed.
pub struct SchemaLock(Held);

enum Held {
    Postgres(Conn<PgConnection>, String),
    File(std::fs::File),
}

impl SchemaLock {
    /// The lock of the SQLite file at `path`, which may not exist yet: opening a
    /// new file (setting its page size and WAL mode) is part of what it guards.
    /// Locks are per open file, so a process must not take it twice.
    pub async fn file(path: &Path) -> Result<Self, DbError> {
        let lock = path.with_extension("db-setup-lock");
        let file = tokio::task::spawn_blocking(move || {
            if let Some(dir) = lock.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir)?;
            }
            let file = std::fs::File::create(&lock)?;
            file.lock()?;
            Ok::<_, std::io::Error>(file)
        })
        .await
        .map_err(|e| DbError::Lock(std::io::Error::other(e)))?
        .map_err(DbError::Lock)?;
        Ok(SchemaLock(Held::File(file)))
    }

    pub async fn release(self) -> Result<(), DbError> {
        match self.0 {
            Held::File(file) => Ok(file.unlock().map_err(DbError::Lock)?),
            Held::Postgres(mut conn, schema) => {
                let outcome =
                    sqlx::query("SELECT pg_advisory_unlock(hashtext('ondol:schema:' || $1))")
                        .bind(&schema)
                        .execute(&mut *conn)
                        .await
                        .map(drop);
                conn.finish(outcome.is_ok());
                Ok(outcome?)
            }
        }
    }
}

/// Keeps the WAL from growing without pausing the writer for long. Every second a
/// PASSIVE checkpoint copies WAL frames into the database without blocking anyone.
/// SQLite fsyncs the database only when a checkpoint reaches the end of the WAL,
/// which under a steady stream of writes never happens, so the copied pages would
/// pile up unsynced and the eventual restart would flush them all with the writer
/// waiting (270 ms for ~15 s of chat traffic here).
///
/// SQLite also only restarts the WAL from its beginning when a write starts with
/// every frame copied, which again never happens under steady writes. So once the
/// WAL holds [`DbOptions::sqlite_wal_restart_bytes`], the task catches up (fsyncs the database file
/// itself and checkpoints again, until a round finds almost nothing new), then
/// holds the writer's pool connection for the RESTART checkpoint: what is left to
/// copy and sync is a few milliseconds of writes. RESTART rather than TRUNCATE keeps the file, so the next writes reuse
/// its blocks instead of allocating (and, on a `discard` mount, trimming) them.
/// Holding the pool connection, rather than letting both sides retry on
/// SQLITE_BUSY with the busy handler's growing sleeps, keeps the pause to the
/// checkpoint itself. Ends when the writer pool is closed.
async fn checkpoint_in_background(
    checkpointer: SqlitePool,
    writer: SqliteConnections,
    db_file: PathBuf,
    restart_frames: u64,
) {
    let restart_frames = restart_frames as i64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if writer.is_closed() {
            break;
        }
        let frames = match passive_checkpoint(&checkpointer).await {
            Ok(frames) => frames,
            Err(e) => {
                tracing::warn!(error = %e, "sqlite: checkpoint failed");
                continue;
            }
        };
        if frames <= restart_frames {
            continue;
        }
        let started = std::time::Instant::now();
        if let Err(e) = catch_up(&checkpointer, &db_file).await {
            tracing::warn!(error = %e, "sqlite: checkpoint failed");
            continue;
        }
        let caught_up = started.elapsed();
        let held = writer.get().await;
        let reset: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(RESTART)")
            .fetch_one(&checkpointer)
            .await;
        let paused = started.elapsed() - caught_up;
        if let Ok(held) = held {
            held.finish(true);
        }
        match reset {
            Ok((0, _, _)) => tracing::info!(
                frames,
                catch_up_ms = caught_up.as_millis() as u64,
                writer_paused_ms = paused.as_millis() as u64,
                "sqlite: WAL restarted"
            ),
            // A reader still on an old snapshot: the next round tries again.
            Ok(_) => tracing::info!(frames, "sqlite: WAL restart postponed by a reader"),
            Err(e) => tracing::warn!(error = %e, "sqlite: WAL restart failed"),
        }
    }
    checkpointer.close().await;
}

/// One PASSIVE checkpoint; returns the number of frames in the WAL.
async fn passive_checkpoint(checkpointer: &SqlitePool) -> Result<i64, sqlx::Error> {
    // (busy, frames in the WAL, frames checkpointed)
    let (_, frames, _): (i64, i64, i64) = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(checkpointer)
        .await?;
    Ok(frames)
}

/// Before a restart, with nobody waiting: flush what earlier checkpoints copied,
/// checkpoint what came since, and again, until a round finds almost nothing new.
async fn catch_up(checkpointer: &SqlitePool, db_file: &Path) -> Result<(), DbError> {
    for _ in 0..4 {
        let round = std::time::Instant::now();
        let path = db_file.to_owned();
        tokio::task::spawn_blocking(move || std::fs::File::open(path)?.sync_data())
            .await
            .map_err(|e| DbError::Sync(std::io::Error::other(e)))?
            .map_err(DbError::Sync)?;
        passive_checkpoint(checkpointer).await?;
        if round.elapsed() < Duration::from_millis(20) {
            break;
        }
    }
    Ok(())
}

/// How long a request waits for a SQLite connection (the writer's queue) before it
/// fails, as sqlx's pool did by default.
const SQLITE_WAIT: Duration = Duration::from_secs(30);

/// The default WAL size at which it is restarted (see [`checkpoint_in_background`]):
/// about 15 s of chat traffic at 2,000 messages/s.
pub const WAL_RESTART_BYTES: u64 = 256 << 20;

/// The default number of SQLite connections for [`Db::bulk_reader`].
pub const BULK_READERS: u32 = 2;

/// Is this a unique-constraint violation (the same on both engines)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// `$from, $from+1, ...` for `n` values: an `IN (...)` list on both engines.
pub fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_escape(input: &str) -> String {
    let mut out = String::with_capacity(input.len());
    for c in input.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::scratch::{count, execute, scratch};

    /// A write transaction dropped halfway (a handler returning early) is rolled
    /// back before the single writer connection serves the next one.
    #[tokio::test]
    async fn a_dropped_sqlite_transaction_is_rolled_back_before_the_next_write() {
        let (db, dir) = scratch(DbOptions::new(2, 4096)).await;
        execute(&db, "CREATE TABLE t (n INTEGER NOT NULL)")
            .await
            .expect("table is created");
        for n in 0..3 {
            let mut tx = db.begin().await.expect("a transaction begins");
            on_tx!(&mut tx, |c| sqlx::query("INSERT INTO t (n) VALUES ($1)")
                .bind(n)
                .execute(&mut *c)
                .await
                .map(drop)
                .expect("insert succeeds"));
            if n == 1 {
                tx.commit().await.expect("commit succeeds");
            }
        }
        let rows = count(db.reader(), "SELECT count(*) FROM t WHERE n = 1").await;
        let all = count(db.reader(), "SELECT count(*) FROM t").await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!((rows, all), (1, 1));
    }

    /// Under a steady stream of commits the WAL is restarted once it passes the
    /// threshold, every row survives, and no commit waits long for it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_wal_restarts_under_steady_writes() {
        let (db, dir) = scratch(DbOptions {
            sqlite_wal_restart_bytes: 256 << 10,
            ..DbOptions::new(2, 1024)
        })
        .await;
        execute(
            &db,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, body BLOB NOT NULL)",
        )
        .await
        .expect("table is created");
        // Each commit writes at least two 1 KiB pages, so the WAL would hold at
        // least 2 frames per commit if it never restarted.
        let started = std::time::Instant::now();
        let mut commits = 0i64;
        let mut slowest = Duration::ZERO;
        while started.elapsed() < Duration::from_millis(3500) {
            let t = std::time::Instant::now();
            execute(&db, "INSERT INTO t (body) VALUES (zeroblob(1500))")
                .await
                .expect("insert succeeds");
            slowest = slowest.max(t.elapsed());
            commits += 1;
        }
        let (_, frames, _): (i64, i64, i64) = on_pool!(db.writer(), |p| sqlx::query_as(
            "PRAGMA wal_checkpoint(PASSIVE)"
        )
        .fetch_one(p)
        .await)
        .expect("checkpoint answers");
        let rows = count(db.writer(), "SELECT count(*) FROM t").await;
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(rows, commits);
        assert!(commits > 1000, "only {commits} commits in 3.5 s");
        assert!(
            frames < commits,
            "the WAL holds {frames} frames after {commits} commits: it was never restarted"
        );
        assert!(
            slowest < Duration::from_secs(1),
            "a commit took {slowest:?}"
        );
    }
}
