//! A user's notifications: listed newest first, read one by one or all at once.

use platform::ApiError;

use super::Service;
use crate::model::{NotificationId, NotificationView, UserId};
use crate::store;

impl Service {
    pub async fn notifications(
        &self,
        user: UserId,
        unread_only: bool,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<NotificationView>, ApiError> {
        let rows =
            store::notifications::of_user(&self.db, user, unread_only, limit, offset).await?;
        Ok(rows.iter().map(NotificationView::from).collect())
    }

    /// Another user's notification does not exist for the caller (404).
    pub async fn read_notification(
        &self,
        user: UserId,
        id: NotificationId,
    ) -> Result<NotificationView, ApiError> {
        store::notifications::mark_read(&self.db, user, id)
            .await?
            .map(|row| NotificationView::from(&row))
            .ok_or_else(|| ApiError::not_found("Notification not found"))
    }

    pub async fn read_all(&self, user: UserId) -> Result<u64, ApiError> {
        Ok(store::notifications::mark_all_read(&self.db, user).await?)
    }
}
