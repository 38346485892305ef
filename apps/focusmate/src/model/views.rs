//! The JSON shapes clients see (inside the `data` of the envelope).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{
    NotificationId, NotificationKind, NotificationRow, Participant, RoomId, RoomRow, TimerView,
    UserId, UserRow,
};

/// The caller's own account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    #[schema(example = "jiwoo@example.com")]
    pub email: String,
    #[schema(example = "jiwoo")]
    pub username: String,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            username: u.username.clone(),
            bio: u.bio.clone(),
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

/// Anyone's profile, as others see it: no e-mail address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicUser {
    pub id: UserId,
    pub username: String,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for PublicUser {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            username: u.username.clone(),
            bio: u.bio.clone(),
            created_at: u.created_at,
        }
    }
}

/// A room with its participants and its timer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoomView {
    pub id: RoomId,
    #[schema(example = "Morning deep work")]
    pub name: String,
    pub description: Option<String>,
    pub host_id: UserId,
    #[schema(example = 25)]
    pub focus_minutes: i32,
    #[schema(example = 5)]
    pub break_minutes: i32,
    #[schema(example = 10)]
    pub max_participants: i32,
    pub is_public: bool,
    pub participant_count: usize,
    pub participants: Vec<Participant>,
    pub timer: TimerView,
    pub created_at: DateTime<Utc>,
    /// Grows with every change of the room: of two states, the higher is newer.
    pub version: i64,
}

impl RoomView {
    pub fn new(room: &RoomRow, participants: Vec<Participant>, now_ms: i64) -> Self {
        Self {
            id: room.id,
            name: room.name.clone(),
            description: room.description.clone(),
            host_id: room.host_id,
            focus_minutes: room.focus_minutes,
            break_minutes: room.break_minutes,
            max_participants: room.max_participants,
            is_public: room.is_public,
            participant_count: participants.len(),
            participants,
            timer: room.timer().view(now_ms),
            created_at: room.created_at,
            version: room.version,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NotificationView {
    pub id: NotificationId,
    #[serde(rename = "type")]
    pub kind: NotificationKind,
    pub title: String,
    pub message: String,
    pub room_id: Option<RoomId>,
    pub is_read: bool,
    pub created_at: DateTime<Utc>,
}

impl From<&NotificationRow> for NotificationView {
    fn from(n: &NotificationRow) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title.clone(),
            message: n.message.clone(),
            room_id: n.room_id,
            is_read: n.is_read,
            created_at: n.created_at,
        }
    }
}

/// One line of the leaderboard.
#[derive(Debug, Clone, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Entry {
    #[schema(example = 1)]
    pub rank: i64,
    pub user_id: UserId,
    pub username: String,
    #[schema(example = 125)]
    pub focus_minutes: i64,
}
