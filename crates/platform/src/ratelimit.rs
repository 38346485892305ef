//! Fixed-window rate limiting, in process or in Redis (so a limit holds across
//! instances). Both backends count the same way: `INCR` on the current window's key.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::redis_conn::RedisConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window resets.
    pub reset_after: u64,
}

pub struct RateLimiter {
    backend: Backend,
    limit: u32,
    window_secs: u64,
    enabled: bool,
}

enum Backend {
    Memory(Mutex<HashMap<IpAddr, (u64, u32)>>),
    Redis { redis: RedisConn, scope: String },
}

impl RateLimiter {
    /// `limit` requests per `window_secs` per key; when not `enabled` every request is
    /// allowed but the headers still report the configured limit.
    pub fn new(
        limit: u32,
        window_secs: u64,
        enabled: bool,
        redis: Option<RedisConn>,
        scope: &str,
    ) -> Self {
        let backend = match redis {
            Some(redis) => Backend::Redis {
                redis,
                scope: scope.to_owned(),
            },
            None => Backend::Memory(Mutex::new(HashMap::new())),
        };
        Self {
            backend,
            limit: limit.max(1),
            window_secs: window_secs.max(1),
            enabled,
        }
    }

    /// Counts one request of `client` in the current window.
    pub async fn check(&self, client: IpAddr) -> Decision {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let window = now / self.window_secs;
        let reset_after = (window + 1) * self.window_secs - now;
        if !self.enabled {
            return Decision {
                allowed: true,
                limit: self.limit,
                remaining: self.limit,
                reset_after,
            };
        }
        let count = match &self.backend {
            Backend::Memory(map) => {
                let mut map = map.lock().expect("rate-limit lock poisoned");
                if map.len() > 100_000 {
                    map.retain(|_, (w, _)| *w == window);
                }
                let entry = map.entry(client).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                entry.1 = entry.1.saturating_add(1);
                entry.1
            }
            Backend::Redis { redis, scope } => {
                let k = redis.key(&format!("rl:{scope}:{client}:{window}"));
                let mut conn = redis.conn();
                let result: Result<(u32, i64), _> = redis::pipe()
                    .atomic()
                    .incr(&k, 1)
                    .expire(&k, (self.window_secs + 1) as i64)
                    .query_async(&mut conn)
                    .await;
                match result {
                    Ok((n, _)) => n,
                    Err(e) => {
                        // Fail open: an unreachable Redis must not take the API down.
                        tracing::warn!(error = %e, "rate limit check failed; allowing");
                        0
                    }
                }
            }
        };
        Decision {
            allowed: count <= self.limit,
            limit: self.limit,
            remaining: self.limit.saturating_sub(count),
            reset_after,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));

    #[tokio::test]
    async fn counts_per_client_within_a_window() {
        let rl = RateLimiter::new(3, 3600, true, None, "t");
        for remaining in [2, 1, 0] {
            let d = rl.check(A).await;
            assert!(d.allowed);
            assert_eq!(d.remaining, remaining);
        }
        assert!(!rl.check(A).await.allowed);
        assert!(rl.check(B).await.allowed);
    }

    #[tokio::test]
    async fn disabled_allows_everything_and_reports_the_limit() {
        let rl = RateLimiter::new(1, 60, false, None, "t");
        for _ in 0..5 {
            let d = rl.check(A).await;
            assert!(d.allowed);
            assert_eq!(d.limit, 1);
        }
    }
}
