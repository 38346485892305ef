//! The chat rules: accounts, couples, messages, read receipts, typing, presence.
//! No HTTP or STOMP types here beyond the platform error; the REST handlers and the
//! STOMP session both call these functions, so both paths behave the same.

pub mod accounts;
pub mod couples;
pub mod messages;
pub mod presence;
pub mod writer;

use chrono_tz::Tz;
use platform::ApiError;
use platform::db::Db;
use platform::realtime::Hub;
use platform::uploads::Uploads;
use platform::validate::Messages;
use serde::Serialize;

use crate::model::{CoupleId, UserId};
use crate::store;

#[derive(Clone)]
pub struct Service {
    pub db: Db,
    pub hub: Hub,
    pub tz: Tz,
    /// Images: presigned uploads and the ledger of the keys issued.
    pub uploads: Uploads,
    pub writer: writer::Writer,
}

/// The wording of field errors (Korean, like the seed).
pub static MESSAGES: Messages = Messages {
    summary: "입력값이 올바르지 않습니다",
    required: "필수 항목입니다",
    too_long,
};

fn too_long(max: usize) -> String {
    format!("{max}자 이하로 입력하세요")
}

pub fn forbidden_room() -> ApiError {
    ApiError::forbidden("해당 채팅방에 접근 권한이 없습니다.")
}

impl Service {
    /// Publishes a JSON body on a hub topic.
    pub async fn publish(&self, topic: &str, body: &impl Serialize) -> Result<(), ApiError> {
        let text = serde_json::to_string(body).map_err(ApiError::internal)?;
        self.hub
            .publish(topic, text)
            .await
            .map_err(ApiError::internal)
    }

    /// Members (present or former) may read a room; anyone else gets 403, whether
    /// or not the room exists.
    pub async fn require_member(&self, couple: CoupleId, user: UserId) -> Result<(), ApiError> {
        if store::couples::is_member(&self.db, couple, user).await? {
            Ok(())
        } else {
            Err(forbidden_room())
        }
    }
}
