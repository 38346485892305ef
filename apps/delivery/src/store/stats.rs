use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::on_pool;

/// `(department, status, count)` of orders created in `[from, to)`.
pub async fn status_counts(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, String, i64)>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
            "SELECT department, status, COUNT(*) FROM dashboards
             WHERE create_time >= $1 AND create_time < $2 GROUP BY department, status",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })
}

/// `(department, create_time)` of orders created in `[from, to)`: bucketed by local
/// hour in Rust, because "hour in the configured zone" is not portable SQL.
pub async fn create_times(
    db: &Db,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(String, DateTime<Utc>)>, sqlx::Error> {
    on_pool!(db.reader(), |p| {
        sqlx::query_as(
            "SELECT department, create_time FROM dashboards WHERE create_time >= $1 AND create_time < $2",
        )
        .bind(from)
        .bind(to)
        .fetch_all(p)
        .await
    })
}
