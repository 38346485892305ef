//! Fixed-window rate limiting, in process or in Redis (so a limit holds across
//! instances). Both backends count the same way: `INCR` on the current window's key.
//!
//! A limiter has one or more windows (`100/hour` and `1000/day`); a request is
//! allowed while every window has room, and the headers report the window closest
//! to its limit. Keys are a client address, or an account (a token's subject, a
//! login name) where the app limits per account.

use std::collections::HashMap;
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{ApiError, ErrorKind};
use crate::redis_conn::RedisConn;

/// `limit` requests per `secs` seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub limit: u32,
    pub secs: u64,
}

impl Window {
    pub const fn per_minute(limit: u32) -> Self {
        Self { limit, secs: 60 }
    }
    pub const fn per_hour(limit: u32) -> Self {
        Self { limit, secs: 3600 }
    }
    pub const fn per_day(limit: u32) -> Self {
        Self {
            limit,
            secs: 86_400,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a rate window is N/second, N/minute, N/hour or N/day with N at least 1, not {0:?}")]
pub struct WindowError(String);

/// `100/hour`, `5/minute`, `1000/day`, `10/second`.
impl FromStr for Window {
    type Err = WindowError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || WindowError(s.to_owned());
        let (n, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let limit: u32 = n.trim().parse().map_err(|_| bad())?;
        let secs = match unit.trim() {
            "second" | "s" => 1,
            "minute" | "min" | "m" => 60,
            "hour" | "h" => 3600,
            "day" | "d" => 86_400,
            _ => return Err(bad()),
        };
        if limit == 0 {
            return Err(bad());
        }
        Ok(Self { limit, secs })
    }
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.secs {
            1 => write!(f, "{}/second", self.limit),
            60 => write!(f, "{}/minute", self.limit),
            3600 => write!(f, "{}/hour", self.limit),
            86_400 => write!(f, "{}/day", self.limit),
            s => write!(f, "{}/{s}s", self.limit),
        }
    }
}

/// Whom a request counts against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RateKey {
    Client(IpAddr),
    /// An account: a token's subject, or the login name typed.
    Account(String),
}

impl fmt::Display for RateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Client(ip) => write!(f, "ip:{ip}"),
            Self::Account(id) => write!(f, "id:{id}"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the reported window resets.
    pub reset_after: u64,
}

impl Decision {
    /// A 429 in the app's envelope when the request is over a limit.
    pub fn check(self) -> Result<(), ApiError> {
        if self.allowed {
            return Ok(());
        }
        Err(ApiError::new(
            ErrorKind::RateLimited {
                retry_after_secs: self.reset_after.max(1),
            },
            "",
        ))
    }
}

pub struct RateLimiter {
    backend: Backend,
    windows: Vec<Window>,
    enabled: bool,
}

/// Per (key, window length): the window number and its count.
type Counts = HashMap<(RateKey, u64), (u64, u32)>;

enum Backend {
    Memory(Mutex<Counts>),
    Redis { redis: RedisConn, scope: String },
}

impl RateLimiter {
    /// Counts requests per key in every window; when not `enabled` every request
    /// is allowed but the headers still report the configured limit.
    pub fn new(windows: &[Window], enabled: bool, redis: Option<RedisConn>, scope: &str) -> Self {
        let backend = match redis {
            Some(redis) => Backend::Redis {
                redis,
                scope: scope.to_owned(),
            },
            None => Backend::Memory(Mutex::new(HashMap::new())),
        };
        let mut windows: Vec<Window> = windows
            .iter()
            .map(|w| Window {
                limit: w.limit.max(1),
                secs: w.secs.max(1),
            })
            .collect();
        if windows.is_empty() {
            windows.push(Window::per_minute(u32::MAX));
        }
        Self {
            backend,
            windows,
            enabled,
        }
    }

    pub fn windows(&self) -> &[Window] {
        &self.windows
    }

    /// The answer for a request that is not counted: allowed, the first window's
    /// limit reported in full.
    pub fn uncounted(&self) -> Decision {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let w = self.windows[0];
        Decision {
            allowed: true,
            limit: w.limit,
            remaining: w.limit,
            reset_after: reset_after(w, now),
        }
    }

    /// Counts one request of `key` in each window.
    pub async fn check(&self, key: &RateKey) -> Decision {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        if !self.enabled {
            return self.uncounted();
        }
        let counts = match &self.backend {
            Backend::Memory(map) => self.count_in_memory(map, key, now),
            Backend::Redis { redis, scope } => self.count_in_redis(redis, scope, key, now).await,
        };
        decide(&self.windows, &counts, now)
    }

    fn count_in_memory(&self, map: &Mutex<Counts>, key: &RateKey, now: u64) -> Vec<u32> {
        let mut map = map.lock().expect("rate-limit lock poisoned");
        if map.len() > 100_000 {
            map.retain(|(_, secs), (w, _)| *w == now / secs);
        }
        self.windows
            .iter()
            .map(|w| {
                let window = now / w.secs;
                let entry = map.entry((key.clone(), w.secs)).or_insert((window, 0));
                if entry.0 != window {
                    *entry = (window, 0);
                }
                entry.1 = entry.1.saturating_add(1);
                entry.1
            })
            .collect()
    }

    async fn count_in_redis(
        &self,
        redis: &RedisConn,
        scope: &str,
        key: &RateKey,
        now: u64,
    ) -> Vec<u32> {
        let mut pipe = redis::pipe();
        pipe.atomic();
        for w in &self.windows {
            let k = redis.key(&format!("rl:{scope}:{key}:{}:{}", w.secs, now / w.secs));
            pipe.incr(&k, 1).expire(&k, (w.secs + 1) as i64).ignore();
        }
        let mut conn = redis.conn();
        // Each INCR's reply, the EXPIREs' ignored.
        match pipe.query_async::<Vec<u32>>(&mut conn).await {
            Ok(counts) if counts.len() == self.windows.len() => counts,
            Ok(_) | Err(_) => {
                // Fail open: an unreachable Redis must not take the API down.
                tracing::warn!("rate limit check failed; allowing");
                vec![0; self.windows.len()]
            }
        }
    }
}

fn reset_after(w: Window, now: u64) -> u64 {
    (now / w.secs + 1) * w.secs - now
}

/// Allowed while every window has room. Reported: the window over its limit that
/// resets last, else the one with the least room left.
fn decide(windows: &[Window], counts: &[u32], now: u64) -> Decision {
    let decisions = windows.iter().zip(counts).map(|(w, &count)| Decision {
        allowed: count <= w.limit,
        limit: w.limit,
        remaining: w.limit.saturating_sub(count),
        reset_after: reset_after(*w, now),
    });
    decisions
        .min_by_key(|d| (d.allowed, d.remaining, u64::MAX - d.reset_after))
        .expect("a limiter has at least one window")
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: RateKey = RateKey::Client(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1)));
    const B: RateKey = RateKey::Client(IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2)));

    #[tokio::test]
    async fn counts_per_key_within_a_window() {
        let rl = RateLimiter::new(&[Window::per_hour(3)], true, None, "t");
        for remaining in [2, 1, 0] {
            let d = rl.check(&A).await;
            assert!(d.allowed);
            assert_eq!(d.remaining, remaining);
        }
        assert!(!rl.check(&A).await.allowed);
        assert!(rl.check(&B).await.allowed);
        let account = RateKey::Account("1".into());
        assert!(
            rl.check(&account).await.allowed,
            "an account is its own key"
        );
    }

    #[tokio::test]
    async fn every_window_must_have_room() {
        let rl = RateLimiter::new(&[Window::per_hour(5), Window::per_day(3)], true, None, "t");
        let first = rl.check(&A).await;
        assert_eq!(
            (first.limit, first.remaining),
            (3, 2),
            "the tighter window is shown"
        );
        rl.check(&A).await;
        rl.check(&A).await;
        let over = rl.check(&A).await;
        assert!(!over.allowed);
        assert_eq!(over.limit, 3);
        assert!(over.check().is_err());
    }

    #[test]
    fn the_reported_window_is_the_one_closest_to_its_limit() {
        let w = [Window::per_hour(100), Window::per_day(1000)];
        let d = decide(&w, &[10, 995], 0);
        assert_eq!((d.limit, d.remaining, d.allowed), (1000, 5, true));
        let d = decide(&w, &[101, 101], 0);
        assert_eq!((d.limit, d.remaining, d.allowed), (100, 0, false));
        let d = decide(&w, &[101, 1001], 0);
        assert_eq!(
            (d.limit, d.allowed),
            (1000, false),
            "denied until the later reset"
        );
    }

    #[test]
    fn windows_parse_from_text() {
        assert_eq!("100/hour".parse(), Ok(Window::per_hour(100)));
        assert_eq!(" 5 / minute".parse(), Ok(Window::per_minute(5)));
        assert_eq!("1000/day".parse(), Ok(Window::per_day(1000)));
        for bad in ["", "100", "0/hour", "-1/hour", "5/week", "x/day"] {
            assert!(bad.parse::<Window>().is_err(), "{bad}");
        }
        assert_eq!(Window::per_day(7).to_string(), "7/day");
    }

    #[tokio::test]
    async fn disabled_allows_everything_and_reports_the_limit() {
        let rl = RateLimiter::new(&[Window::per_minute(1)], false, None, "t");
        for _ in 0..5 {
            let d = rl.check(&A).await;
            assert!(d.allowed);
            assert_eq!(d.limit, 1);
        }
    }
}
