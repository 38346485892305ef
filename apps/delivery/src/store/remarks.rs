use chrono::{DateTime, Utc};
use platform::db::Tx;
use platform::on_tx;

use crate::model::RemarkRow;

pub const COLUMNS: &str = "remark_id, dashboard_id, content, created_at, created_by, updated_at";

pub async fn get(tx: &mut Tx, remark_id: i64) -> Result<Option<RemarkRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM dashboard_remarks WHERE remark_id = $1");
    on_tx!(tx, |c| sqlx::query_as(&sql)
        .bind(remark_id)
        .fetch_optional(&mut *c)
        .await)
}

pub async fn insert(
    tx: &mut Tx,
    dashboard_id: i64,
    content: &str,
    author: &str,
    now: DateTime<Utc>,
) -> Result<RemarkRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO dashboard_remarks (dashboard_id, content, created_at, created_by)
         VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(dashboard_id)
            .bind(content)
            .bind(now)
            .bind(author)
            .fetch_one(&mut *c)
            .await
    })
}

pub async fn update(
    tx: &mut Tx,
    remark_id: i64,
    content: &str,
    now: DateTime<Utc>,
) -> Result<RemarkRow, sqlx::Error> {
    let sql = format!(
        "UPDATE dashboard_remarks SET content = $2, updated_at = $3 WHERE remark_id = $1 RETURNING {COLUMNS}"
    );
    on_tx!(tx, |c| {
        sqlx::query_as(&sql)
            .bind(remark_id)
            .bind(content)
            .bind(now)
            .fetch_one(&mut *c)
            .await
    })
}
