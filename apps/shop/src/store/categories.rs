use chrono::{DateTime, Utc};
use platform::db::Db;
use platform::on_pool;

use crate::model::{CategoryId, CategoryRow};

pub async fn all(db: &Db) -> Result<Vec<CategoryRow>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT id, name, parent_id FROM categories ORDER BY name, id"
    )
    .fetch_all(p)
    .await)
}

/// `root` and every category under it (root first); empty if `root` does not
/// exist. One statement returning only the subtree: a list request should not
/// read the whole tree to find one leaf.
pub async fn subtree(db: &Db, root: CategoryId) -> Result<Vec<CategoryId>, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "WITH RECURSIVE sub (id, depth) AS (
             SELECT id, 0 FROM categories WHERE id = $1
             UNION ALL
             SELECT c.id, sub.depth + 1 FROM categories c JOIN sub ON c.parent_id = sub.id
         )
         SELECT id FROM sub ORDER BY depth, id"
    )
    .bind(root)
    .fetch_all(p)
    .await)
}

pub async fn exists(db: &Db, id: CategoryId) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM categories WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// A unique violation if the parent has a category of this name; a foreign-key
/// violation if the parent is gone.
pub async fn insert(
    db: &Db,
    name: &str,
    parent: Option<CategoryId>,
    now: DateTime<Utc>,
) -> Result<CategoryRow, sqlx::Error> {
    on_pool!(db.writer(), |p| sqlx::query_as(
        "INSERT INTO categories (name, parent_id, created_at) VALUES ($1, $2, $3)
         RETURNING id, name, parent_id"
    )
    .bind(name)
    .bind(parent)
    .bind(now)
    .fetch_one(p)
    .await)
}
