use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::on_pool;

use crate::model::UserId;

/// Records an object key this server issued for an upload.
pub async fn insert(
    db: &Db,
    key: &str,
    owner: UserId,
    content_type: &str,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_pool!(db.writer(), |p| {
        sqlx::query(
        "INSERT INTO uploads (object_key, owner_id, content_type, created_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(key)
    .bind(owner)
    .bind(content_type)
    .bind(now)
    .execute(p)
    .await
    .map(|_| ())
    })?;
    Ok(())
}

/// Did this server issue `key`?
pub async fn issued(db: &Db, key: &str) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT 1 FROM uploads WHERE object_key = $1"
    )
    .bind(key)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}
