//! Presence: `USER_CONNECTED` when a user's first connection opens anywhere,
//! `USER_DISCONNECTED` when the last one closes, on their room's topic.

use chrono::Utc;
use platform::ApiError;
use platform::time::LocalTime;
use tokio::sync::broadcast::error::RecvError;

use super::Service;
use crate::model::{SystemEvent, SystemMessage, UserId, room_topic};
use crate::store;

const SCOPE: &str = "users";

impl Service {
    pub async fn connected(&self, user: UserId) -> Result<(), ApiError> {
        let first = self
            .hub
            .presence_join(SCOPE, &user.to_string())
            .await
            .map_err(ApiError::internal)?;
        if first {
            self.announce(user, SystemEvent::UserConnected).await?;
        }
        Ok(())
    }

    pub async fn disconnected(&self, user: UserId) -> Result<(), ApiError> {
        let last = self
            .hub
            .presence_leave(SCOPE, &user.to_string())
            .await
            .map_err(ApiError::internal)?;
        if last {
            self.announce(user, SystemEvent::UserDisconnected).await?;
        }
        Ok(())
    }

    /// Announces `USER_DISCONNECTED` for users whose last connection was on an
    /// instance that died (the hub reaps its presence once its lease runs out).
    pub fn follow_lost_presence(&self, shutdown: platform::app::ShutdownToken) {
        let svc = self.clone();
        let mut ended = self.hub.presence_ended();
        tokio::spawn(async move {
            loop {
                let lost = tokio::select! {
                    _ = shutdown.cancelled() => return,
                    lost = ended.recv() => lost,
                };
                match lost {
                    Ok(lost) if lost.scope == SCOPE => {
                        let Ok(user) = lost.member.parse::<UserId>() else {
                            continue;
                        };
                        if let Err(e) = svc.announce(user, SystemEvent::UserDisconnected).await {
                            tracing::warn!(error = %e.message, "presence: disconnect not announced");
                        }
                    }
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                }
            }
        });
    }

    pub async fn is_online(&self, user: UserId) -> Result<bool, ApiError> {
        self.hub
            .is_present(SCOPE, &user.to_string())
            .await
            .map_err(ApiError::internal)
    }

    async fn announce(&self, user: UserId, event: SystemEvent) -> Result<(), ApiError> {
        let Some(row) = store::users::by_id(&self.db, user).await? else {
            return Ok(());
        };
        let Some(couple) = row.couple_id else {
            return Ok(());
        };
        let message = SystemMessage {
            kind: "SYSTEM",
            event,
            user_id: user,
            timestamp: LocalTime::new(Utc::now(), self.tz),
            typing: None,
        };
        self.publish(&room_topic(couple), &message).await
    }
}
