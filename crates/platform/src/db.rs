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

use std::str::FromStr;
use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, Sqlite, Transaction};

use crate::config::{Config, Secret};

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
}

/// How to open an app's database.
#[derive(Debug, Clone, Copy)]
pub struct DbOptions {
    /// Connections (PostgreSQL) or reader connections (SQLite).
    pub pool_size: u32,
    /// Page size of a new SQLite file (see [`crate::App::sqlite_page_size`]).
    pub sqlite_page_size: u32,
}

/// An app's database: the engine and its pools.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        reader: SqlitePool,
        writer: SqlitePool,
    },
    Postgres {
        pool: PgPool,
        schema: String,
    },
}

/// A pool to run one statement on.
#[derive(Clone, Copy)]
pub enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// A write transaction on either engine.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// Each app's migrations, one directory per engine (`sqlx::migrate!`).
pub struct Migrations {
    pub sqlite: Migrator,
    pub postgres: Migrator,
}

/// Runs `$body` with `$p` bound to the concrete pool of `$pool` ([`Pool`]).
#[macro_export]
macro_rules! on_pool {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Runs `$body` with `$c` bound to the connection of the transaction `$tx` ([`Tx`]).
/// Use `&mut *$c` for every statement.
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, |$c:ident| $body:expr) => {
        match $tx {
            $crate::db::Tx::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::Tx::Postgres(t) => {
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
    pub fn for_app(config: &Config, app: &str) -> Self {
        let settings = config.app(app);
        if let Some(url) = settings.secret("database_url") {
            let schema = settings.raw("schema").unwrap_or(app).to_owned();
            return Self::Postgres { url, schema };
        }
        if let Some(url) = &config.database_url {
            let schema = settings.raw("schema").unwrap_or(app).to_owned();
            return Self::Postgres {
                url: url.clone(),
                schema,
            };
        }
        Self::SqliteFile(config.data_dir.join(format!("{app}.db")))
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
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(
                        sqlite
                            .clone()
                            .pragma("wal_autocheckpoint", "0")
                            .pragma("cache_size", "-65536"),
                    )
                    .await?;
                let checkpointer = SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(sqlite.clone())
                    .await?;
                tokio::spawn(checkpoint_in_background(
                    checkpointer,
                    writer.clone(),
                    page_size,
                ));
                let reader = SqlitePoolOptions::new()
                    .max_connections(pool_size.max(1))
                    .connect_with(sqlite.read_only(true))
                    .await?;
                Ok(Self::Sqlite { reader, writer })
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
                // Create the schema with a short-lived connection, then point every
                // pooled connection at it.
                let admin = PgPoolOptions::new()
                    .max_connections(1)
                    .connect_with(base.clone())
                    .await?;
                sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{schema}\""))
                    .execute(&admin)
                    .await?;
                admin.close().await;
                let pool = PgPoolOptions::new()
                    .max_connections(pool_size.max(2))
                    .acquire_timeout(Duration::from_secs(10))
                    .connect_with(base.options([("search_path", schema.as_str())]))
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
        Ok(match self {
            Self::Sqlite { writer, .. } => Tx::Sqlite(writer.begin().await?),
            Self::Postgres { pool, .. } => Tx::Postgres(pool.begin().await?),
        })
    }

    /// The platform's own tables, then the app's migrations.
    pub async fn migrate(&self, migrations: &Migrations) -> Result<(), DbError> {
        match self {
            Self::Sqlite { writer, .. } => {
                migrations.sqlite.run(writer).await?;
            }
            Self::Postgres { pool, .. } => {
                migrations.postgres.run(pool).await?;
            }
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
            Self::Sqlite { reader, writer } => {
                reader.close().await;
                writer.close().await;
            }
            Self::Postgres { pool, .. } => pool.close().await,
        }
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(t) => t.commit().await,
            Self::Postgres(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Self::Sqlite(t) => t.rollback().await,
            Self::Postgres(t) => t.rollback().await,
        }
    }
}

/// Checkpoints the WAL every second without blocking the writer (PASSIVE). Under
/// a steady stream of writes the WAL never empties by itself (SQLite only restarts
/// it when a write begins with every frame checkpointed), so once it holds
/// [`WAL_RESET_BYTES`] the writer is held for a moment and the WAL is checkpointed
/// to the end and truncated. Holding the writer's pool connection, rather than
/// letting both sides retry on SQLITE_BUSY with the busy handler's growing sleeps,
/// keeps that pause to the checkpoint itself. Ends when the writer pool is closed.
async fn checkpoint_in_background(checkpointer: SqlitePool, writer: SqlitePool, page_size: u32) {
    let reset_pages = (WAL_RESET_BYTES / u64::from(page_size.max(512))) as i64;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if writer.is_closed() {
            break;
        }
        // (busy, frames in the WAL, frames checkpointed)
        let passive: Result<(i64, i64, i64), _> = sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&checkpointer)
            .await;
        match passive {
            Ok((_, frames, _)) if frames > reset_pages => {
                let started = std::time::Instant::now();
                let held = writer.acquire().await;
                let reset = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&checkpointer)
                    .await;
                drop(held);
                match reset {
                    Ok(_) => tracing::info!(
                        frames,
                        ms = started.elapsed().as_millis() as u64,
                        "sqlite: WAL reset"
                    ),
                    Err(e) => tracing::warn!(error = %e, "sqlite: WAL reset failed"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "sqlite: checkpoint failed"),
        }
    }
    checkpointer.close().await;
}

/// The WAL size at which it is reset (see [`checkpoint_in_background`]).
const WAL_RESET_BYTES: u64 = 256 << 20;

/// Is this a unique-constraint violation (the same on both engines)?
pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Database(db) if db.is_unique_violation())
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
