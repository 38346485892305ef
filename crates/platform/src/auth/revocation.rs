//! Ending a user's sessions at once: after a role change or a disable, access
//! tokens already issued stop working within seconds, on every instance, instead of
//! living out their lifetime with the old role.
//!
//! Each subject has a token version, 0 until first revoked. Access tokens carry the
//! version they were issued at (`ver`); a token older than its subject's current
//! version is refused. Versions live in a table of the app's database (the CLI that
//! changes a role is another process), and every instance keeps them in memory,
//! reloaded every [`RELOAD_EVERY`]: only subjects ever revoked are in it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::{on_pool, on_tx};

/// How often an instance re-reads the versions: the delay before a revocation
/// made elsewhere takes effect here.
pub const RELOAD_EVERY: Duration = Duration::from_secs(1);

const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_token_versions (
    subject TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    updated_at TEXT NOT NULL
)";
const POSTGRES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_token_versions (
    subject TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
)";

/// Creates the versions table in an app database (idempotent).
pub async fn ensure_schema(db: &Db) -> Result<(), sqlx::Error> {
    db.define(SQLITE_SCHEMA, POSTGRES_SCHEMA, &[]).await
}

/// The current token versions of the revoked subjects, as this instance knows them.
#[derive(Clone, Default)]
pub struct Revocations(Arc<RwLock<HashMap<String, i64>>>);

impl std::fmt::Debug for Revocations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Revocations").finish_non_exhaustive()
    }
}

impl Revocations {
    /// The version a token of `subject` must carry at least.
    pub fn version(&self, subject: &str) -> i64 {
        let map = self.0.read().expect("revocations lock poisoned");
        if map.is_empty() {
            return 0;
        }
        map.get(subject).copied().unwrap_or(0)
    }

    /// Reads every version from the database.
    pub async fn load(&self, db: &Db) -> Result<(), sqlx::Error> {
        let rows: Vec<(String, i64)> = on_pool!(db.reader(), |p| sqlx::query_as(
            "SELECT subject, CAST(version AS BIGINT) FROM platform_token_versions"
        )
        .fetch_all(p)
        .await)?;
        let map: HashMap<String, i64> = rows.into_iter().collect();
        *self.0.write().expect("revocations lock poisoned") = map;
        Ok(())
    }

    /// Reloads every [`RELOAD_EVERY`] until `shutdown`.
    pub fn watch(&self, db: Db, shutdown: CancellationToken) {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(RELOAD_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tick.tick() => {}
                }
                if let Err(e) = this.load(&db).await {
                    tracing::warn!(error = %e, "token versions not reloaded");
                }
            }
        });
    }
}

/// The current version of `subject` in the database (0: never revoked).
pub async fn current(db: &Db, subject: &str) -> Result<i64, sqlx::Error> {
    let v: Option<i64> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT CAST(version AS BIGINT) FROM platform_token_versions WHERE subject = $1"
    )
    .bind(subject)
    .fetch_optional(p)
    .await)?;
    Ok(v.unwrap_or(0))
}

/// Ends every session of `subject`: its access tokens stop working (within
/// [`RELOAD_EVERY`] on every instance) and its refresh tokens are deleted.
pub async fn revoke(db: &Db, subject: &str) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    on_tx!(&mut tx, |c| {
        sqlx::query(
            "INSERT INTO platform_token_versions (subject, version, updated_at)
             VALUES ($1, 1, $2)
             ON CONFLICT (subject) DO UPDATE
             SET version = platform_token_versions.version + 1, updated_at = excluded.updated_at",
        )
        .bind(subject)
        .bind(Utc::now())
        .execute(&mut *c)
        .await?;
        sqlx::query("DELETE FROM platform_refresh_tokens WHERE subject = $1")
            .bind(subject)
            .execute(&mut *c)
            .await?;
    });
    tx.commit().await
}
