//! Presence: who has an open connection in a scope, across devices and instances,
//! and the moments that matter: a member's first connection opening and their last
//! one closing.
//!
//! In process it is a count per (scope, member). With Redis each instance owns its
//! counts under a lease it renews: a member's hash holds one count per instance, and
//! only instances whose lease is alive count. An instance that dies without closing
//! its connections (`kill -9`, a lost machine) stops counting when its lease runs
//! out, and another instance reaps its counts: for each member whose last live
//! connection was there, [`Presence::ended`] reports the end, exactly once (a flag
//! per member, set by the first join and cleared by whoever sees the last leave).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

use super::HubError;
use crate::redis_conn::RedisConn;

/// The live connections of a member, on instances whose lease is alive; dead
/// instances' fields are skipped (the reaper removes them).
const LIVE: &str = "local function live(hash, lease_prefix)
  local total = 0
  local fields = redis.call('HGETALL', hash)
  for i = 1, #fields, 2 do
    if redis.call('EXISTS', lease_prefix .. fields[i]) == 1 then
      total = total + tonumber(fields[i + 1])
    end
  end
  return total
end
";

/// KEYS: member hash, on-flag, this instance's holdings. ARGV: instance, lease
/// prefix, holdings entry. 1 if this was the member's first live connection.
const JOIN: &str = "redis.call('HINCRBY', KEYS[1], ARGV[1], 1)
redis.call('SADD', KEYS[3], ARGV[3])
if live(KEYS[1], ARGV[2]) >= 1 and redis.call('SET', KEYS[2], '1', 'NX') then return 1 end
return 0";

/// As [`JOIN`]; 1 if this closed the member's last live connection.
const LEAVE: &str = "local n = redis.call('HINCRBY', KEYS[1], ARGV[1], -1)
if n <= 0 then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[3])
end
if live(KEYS[1], ARGV[2]) == 0 then return redis.call('DEL', KEYS[2]) end
return 0";

/// KEYS: member hash. ARGV: lease prefix.
const PRESENT: &str = "return live(KEYS[1], ARGV[1])";

/// KEYS: member hash, on-flag. ARGV: dead instance, lease prefix. 1 if the dead
/// instance held the member's last live connection.
const REAP: &str = "redis.call('HDEL', KEYS[1], ARGV[1])
if live(KEYS[1], ARGV[2]) == 0 then return redis.call('DEL', KEYS[2]) end
return 0";

static JOIN_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{LIVE}{JOIN}")));
static LEAVE_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{LIVE}{LEAVE}")));
static PRESENT_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{LIVE}{PRESENT}")));
static REAP_SCRIPT: LazyLock<redis::Script> =
    LazyLock::new(|| redis::Script::new(&format!("{LIVE}{REAP}")));

/// A member whose last connection ended without a leave (its instance died).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ended {
    pub scope: String,
    pub member: String,
}

pub(super) enum Presence {
    Memory(Mutex<HashMap<(String, String), usize>>),
    Redis(Box<Shared>),
}

pub(super) struct Shared {
    redis: RedisConn,
    /// `presence:<app>:` under the deployment's prefix.
    prefix: String,
    instance: String,
    lease: Duration,
    ended: broadcast::Sender<Ended>,
}

impl Presence {
    pub(super) fn memory() -> Self {
        Self::Memory(Mutex::new(HashMap::new()))
    }

    /// Redis presence for `app`: takes this instance's lease and keeps it, and
    /// reaps dead instances, until `shutdown`.
    pub(super) async fn redis(
        redis: RedisConn,
        app: &str,
        lease: Duration,
        shutdown: CancellationToken,
    ) -> Result<Self, HubError> {
        let shared = Shared {
            prefix: redis.key(&format!("presence:{app}:")),
            redis,
            instance: uuid::Uuid::new_v4().simple().to_string(),
            lease: lease.max(Duration::from_secs(1)),
            ended: broadcast::channel(1024).0,
        };
        shared.renew().await?;
        redis::cmd("SADD")
            .arg(shared.key("instances"))
            .arg(&shared.instance)
            .query_async::<i64>(&mut shared.redis.conn())
            .await?;
        let every = shared.lease / 3;
        let keeper = Shared {
            redis: shared.redis.clone(),
            prefix: shared.prefix.clone(),
            instance: shared.instance.clone(),
            lease: shared.lease,
            ended: shared.ended.clone(),
        };
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tick.tick() => {}
                }
                if let Err(e) = keeper.renew().await {
                    tracing::warn!(error = %e, "presence: lease not renewed");
                }
                if let Err(e) = keeper.reap().await {
                    tracing::warn!(error = %e, "presence: dead instances not reaped");
                }
            }
        });
        Ok(Self::Redis(Box::new(shared)))
    }

    /// Counts one more connection of `member`; `true` if it is the member's first.
    pub(super) async fn join(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        match self {
            Self::Memory(counts) => {
                let mut counts = counts.lock().expect("presence lock poisoned");
                let n = counts
                    .entry((scope.to_owned(), member.to_owned()))
                    .or_default();
                *n += 1;
                Ok(*n == 1)
            }
            Self::Redis(s) => s.member_script(&JOIN_SCRIPT, scope, member).await,
        }
    }

    /// Counts one connection fewer; `true` if it was the member's last.
    pub(super) async fn leave(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        match self {
            Self::Memory(counts) => {
                let mut counts = counts.lock().expect("presence lock poisoned");
                let key = (scope.to_owned(), member.to_owned());
                let Some(n) = counts.get_mut(&key) else {
                    return Ok(false);
                };
                *n -= 1;
                if *n == 0 {
                    counts.remove(&key);
                    return Ok(true);
                }
                Ok(false)
            }
            Self::Redis(s) => s.member_script(&LEAVE_SCRIPT, scope, member).await,
        }
    }

    pub(super) async fn is_present(&self, scope: &str, member: &str) -> Result<bool, HubError> {
        match self {
            Self::Memory(counts) => Ok(counts
                .lock()
                .expect("presence lock poisoned")
                .contains_key(&(scope.to_owned(), member.to_owned()))),
            Self::Redis(s) => {
                let n: i64 = PRESENT_SCRIPT
                    .key(s.member_key(scope, member))
                    .arg(s.key("lease:"))
                    .invoke_async(&mut s.redis.conn())
                    .await?;
                Ok(n > 0)
            }
        }
    }

    /// Members whose last connection ended with its instance (never in process).
    pub(super) fn ended(&self) -> broadcast::Receiver<Ended> {
        match self {
            Self::Memory(_) => broadcast::channel(1).1,
            Self::Redis(s) => s.ended.subscribe(),
        }
    }
}

impl Shared {
    fn key(&self, rest: &str) -> String {
        format!("{}{rest}", self.prefix)
    }

    fn member_key(&self, scope: &str, member: &str) -> String {
        self.key(&format!("m:{scope}:{member}"))
    }

    fn on_key(&self, scope: &str, member: &str) -> String {
        self.key(&format!("on:{scope}:{member}"))
    }

    fn entry(scope: &str, member: &str) -> String {
        format!("{scope}\n{member}")
    }

    async fn member_script(
        &self,
        script: &redis::Script,
        scope: &str,
        member: &str,
    ) -> Result<bool, HubError> {
        let n: i64 = script
            .key(self.member_key(scope, member))
            .key(self.on_key(scope, member))
            .key(self.key(&format!("holdings:{}", self.instance)))
            .arg(&self.instance)
            .arg(self.key("lease:"))
            .arg(Self::entry(scope, member))
            .invoke_async(&mut self.redis.conn())
            .await?;
        Ok(n == 1)
    }

    async fn renew(&self) -> Result<(), HubError> {
        redis::cmd("SET")
            .arg(self.key(&format!("lease:{}", self.instance)))
            .arg("1")
            .arg("PX")
            .arg(self.lease.as_millis() as u64)
            .query_async::<()>(&mut self.redis.conn())
            .await?;
        Ok(())
    }

    /// Takes over the counts of every instance whose lease ran out: one reaper
    /// wins each dead instance (`SREM` answers 1 to only one caller).
    async fn reap(&self) -> Result<(), HubError> {
        let mut conn = self.redis.conn();
        let instances: Vec<String> = redis::cmd("SMEMBERS")
            .arg(self.key("instances"))
            .query_async(&mut conn)
            .await?;
        for dead in instances.into_iter().filter(|i| *i != self.instance) {
            let alive: bool = redis::cmd("EXISTS")
                .arg(self.key(&format!("lease:{dead}")))
                .query_async(&mut conn)
                .await?;
            if alive {
                continue;
            }
            let claimed: i64 = redis::cmd("SREM")
                .arg(self.key("instances"))
                .arg(&dead)
                .query_async(&mut conn)
                .await?;
            if claimed != 1 {
                continue;
            }
            let holdings = self.key(&format!("holdings:{dead}"));
            let entries: Vec<String> = redis::cmd("SMEMBERS")
                .arg(&holdings)
                .query_async(&mut conn)
                .await?;
            tracing::info!(instance = %dead, members = entries.len(), "presence: reaping a dead instance");
            for entry in entries {
                let Some((scope, member)) = entry.split_once('\n') else {
                    continue;
                };
                let last: i64 = REAP_SCRIPT
                    .key(self.member_key(scope, member))
                    .key(self.on_key(scope, member))
                    .arg(&dead)
                    .arg(self.key("lease:"))
                    .invoke_async(&mut conn)
                    .await?;
                if last == 1 {
                    let _ = self.ended.send(Ended {
                        scope: scope.to_owned(),
                        member: member.to_owned(),
                    });
                }
            }
            redis::cmd("DEL")
                .arg(&holdings)
                .query_async::<i64>(&mut conn)
                .await?;
        }
        Ok(())
    }
}
