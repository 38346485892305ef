//! Bulk inserts for the data generators: rows of bound values written in
//! multi-row statements into the schema the app's own migrations create.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use platform::app::{App, AppContext, ShutdownToken};
use platform::config::Config;
use platform::db::{Db, Tx, placeholders};
use platform::{on_pool, on_tx, server};

/// The app's storage opened (and migrated) for a generator, with the bcrypt hash
/// of `password` for every generated account; `None` (and a note) when it already
/// has users, so that a generator never adds to data of its own or anyone's.
pub async fn fresh(
    app: &dyn App,
    config: Config,
    password: &str,
) -> anyhow::Result<Option<(AppContext, String)>> {
    let ctx = server::open(app, Arc::new(config), ShutdownToken::new())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let existing: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await)?;
    if existing > 0 {
        println!("{existing} users already stored; nothing generated");
        return Ok(None);
    }
    let hash = ctx
        .passwords
        .hash(password)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message))?;
    Ok(Some((ctx, hash)))
}

/// One bound value of a generated row.
pub enum V {
    I(i64),
    B(bool),
    U(uuid::Uuid),
    OptU(Option<uuid::Uuid>),
    OptI(Option<i64>),
    T(String),
    OptT(Option<String>),
    At(DateTime<Utc>),
    OptAt(Option<DateTime<Utc>>),
}

/// Inserts `rows` into `table` in statements of about 500 parameters: sqlx's
/// SQLite driver binds in time that grows with the square of a statement's
/// parameters (30,000 per statement took 26 minutes for the shop's default sizes).
pub async fn insert(
    tx: &mut Tx,
    table: &str,
    columns: &[&str],
    rows: &[Vec<V>],
) -> Result<(), sqlx::Error> {
    let width = columns.len();
    for chunk in rows.chunks((500 / width).max(1)) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        for r in 0..chunk.len() {
            if r > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            sql.push_str(&placeholders(1 + r * width, width));
            sql.push(')');
        }
        on_tx!(tx, |c| {
            let mut q = sqlx::query(&sql);
            for v in chunk.iter().flatten() {
                q = match v {
                    V::I(i) => q.bind(*i),
                    V::B(b) => q.bind(*b),
                    V::U(u) => q.bind(*u),
                    V::OptU(u) => q.bind(*u),
                    V::OptI(i) => q.bind(*i),
                    V::T(t) => q.bind(t.as_str()),
                    V::OptT(t) => q.bind(t.as_deref()),
                    V::At(t) => q.bind(*t),
                    V::OptAt(t) => q.bind(*t),
                };
            }
            q.execute(c).await.map(drop)
        })?;
    }
    Ok(())
}

/// After explicit ids were written on PostgreSQL: each table's sequence moved
/// past them, then fresh statistics and visibility maps, as autovacuum leaves a
/// settled database (without them every index-only count visits the table).
/// Nothing on SQLite: the apps never run ANALYZE, and its STAT4 samples would make
/// SQLite re-prepare every statement whose plan a bound value could change.
pub async fn settle(db: &Db, tables: &[&str]) -> anyhow::Result<()> {
    if let Db::Postgres { pool, .. } = db {
        let mut conn = pool.get().await?;
        for table in tables {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), \
                 (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            ))
            .execute(&mut *conn)
            .await?;
        }
        sqlx::query("VACUUM ANALYZE").execute(&mut *conn).await?;
        conn.finish(true);
    }
    Ok(())
}
