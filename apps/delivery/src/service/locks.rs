//! Pessimistic locks (seed II §6.3). Lock rows live in the database, so they hold
//! across instances. A lock is live until `expires_at`; an expired one is taken over.

use chrono::{DateTime, Utc};
use platform::ApiError;
use serde::Serialize;

use super::{Service, errors};
use crate::model::{Claims, LockInfo, LockRow, LockType, is_admin};
use crate::store;
use crate::store::locks::LockOutcome;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LockStatus {
    pub dashboard_id: i64,
    pub is_locked: bool,
    pub locked_by: Option<String>,
    pub lock_type: Option<LockType>,
    pub expires_at: Option<platform::time::LocalTime>,
    pub is_mine: bool,
}

fn live(lock: Option<LockRow>, now: DateTime<Utc>) -> Option<LockRow> {
    lock.filter(|l| l.expires_at > now)
}

impl Service {
    fn expiry(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + self.lock_ttl
    }

    /// The live lock of an order, if any.
    pub async fn live_lock(&self, id: i64) -> Result<Option<LockRow>, ApiError> {
        Ok(live(store::locks::get(&self.db, id).await?, Utc::now()))
    }

    /// Every live lock, so a client can mark the orders being edited before the
    /// live view tells it of the next change.
    pub async fn live_locks(&self) -> Result<Vec<LockInfo>, ApiError> {
        let rows = store::locks::live(&self.db, Utc::now()).await?;
        Ok(rows.iter().map(|l| LockInfo::new(l, self.tz)).collect())
    }

    /// Takes (or renews) the lock of one order: one statement shared with the
    /// other requests of the moment (`store::locks::run_batch`).
    pub async fn acquire(
        &self,
        id: i64,
        user: &str,
        lock_type: LockType,
    ) -> Result<LockInfo, ApiError> {
        let op = store::locks::LockOp::Take {
            id,
            user: user.to_owned(),
            lock_type,
        };
        let expires_at = match self.lock_write(op).await? {
            LockOutcome::Taken { expires_at } => expires_at,
            LockOutcome::NoSuchOrder => return Err(errors::not_found(&[id])),
            LockOutcome::HeldByOther | LockOutcome::Released(_) => {
                return Err(match self.live_lock(id).await? {
                    Some(h) => errors::locked(&LockInfo::new(&h, self.tz), &[id]),
                    // Released between the two statements: the caller may simply retry.
                    None => ApiError::new(
                        platform::ErrorKind::Locked,
                        "잠금 경합이 발생했습니다. 다시 시도하세요",
                    ),
                });
            }
        };
        let info = LockInfo::new(
            &LockRow {
                dashboard_id: id,
                locked_by: user.to_owned(),
                lock_type,
                expires_at,
            },
            self.tz,
        );
        self.publish_lock_event("lock.acquired", &info).await;
        Ok(info)
    }

    async fn lock_write(&self, op: store::locks::LockOp) -> Result<LockOutcome, ApiError> {
        Ok(self
            .lock_writes
            .submit(op)
            .await
            .map_err(ApiError::internal)??)
    }

    /// Releases one order's lock: its holder or an admin; no lock is fine.
    pub async fn release(&self, id: i64, claims: &Claims) -> Result<(), ApiError> {
        let holder = if is_admin(claims) {
            None
        } else {
            Some(claims.sub.clone())
        };
        let released = match self
            .lock_write(store::locks::LockOp::Release { id, holder })
            .await?
        {
            LockOutcome::Released(r) => r,
            other => {
                return Err(ApiError::internal(format!(
                    "a release was answered {other:?}"
                )));
            }
        };
        match released {
            Some(expires_at) => {
                if expires_at > Utc::now() {
                    self.publish_lock_event(
                        "lock.released",
                        serde_json::json!({"dashboard_id": id, "released_by": claims.sub}),
                    )
                    .await;
                }
                Ok(())
            }
            None => match self.live_lock(id).await? {
                Some(l) if l.locked_by != claims.sub => Err(ApiError::forbidden(format!(
                    "{} 사용자의 잠금은 해제할 수 없습니다",
                    l.locked_by
                ))
                .with_extra(
                    "lock_info",
                    serde_json::to_value(LockInfo::new(&l, self.tz)).unwrap_or_default(),
                )),
                _ => Ok(()),
            },
        }
    }

    pub async fn lock_status(&self, id: i64, user: &str) -> Result<LockStatus, ApiError> {
        let lock = self.live_lock(id).await?;
        if lock.is_none() && store::orders::get(&self.db, id).await?.is_none() {
            return Err(errors::not_found(&[id]));
        }
        Ok(LockStatus {
            dashboard_id: id,
            is_locked: lock.is_some(),
            is_mine: lock.as_ref().is_some_and(|l| l.locked_by == user),
            locked_by: lock.as_ref().map(|l| l.locked_by.clone()),
            lock_type: lock.as_ref().map(|l| l.lock_type),
            expires_at: lock
                .as_ref()
                .map(|l| platform::time::LocalTime::new(l.expires_at, self.tz)),
        })
    }

    /// Runs `change` while `user` holds the locks of every id (both lock styles of
    /// the seed): locks the caller already holds are used and kept; free ones are
    /// taken for the change and released after; any live lock of another user fails
    /// the whole call with 423 and changes nothing. Locks are taken in id order in
    /// one transaction, so overlapping multi-locks cannot deadlock.
    ///
    /// After a change that succeeded, the orders `changed` names are announced to
    /// the live views as `dashboard.updated`, read in the same transaction that
    /// releases the automatic locks (so an event never shows a lock that is already
    /// gone), once it commits.
    pub async fn with_locks<T>(
        &self,
        ids: &[i64],
        user: &str,
        lock_type: LockType,
        change: impl AsyncFnOnce() -> Result<T, ApiError>,
        changed: impl FnOnce(&T) -> Vec<i64>,
    ) -> Result<T, ApiError> {
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let now = Utc::now();
        let expires_at = self.expiry(now);
        let mut tx = self.db.begin().await?;
        let existing = store::orders::existing(&mut tx, &ids).await?;
        if existing.len() != ids.len() {
            let missing: Vec<i64> = ids
                .iter()
                .copied()
                .filter(|id| !existing.contains(id))
                .collect();
            tx.rollback().await?;
            return Err(errors::not_found(&missing));
        }
        let current = store::locks::get_many(&mut tx, &ids).await?;
        let mut conflicts: Vec<LockRow> = Vec::new();
        let mut taken: Vec<i64> = Vec::new();
        for &id in &ids {
            let held = current
                .iter()
                .find(|l| l.dashboard_id == id && l.expires_at > now);
            match held {
                Some(l) if l.locked_by == user => {}
                Some(l) => conflicts.push(l.clone()),
                None => {
                    if store::locks::try_take(&mut tx, id, user, lock_type, now, expires_at).await?
                    {
                        taken.push(id);
                    } else {
                        // Taken by someone between our read and our write.
                        let now_held = store::locks::get_many(&mut tx, &[id]).await?;
                        conflicts.extend(now_held);
                    }
                }
            }
        }
        if let Some(first) = conflicts.first() {
            tx.rollback().await?;
            let ids: Vec<i64> = conflicts.iter().map(|l| l.dashboard_id).collect();
            return Err(errors::locked(&LockInfo::new(first, self.tz), &ids));
        }
        tx.commit().await?;
        let result = change().await;
        let announce = result.as_ref().map(changed).unwrap_or_default();
        if !taken.is_empty() || !announce.is_empty() {
            let after = async {
                let mut tx = self.db.begin().await?;
                if !taken.is_empty() {
                    store::locks::release(&mut tx, &taken, Some(user)).await?;
                }
                for id in announce {
                    let detail = self.detail_in(&mut tx, id).await?;
                    self.queue_event(&mut tx, "dashboard.updated", &detail)?;
                }
                self.commit_change(tx, super::Changed::Nothing).await
            }
            .await;
            if let Err(e) = after {
                // The locks expire by themselves, and live views re-read on
                // reconnect; the change itself is done.
                tracing::error!(error = %e.message, cause = ?e.internal_cause(), ?taken, "releasing automatic locks or announcing the change failed");
            }
        }
        result
    }
}
