//! Refresh tokens in a table of the app database: one row per token, the family
//! and the rotation time in columns.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{IssuedRefresh, hash, invalid, new_secret};
use crate::db::Db;
use crate::error::{ApiError, AuthFailure};
use crate::{on_pool, on_tx};

const SQLITE_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    rotated_at TEXT,
    revoked INTEGER NOT NULL DEFAULT 0
)";
const POSTGRES_SCHEMA: &str = "CREATE TABLE IF NOT EXISTS platform_refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    family_id TEXT NOT NULL,
    subject TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    rotated_at TIMESTAMPTZ,
    revoked BOOLEAN NOT NULL DEFAULT FALSE
)";
const INDEXES: [&str; 3] = [
    "CREATE INDEX IF NOT EXISTS platform_refresh_tokens_family ON platform_refresh_tokens (family_id)",
    "CREATE INDEX IF NOT EXISTS platform_refresh_tokens_subject ON platform_refresh_tokens (subject)",
    "CREATE INDEX IF NOT EXISTS platform_refresh_tokens_expiry ON platform_refresh_tokens (expires_at)",
];

/// Creates the platform's table in an app database (idempotent).
pub async fn ensure_schema(db: &Db) -> Result<(), sqlx::Error> {
    db.define(SQLITE_SCHEMA, POSTGRES_SCHEMA, &INDEXES).await
}

#[derive(Clone, Debug)]
pub struct TableTokens {
    db: Db,
    ttl: Duration,
    grace: Duration,
}

#[derive(sqlx::FromRow)]
struct Row {
    family_id: String,
    subject: String,
    expires_at: DateTime<Utc>,
    rotated_at: Option<DateTime<Utc>>,
    revoked: bool,
}

impl TableTokens {
    pub fn new(db: Db, ttl: Duration, grace: Duration) -> Self {
        Self { db, ttl, grace }
    }

    /// A token of a new family, at login.
    pub async fn issue(&self, subject: &str) -> Result<IssuedRefresh, ApiError> {
        let now = Utc::now();
        let family = uuid::Uuid::new_v4().to_string();
        let mut tx = self.db.begin().await?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM platform_refresh_tokens WHERE expires_at < $1")
                .bind(now)
                .execute(&mut *c)
                .await?;
        });
        let issued = self.insert(&mut tx, &family, subject, now).await?;
        tx.commit().await?;
        Ok(issued)
    }

    async fn insert(
        &self,
        tx: &mut crate::db::Tx,
        family: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<IssuedRefresh, ApiError> {
        let token = new_secret();
        let expires_at = now + self.ttl;
        on_tx!(tx, |c| {
            sqlx::query(
                "INSERT INTO platform_refresh_tokens (token_hash, family_id, subject, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(hash(&token))
            .bind(family)
            .bind(subject)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *c)
            .await?;
        });
        Ok(IssuedRefresh {
            token,
            subject: subject.to_owned(),
            expires_at,
        })
    }

    /// Exchanges a refresh token for a new one of the same family.
    pub async fn rotate(&self, token: &str) -> Result<IssuedRefresh, ApiError> {
        let now = Utc::now();
        let token_hash = hash(token);
        let mut tx = self.db.begin().await?;
        let row: Option<Row> = on_tx!(&mut tx, |c| {
            sqlx::query_as(
                "SELECT family_id, subject, expires_at, rotated_at, revoked
                 FROM platform_refresh_tokens WHERE token_hash = $1",
            )
            .bind(&token_hash)
            .fetch_optional(&mut *c)
            .await?
        });
        let Some(row) = row else {
            return Err(invalid());
        };
        if row.revoked {
            return Err(invalid());
        }
        if row.expires_at <= now {
            return Err(ApiError::unauthorized(AuthFailure::Expired, ""));
        }
        let fresh_rotation = match row.rotated_at {
            Some(_) => false,
            None => {
                let updated = on_tx!(&mut tx, |c| {
                    sqlx::query(
                        "UPDATE platform_refresh_tokens SET rotated_at = $1
                         WHERE token_hash = $2 AND rotated_at IS NULL",
                    )
                    .bind(now)
                    .bind(&token_hash)
                    .execute(&mut *c)
                    .await?
                    .rows_affected()
                });
                // Zero rows: a concurrent refresh rotated it just now, which is the
                // grace case.
                updated == 1
            }
        };
        let within_grace = row.rotated_at.is_none_or(|at| {
            now.signed_duration_since(at).to_std().unwrap_or_default() <= self.grace
        });
        if !fresh_rotation && !within_grace {
            on_tx!(&mut tx, |c| {
                sqlx::query(
                    "UPDATE platform_refresh_tokens SET revoked = TRUE WHERE family_id = $1",
                )
                .bind(&row.family_id)
                .execute(&mut *c)
                .await?;
            });
            tx.commit().await?;
            tracing::warn!(family = %row.family_id, "refresh token reused after rotation; family revoked");
            return Err(invalid());
        }
        let issued = self
            .insert(&mut tx, &row.family_id, &row.subject, now)
            .await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// The token's whole family stops working. Unknown tokens are fine.
    pub async fn revoke(&self, token: &str) -> Result<bool, ApiError> {
        let token_hash = hash(token);
        let n = on_pool!(self.db.writer(), |p| {
            sqlx::query(
                "DELETE FROM platform_refresh_tokens WHERE family_id IN
                 (SELECT family_id FROM platform_refresh_tokens WHERE token_hash = $1)",
            )
            .bind(&token_hash)
            .execute(p)
            .await
            .map(|r| r.rows_affected())
        })?;
        Ok(n > 0)
    }

    /// Who a token belongs to, without using it.
    pub async fn subject_of(&self, token: &str) -> Result<Option<String>, ApiError> {
        let token_hash = hash(token);
        let subject: Option<(String,)> = on_pool!(self.db.reader(), |p| {
            sqlx::query_as("SELECT subject FROM platform_refresh_tokens WHERE token_hash = $1")
                .bind(&token_hash)
                .fetch_optional(p)
                .await
        })?;
        Ok(subject.map(|s| s.0))
    }
}
