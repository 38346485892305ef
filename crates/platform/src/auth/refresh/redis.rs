//! Refresh tokens in Redis, as seed 002 keeps them: one hash per device session
//! under `refresh:{subject}:{family}`, its fields the SHA-256 of each token of the
//! family, `0` while the token is unused and its rotation time (epoch ms) after.
//! The key expires a refresh lifetime after the family's last rotation, so an idle
//! session disappears on its own, and logout is one `DEL`.
//!
//! The token names its key (`{subject}.{family}.{secret}`): a refresh touches one
//! key, with no index to keep consistent. Every change to a family is one Lua
//! script, so two instances rotating the same token at once cannot both see it
//! unused.

use std::time::Duration;

use chrono::Utc;
use redis::Script;

use super::{IssuedRefresh, hash, invalid, new_secret};
use crate::error::ApiError;
use crate::redis_conn::RedisConn;

#[derive(Clone, Debug)]
pub struct RedisTokens {
    redis: RedisConn,
    ttl: Duration,
    grace: Duration,
}

/// KEYS[1] the family; ARGV: the presented token's hash, the new token's hash, now
/// (ms), the grace window (ms), the key's lifetime (s). 1: rotated; 0: unknown,
/// expired or logged out; -1: reused after the grace window (the family is gone).
const ROTATE: &str = r"
local state = redis.call('HGET', KEYS[1], ARGV[1])
if not state then return 0 end
if state == '0' then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
elseif tonumber(ARGV[3]) - tonumber(state) > tonumber(ARGV[4]) then
  redis.call('DEL', KEYS[1])
  return -1
end
redis.call('HSET', KEYS[1], ARGV[2], '0')
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
";

/// KEYS[1] the family; ARGV[1] a token's hash. Deletes the family if the token is
/// one of it.
const REVOKE: &str = r"
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  return redis.call('DEL', KEYS[1])
end
return 0
";

fn internal(e: redis::RedisError) -> ApiError {
    ApiError::internal(format!("redis: {e}"))
}

/// Escapes what `SCAN MATCH` would read as a pattern.
fn glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A token's subject and family, if it has the shape this store issues.
fn parse(token: &str) -> Option<(&str, &str)> {
    let mut parts = token.rsplitn(3, '.');
    let secret = parts.next()?;
    let family = parts.next()?;
    let subject = parts.next()?;
    let hex = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit());
    (hex(secret, 64) && hex(family, 32) && !subject.is_empty()).then_some((subject, family))
}

impl RedisTokens {
    pub fn new(redis: RedisConn, ttl: Duration, grace: Duration) -> Self {
        Self { redis, ttl, grace }
    }

    fn key(&self, subject: &str, family: &str) -> String {
        self.redis.key(&format!("refresh:{subject}:{family}"))
    }

    fn ttl_secs(&self) -> u64 {
        self.ttl.as_secs().max(1)
    }

    fn issued(&self, subject: &str, family: &str) -> IssuedRefresh {
        IssuedRefresh {
            token: format!("{subject}.{family}.{}", new_secret()),
            subject: subject.to_owned(),
            expires_at: Utc::now() + self.ttl,
        }
    }

    pub async fn issue(&self, subject: &str) -> Result<IssuedRefresh, ApiError> {
        let family = uuid::Uuid::new_v4().simple().to_string();
        let issued = self.issued(subject, &family);
        let key = self.key(subject, &family);
        let mut conn = self.redis.conn();
        redis::pipe()
            .atomic()
            .hset(&key, hash(&issued.token), "0")
            .ignore()
            .expire(&key, self.ttl_secs() as i64)
            .ignore()
            .query_async::<()>(&mut conn)
            .await
            .map_err(internal)?;
        Ok(issued)
    }

    pub async fn rotate(&self, token: &str) -> Result<IssuedRefresh, ApiError> {
        let Some((subject, family)) = parse(token) else {
            return Err(invalid());
        };
        let issued = self.issued(subject, family);
        let mut conn = self.redis.conn();
        let outcome: i64 = Script::new(ROTATE)
            .key(self.key(subject, family))
            .arg(hash(token))
            .arg(hash(&issued.token))
            .arg(Utc::now().timestamp_millis())
            .arg(self.grace.as_millis() as u64)
            .arg(self.ttl_secs())
            .invoke_async(&mut conn)
            .await
            .map_err(internal)?;
        match outcome {
            1 => Ok(issued),
            -1 => {
                tracing::warn!(
                    family,
                    "refresh token reused after rotation; family revoked"
                );
                Err(invalid())
            }
            _ => Err(invalid()),
        }
    }

    pub async fn revoke(&self, token: &str) -> Result<bool, ApiError> {
        let Some((subject, family)) = parse(token) else {
            return Ok(false);
        };
        let mut conn = self.redis.conn();
        let deleted: i64 = Script::new(REVOKE)
            .key(self.key(subject, family))
            .arg(hash(token))
            .invoke_async(&mut conn)
            .await
            .map_err(internal)?;
        Ok(deleted > 0)
    }

    pub async fn subject_of(&self, token: &str) -> Result<Option<String>, ApiError> {
        let Some((subject, family)) = parse(token) else {
            return Ok(None);
        };
        let mut conn = self.redis.conn();
        let known: bool = redis::cmd("HEXISTS")
            .arg(self.key(subject, family))
            .arg(hash(token))
            .query_async(&mut conn)
            .await
            .map_err(internal)?;
        Ok(known.then(|| subject.to_owned()))
    }

    pub async fn revoke_subject(&self, subject: &str) -> Result<(), ApiError> {
        let pattern = format!(
            "{}*",
            glob_escape(&self.redis.key(&format!("refresh:{subject}:")))
        );
        let mut conn = self.redis.conn();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(&pattern)
                .arg("COUNT")
                .arg(500)
                .query_async(&mut conn)
                .await
                .map_err(internal)?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(keys)
                    .query_async::<()>(&mut conn)
                    .await
                    .map_err(internal)?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_name_their_family() {
        let family = "0123456789abcdef0123456789abcdef";
        let secret = "ab".repeat(32);
        assert_eq!(
            parse(&format!("42.{family}.{secret}")),
            Some(("42", family))
        );
        assert_eq!(
            parse(&format!("a.b.{family}.{secret}")),
            Some(("a.b", family))
        );
        for bad in [
            String::new(),
            secret.clone(),
            format!("{family}.{secret}"),
            format!(".{family}.{secret}"),
            format!("42.{family}.{}", "zz".repeat(32)),
            format!("42.{}.{secret}", &family[1..]),
        ] {
            assert_eq!(parse(&bad), None, "{bad}");
        }
    }

    #[test]
    fn patterns_match_only_the_subject() {
        assert_eq!(glob_escape("t*x:refresh:1:"), "t\\*x:refresh:1:");
        assert_eq!(glob_escape("a[b]?\\"), "a\\[b\\]\\?\\\\");
    }
}
