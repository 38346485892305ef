//! The timer worker: every instance runs one. It sleeps until the soonest phase
//! end in the database (or until this instance starts a sooner one, or a poll
//! interval passes, to see phases other instances started), then completes every
//! room whose phase has ended. Instances race for the same rooms harmlessly: each
//! room is stepped under its row lock, and whoever comes second finds the phase
//! already moved on. No timer lives in any process's memory, so phases end on time
//! with nobody connected, across restarts, and when an instance dies.

use std::time::Duration;

use futures_util::StreamExt;
use platform::app::ShutdownToken;

use super::{Service, now_ms};
use crate::store;

/// Rooms stepped per round; a full round goes again at once.
const BATCH: i64 = 100;
/// Rooms stepped at once: on PostgreSQL each step is a dozen round trips, and
/// rooms due together should not wait for each other's (SQLite's single writer
/// takes them in turn either way).
const AT_ONCE: usize = 8;
/// The longest sleep: phases begun on other instances are seen within this.
const POLL: Duration = Duration::from_millis(500);
/// A round that failed (the database away) is retried after this.
const RETRY: Duration = Duration::from_secs(1);

pub fn spawn(svc: Service, shutdown: ShutdownToken) {
    tokio::spawn(async move {
        loop {
            let wait = match round(&svc).await {
                Ok(wait) => wait,
                Err(e) => {
                    tracing::warn!(error = %e, "timer round failed");
                    RETRY
                }
            };
            if wait.is_zero() {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = svc.timer_wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    });
}

/// Steps every due room; how long to sleep before the next round.
async fn round(svc: &Service) -> Result<Duration, Box<dyn std::error::Error + Send + Sync>> {
    let due = store::rooms::due(&svc.db, now_ms(), BATCH).await?;
    futures_util::stream::iter(&due)
        .for_each_concurrent(AT_ONCE, |id| async move {
            if let Err(e) = svc.step(*id).await {
                tracing::warn!(room = %id, error = %e.for_operator(), "timer step failed");
            }
        })
        .await;
    if due.len() as i64 == BATCH {
        return Ok(Duration::ZERO);
    }
    let wait = match store::rooms::next_end(&svc.db).await? {
        Some(end) => Duration::from_millis((end - now_ms()).max(1) as u64),
        None => POLL,
    };
    Ok(wait.min(POLL))
}
