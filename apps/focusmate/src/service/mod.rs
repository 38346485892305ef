//! The app's rules over the store: accounts, rooms and their timer, the
//! leaderboard, notifications, and what each change tells connected clients.

pub mod leaderboard;
pub mod live;
pub mod notifications;
pub mod rooms;
pub mod timer;
pub mod users;

use std::sync::Arc;

use chrono_tz::Tz;
use platform::app::AppContext;
use platform::cache::ExpiringCache;
use platform::db::Db;
use platform::realtime::Hub;
use tokio::sync::Notify;

use crate::settings::Settings;

/// Leaderboards kept in process at most (three periods, a few period starts).
const LEADERBOARD_ENTRIES: usize = 16;

/// What every request and the timer worker share.
#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub hub: Hub,
    pub tz: Tz,
    /// Real milliseconds per timer minute.
    pub minute_ms: i64,
    pub leaderboard: Arc<ExpiringCache>,
    /// Wakes this instance's timer worker when a phase that ends sooner than
    /// any it knew of begins here.
    pub timer_wake: Arc<Notify>,
}

impl Service {
    pub fn new(ctx: &AppContext) -> Self {
        let settings = ctx.settings::<Settings>();
        Self {
            db: ctx.db.clone(),
            hub: ctx.hub.clone(),
            tz: ctx.tz(),
            minute_ms: settings.minute_ms(),
            leaderboard: Arc::new(ExpiringCache::new(
                ctx.redis.clone(),
                settings.leaderboard_ttl(),
                LEADERBOARD_ENTRIES,
            )),
            timer_wake: Arc::new(Notify::new()),
        }
    }
}

/// Milliseconds since the epoch, the timer's clock.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
