//! Bulk inserts for the data generators: rows of bound values written in
//! multi-row statements into the schema the app's own migrations create.

use chrono::{DateTime, Utc};
use platform::db::{Db, Tx, placeholders};
use platform::on_tx;

/// One bound value of a generated row.
pub enum V {
    I(i64),
    B(bool),
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
