//! Scratch databases for the platform's own tests: a SQLite file in a directory
//! of its own, or a PostgreSQL schema of its own (`ONDOL_TEST_DATABASE_URL`),
//! dropped with it.

use std::path::PathBuf;

use sqlx::Connection;
use sqlx::postgres::PgConnection;

use super::{Db, DbOptions, Location, Pool};
use crate::config::Secret;
use crate::on_pool;

/// A fresh SQLite database in its own directory (removed by the caller).
pub async fn scratch(options: DbOptions) -> (Db, PathBuf) {
    let dir = std::env::temp_dir().join(format!("ondol-db-{}", uuid::Uuid::new_v4()));
    let db = Db::connect(&Location::SqliteFile(dir.join("t.db")), options)
        .await
        .expect("test database opens");
    assert_eq!(db.engine(), "sqlite", "a file location opens SQLite");
    (db, dir)
}

pub async fn execute(db: &Db, sql: &'static str) -> Result<(), sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query(sql).execute(p).await.map(drop))
}

pub async fn count(pool: Pool<'_>, sql: &'static str) -> i64 {
    let (n,): (i64,) =
        on_pool!(pool, |p| sqlx::query_as(sql).fetch_one(p).await).expect("count answers");
    n
}

/// A pool on a schema of its own, dropped with it.
pub struct Scratch {
    pub db: Db,
    url: String,
    schema: String,
}

impl Scratch {
    pub async fn new() -> Self {
        let url = std::env::var("ONDOL_TEST_DATABASE_URL")
            .expect("PostgreSQL tests need ONDOL_TEST_DATABASE_URL");
        let schema = format!("pool_{}", uuid::Uuid::new_v4().simple());
        let db = Db::connect(
            &Location::Postgres {
                url: Secret::new(url.clone()),
                schema: schema.clone(),
            },
            DbOptions::new(2, 4096),
        )
        .await
        .expect("the test database accepts connections");
        db.lock_schema()
            .await
            .expect("the scratch schema is created")
            .release()
            .await
            .expect("the schema lock is released");
        Self { db, url, schema }
    }

    pub async fn backend_pid(&self) -> Result<i32, sqlx::Error> {
        let (pid,): (i32,) = on_pool!(self.db.reader(), |p| sqlx::query_as(
            "SELECT pg_backend_pid()"
        )
        .fetch_one(p)
        .await)?;
        Ok(pid)
    }

    /// A connection outside the pool, to watch and disturb it.
    pub async fn outside(&self) -> PgConnection {
        PgConnection::connect(&self.url)
            .await
            .expect("the test database accepts connections")
    }
}

/// Also when a test fails: on its own thread and runtime, as a destructor
/// cannot await.
impl Drop for Scratch {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        let cleanup = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a current-thread runtime can always be built")
                .block_on(async {
                    let mut c = PgConnection::connect(&url).await?;
                    sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                        .execute(&mut c)
                        .await
                })
        });
        let _ = cleanup.join();
    }
}
