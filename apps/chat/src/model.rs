//! The chat app's types: ids, the message type, rows and the seed's JSON shapes
//! (camelCase, naive local times).

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use platform::time::LocalTime;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

platform::id!(
    /// A user (the token's `sub`).
    UserId(Uuid)
);
platform::id!(
    /// A couple; its chat room has the same id (`roomId`).
    CoupleId(Uuid)
);
platform::id!(
    /// A message. New ids are UUIDv7 (time-ordered), so the primary-key index grows
    /// at its end instead of at a random page per message.
    MessageId(Uuid)
);

/// Ids chat creates itself: random unless a caller picks (messages use UUIDv7).
macro_rules! new_ids {
    ($($name:ident),+) => {$(
        impl $name {
            pub fn new() -> Self {
                Self(Uuid::new_v4())
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }
    )+};
}

new_ids!(UserId, CoupleId, MessageId);

impl MessageId {
    pub fn next() -> Self {
        Self(Uuid::now_v7())
    }
}

platform::text_enum! {
    /// What a message carries (seed: TEXT, IMAGE, STICKER).
    pub enum MessageType { Text = "TEXT", Image = "IMAGE", Sticker = "STICKER" }
}

/// Access-token claims besides `sub` (= the user id): none. The user's couple can
/// change while a token lives, so it is looked up, not carried.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UserClaims {}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub name: String,
    pub profile_image: Option<String>,
    pub couple_id: Option<CoupleId>,
    pub created_at: DateTime<Utc>,
    /// Disabled users cannot log in (`ondol user disable`).
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A user as the API shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub profile_image: Option<String>,
    pub couple_id: Option<CoupleId>,
    pub created_at: LocalTime,
}

impl UserView {
    pub fn new(u: &UserRow, tz: Tz) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            profile_image: u.profile_image.clone(),
            couple_id: u.couple_id,
            created_at: LocalTime::new(u.created_at, tz),
        }
    }
}

/// The partner in a room, or a member of a couple.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MemberView {
    pub id: UserId,
    pub name: String,
    pub profile_image: Option<String>,
}

impl From<&UserRow> for MemberView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            name: u.name.clone(),
            profile_image: u.profile_image.clone(),
        }
    }
}

/// A stored message with its sender's current name and picture.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MessageRow {
    pub id: MessageId,
    pub couple_id: CoupleId,
    pub sender_id: UserId,
    pub sender_name: String,
    pub sender_profile_image: Option<String>,
    pub content: Option<String>,
    #[sqlx(rename = "type", try_from = "String")]
    pub kind: MessageType,
    pub image_url: Option<String>,
    pub is_read: bool,
    pub read_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub seq: i64,
    pub temp_id: Option<String>,
}

/// The seed's message body, on `/topic/couple/{id}` and in history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub id: MessageId,
    pub sender_id: UserId,
    pub sender_name: String,
    pub sender_profile_image: Option<String>,
    pub content: Option<String>,
    #[serde(rename = "type")]
    pub kind: MessageType,
    pub image_url: Option<String>,
    pub is_read: bool,
    pub read_at: Option<LocalTime>,
    pub created_at: LocalTime,
    pub temp_id: Option<String>,
}

impl MessageView {
    pub fn new(m: &MessageRow, tz: Tz) -> Self {
        Self {
            id: m.id,
            sender_id: m.sender_id,
            sender_name: m.sender_name.clone(),
            sender_profile_image: m.sender_profile_image.clone(),
            content: m.content.clone(),
            kind: m.kind,
            image_url: m.image_url.clone(),
            is_read: m.is_read,
            read_at: m.read_at.map(|at| LocalTime::new(at, tz)),
            created_at: LocalTime::new(m.created_at, tz),
            temp_id: m.temp_id.clone(),
        }
    }
}

/// A message to send, from a STOMP SEND body or the REST fallback. Every field is
/// optional here so that a bad one is a `SEND_FAILED` naming it, not a parse error.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SendRequest {
    /// `TEXT`, `IMAGE` or `STICKER`.
    #[serde(rename = "type")]
    #[schema(example = "TEXT")]
    pub kind: Option<String>,
    /// Up to 1000 characters; required for `TEXT` and `STICKER`.
    pub content: Option<String>,
    /// Required for `IMAGE`: a `fileUrl` from a presigned upload.
    pub image_url: Option<String>,
    /// The client's id for the message; a retry with the same one is not stored twice.
    pub temp_id: Option<String>,
}

/// `{type: READ_RECEIPT, messageIds, readAt, readerId}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadReceipt {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub message_ids: Vec<MessageId>,
    pub read_at: LocalTime,
    pub reader_id: UserId,
}

platform::text_enum! {
    /// `SYSTEM` events on a room topic.
    pub enum SystemEvent {
        UserConnected = "USER_CONNECTED",
        UserDisconnected = "USER_DISCONNECTED",
        Typing = "TYPING",
    }
}

/// `{type: SYSTEM, event, userId, timestamp}`; typing events add `typing`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SystemMessage {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub event: SystemEvent,
    pub user_id: UserId,
    pub timestamp: LocalTime,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub typing: Option<bool>,
}

platform::text_enum! {
    /// Codes of the seed's error messages on `/user/queue/errors`.
    pub enum ErrorCode {
        AuthFailed = "AUTH_FAILED",
        Unauthorized = "UNAUTHORIZED",
        SendFailed = "SEND_FAILED",
    }
}

/// `{type: ERROR, code, message, tempId}`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorMessage {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub code: ErrorCode,
    pub message: String,
    pub temp_id: Option<String>,
}

impl ErrorMessage {
    pub fn new(code: ErrorCode, message: impl Into<String>, temp_id: Option<String>) -> Self {
        Self {
            kind: "ERROR",
            code,
            message: message.into(),
            temp_id,
        }
    }
}

/// The hub topic of a room, the same string as its STOMP destination.
pub fn room_topic(couple: CoupleId) -> String {
    format!("/topic/couple/{couple}")
}

/// The hub topic of a user's error queue.
pub fn errors_topic(user: UserId) -> String {
    format!("/user/{user}/queue/errors")
}
