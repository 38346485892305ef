//! Refresh tokens: opaque random strings, stored only as SHA-256 hashes, rotated on
//! every use. Presenting a rotated token revokes its family (reuse detection), except
//! within a grace window after its rotation, when it yields a fresh pair of the same
//! family: two tabs refreshing at once, or a lost response, never log a user out.
//!
//! A family is one device session, from a login to its logout. The tokens live in
//! the app database ([`table`]) unless the app's manifest keeps them in Redis and
//! Redis is configured ([`redis`]); both stores follow the same rules.

mod redis;
mod table;

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::Db;
use crate::error::{ApiError, AuthFailure};
use crate::redis_conn::RedisConn;

pub use table::ensure_schema;

#[derive(Debug, Clone)]
pub struct IssuedRefresh {
    pub token: String,
    pub subject: String,
    pub expires_at: DateTime<Utc>,
}

/// An app's refresh tokens, in whichever store it keeps them.
#[derive(Clone, Debug)]
pub struct RefreshTokens(Store);

#[derive(Clone, Debug)]
enum Store {
    Table(table::TableTokens),
    Redis(redis::RedisTokens),
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// 256 random bits, hex.
fn new_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn invalid() -> ApiError {
    ApiError::unauthorized(AuthFailure::Invalid, "")
}

impl RefreshTokens {
    /// Tokens in the app database, valid for `ttl`.
    pub fn new(db: Db, ttl: Duration, grace: Duration) -> Self {
        Self(Store::Table(table::TableTokens::new(db, ttl, grace)))
    }

    /// Tokens in Redis, under `refresh:{subject}:{family}` (after the deployment's
    /// key prefix), each family expiring `ttl` after its last rotation.
    pub fn in_redis(redis: RedisConn, ttl: Duration, grace: Duration) -> Self {
        Self(Store::Redis(redis::RedisTokens::new(redis, ttl, grace)))
    }

    /// Where the tokens are kept, for the startup log and the tests.
    pub fn store(&self) -> &'static str {
        match &self.0 {
            Store::Table(_) => "database",
            Store::Redis(_) => "redis",
        }
    }

    /// A token of a new family, at login.
    pub async fn issue(&self, subject: &str) -> Result<IssuedRefresh, ApiError> {
        match &self.0 {
            Store::Table(t) => t.issue(subject).await,
            Store::Redis(r) => r.issue(subject).await,
        }
    }

    /// Exchanges a refresh token for a new one of the same family.
    pub async fn rotate(&self, token: &str) -> Result<IssuedRefresh, ApiError> {
        match &self.0 {
            Store::Table(t) => t.rotate(token).await,
            Store::Redis(r) => r.rotate(token).await,
        }
    }

    /// Logout: the token's whole family stops working. Unknown tokens are fine.
    pub async fn revoke(&self, token: &str) -> Result<bool, ApiError> {
        match &self.0 {
            Store::Table(t) => t.revoke(token).await,
            Store::Redis(r) => r.revoke(token).await,
        }
    }

    /// Who a token belongs to, without using it.
    pub async fn subject_of(&self, token: &str) -> Result<Option<String>, ApiError> {
        match &self.0 {
            Store::Table(t) => t.subject_of(token).await,
            Store::Redis(r) => r.subject_of(token).await,
        }
    }

    /// Every family of `subject` ends (a role change, a disable). The table's rows
    /// go with the token version's bump ([`super::revocation::revoke`]), in its
    /// transaction; this removes what Redis holds.
    pub async fn revoke_subject(&self, subject: &str) -> Result<(), ApiError> {
        match &self.0 {
            Store::Table(_) => Ok(()),
            Store::Redis(r) => r.revoke_subject(subject).await,
        }
    }
}
