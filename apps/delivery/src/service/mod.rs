//! The delivery rules: validation, the status workflow, lock semantics, statistics.
//! No HTTP types here beyond the platform error.

pub mod export;
pub mod locks;
pub mod orders;
pub mod postal;
pub mod projection;
pub mod stats;
pub mod transitions;
pub mod users;

use std::time::Duration;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use platform::db::{Db, Tx};
use platform::realtime::Hub;
use platform::{ApiError, ErrorKind};
use serde::Serialize;

use crate::model::LockInfo;

/// The hub topic of the live view.
pub const LIVE_TOPIC: &str = "dashboard";

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub hub: Hub,
    pub tz: Tz,
    pub lock_ttl: Duration,
    pub max_range_days: i64,
    /// The month view in memory (see `projection`).
    pub projection: std::sync::Arc<projection::Projection>,
    /// Bulk reads (an uncached month list, an export) hold tens of MB while they
    /// run; at most this many run at once, the rest wait, so memory stays bounded
    /// and concurrent misses of the same list are computed once.
    pub bulk_reads: std::sync::Arc<tokio::sync::Semaphore>,
    /// Lock takes and releases of concurrent requests, run a batch at a time (see
    /// `store::locks::run_batch`).
    pub lock_writes: LockWrites,
}

/// The queue of the lock endpoints' writes.
pub type LockWrites = platform::batch::Batcher<
    crate::store::locks::LockOp,
    Result<crate::store::locks::LockOutcome, sqlx::Error>,
>;

/// Starts the lock writers of `db`. Two, so one batch can gather and start while the
/// previous one waits on its commit; 256 requests at most per batch.
pub fn lock_writes(db: Db, ttl: Duration) -> LockWrites {
    let ttl = chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::MAX);
    platform::batch::Batcher::spawn(2, 256, move |ops| {
        let db = db.clone();
        async move { crate::store::locks::run_batch(&db, ops, ttl).await }
    })
}

/// The delivery-specific errors of the spec's table.
pub mod errors {
    use super::*;

    pub fn invalid_transition(from: crate::model::Status, to: crate::model::Status) -> ApiError {
        ApiError::bad_request(format!("{from}에서 {to}(으)로 변경할 수 없습니다"))
            .with_code("INVALID_STATUS_TRANSITION")
    }

    pub fn status_locked(ids: &[i64]) -> ApiError {
        ApiError::bad_request(format!(
            "완료·이슈·취소 상태의 주문은 수정할 수 없습니다: {ids:?}"
        ))
        .with_code("DASHBOARD_STATUS_LOCKED")
        .with_extra("dashboard_ids", serde_json::json!(ids))
    }

    pub fn locked(info: &LockInfo, ids: &[i64]) -> ApiError {
        let mut e = ApiError::new(
            ErrorKind::Locked,
            format!(
                "{} 사용자가 편집 중입니다 ({})",
                info.locked_by, info.lock_type
            ),
        )
        .with_extra("lock_info", serde_json::to_value(info).unwrap_or_default());
        if ids.len() > 1 || ids.first() != Some(&info.dashboard_id) {
            e = e.with_extra("dashboard_ids", serde_json::json!(ids));
        }
        e
    }

    pub fn not_found(ids: &[i64]) -> ApiError {
        ApiError::not_found(match ids {
            [id] => format!("주문을 찾을 수 없습니다: {id}"),
            _ => format!("주문을 찾을 수 없습니다: {ids:?}"),
        })
        .with_extra("dashboard_ids", serde_json::json!(ids))
    }

    pub fn bad_date(message: impl Into<String>) -> ApiError {
        ApiError::bad_request(message.into())
    }
}

/// What a committed transaction changed, for the change counter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Changed<'a> {
    /// These orders were created or had list fields changed.
    Orders(&'a [i64]),
    /// These orders were deleted.
    Deleted(&'a [i64]),
    /// Nothing a list shows (remarks, locks).
    Nothing,
}

/// A live-view event (`GET /dashboard/ws`).
#[derive(Serialize)]
struct Event<'a, T: Serialize> {
    #[serde(rename = "type")]
    kind: &'a str,
    data: T,
}

impl Service {
    /// Whole local days `[start, end]` as UTC bounds, checked against the maximum.
    pub fn day_range(
        &self,
        start: &str,
        end: &str,
    ) -> Result<(NaiveDate, NaiveDate, DateTime<Utc>, DateTime<Utc>), ApiError> {
        let parse = |field: &str, v: &str| {
            NaiveDate::parse_from_str(v.trim(), "%Y-%m-%d").map_err(|_| {
                errors::bad_date(format!("{field}: YYYY-MM-DD 형식의 날짜가 아닙니다: {v:?}"))
            })
        };
        let s = parse("start_date", start)?;
        let e = parse("end_date", end)?;
        if s > e {
            return Err(errors::bad_date("start_date가 end_date보다 늦습니다"));
        }
        let days = (e - s).num_days() + 1;
        if days > self.max_range_days {
            return Err(errors::bad_date(format!(
                "조회 기간은 최대 {}일입니다 (요청: {days}일)",
                self.max_range_days
            )));
        }
        let (from, to) = platform::time::day_range(s, e, self.tz)
            .ok_or_else(|| errors::bad_date("날짜 범위를 계산할 수 없습니다"))?;
        Ok((s, e, from, to))
    }

    /// Queues a live-view event on `tx`: every live view, on every instance, gets
    /// it once `tx` has committed, and never if it does not.
    pub(crate) fn queue_event<T: Serialize>(
        &self,
        tx: &mut Tx,
        kind: &str,
        data: T,
    ) -> Result<(), ApiError> {
        let text = serde_json::to_string(&Event { kind, data }).map_err(ApiError::internal)?;
        tx.publish_after_commit(&self.hub, LIVE_TOPIC, text);
        Ok(())
    }

    /// Commits a transaction that changed what `changed` says: the orders are
    /// stamped with the next change number as its last statements (see
    /// `store::changes`), so every server's month view sees them from the moment
    /// of the commit.
    pub(crate) async fn commit_change(
        &self,
        mut tx: Tx,
        changed: Changed<'_>,
    ) -> Result<(), ApiError> {
        match changed {
            Changed::Orders(ids) if !ids.is_empty() => {
                crate::store::changes::stamp(&mut tx, ids).await?;
            }
            Changed::Deleted(ids) if !ids.is_empty() => {
                crate::store::changes::stamp_deleted(&mut tx, ids, chrono::Utc::now()).await?;
            }
            _ => {}
        }
        tx.commit().await?;
        Ok(())
    }

    /// Tells every live view about a lock change: a single statement that has
    /// committed by itself. A failure
    /// to publish never fails the change that caused it.
    pub async fn publish_lock_event<T: Serialize>(&self, kind: &str, data: T) {
        let text = match serde_json::to_string(&Event { kind, data }) {
            Ok(t) => t,
            Err(e) => {
                tracing::error!(error = %e, "live event not serializable");
                return;
            }
        };
        if let Err(e) = self.hub.publish(LIVE_TOPIC, text).await {
            tracing::warn!(error = %e, kind, "live event not published");
        }
    }
}
