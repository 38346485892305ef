//! Presence: `USER_CONNECTED` when a user's first connection opens anywhere,
//! `USER_DISCONNECTED` when the last one closes, on their room's topic.

use chrono::Utc;
use platform::ApiError;
use platform::time::LocalTime;

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
