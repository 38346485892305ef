//! The app's types: ids, rows, the timer's rules and the JSON shapes of the spec.

mod timer;
mod views;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub use timer::{Command, Completed, Lengths, Phase, Timer, TimerError, TimerView};
pub use views::{Entry, NotificationView, PublicUser, RoomView, UserView};

platform::id!(
    /// A user (the token's `sub`).
    UserId(Uuid)
);
platform::id!(
    /// A focus room.
    RoomId(Uuid)
);
platform::id!(
    /// A notification.
    NotificationId(Uuid)
);

platform::text_enum! {
    /// What a notification is about.
    pub enum NotificationKind {
        Invitation = "room_invitation",
        Joined = "room_joined",
        PhaseEnded = "phase_ended",
        RoomClosed = "room_closed",
    }
}

platform::text_enum! {
    /// The leaderboard's calendar periods (in the configured time zone; weeks
    /// begin on Monday).
    pub enum Period { Daily = "daily", Weekly = "weekly", All = "all" }
}

/// Access-token claims besides `sub`: none (every user has the same rights).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserClaims {}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub username: String,
    pub bio: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// A room's row, with its timer columns.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RoomRow {
    pub id: RoomId,
    pub name: String,
    pub description: Option<String>,
    pub host_id: UserId,
    pub focus_minutes: i32,
    pub break_minutes: i32,
    pub max_participants: i32,
    pub is_public: bool,
    pub created_at: DateTime<Utc>,
    #[sqlx(try_from = "String")]
    pub phase: Phase,
    pub ends_ms: Option<i64>,
    pub remaining_ms: Option<i64>,
    pub phase_started_ms: Option<i64>,
    pub phase_minutes: Option<i32>,
    pub phase_seq: i64,
    pub version: i64,
}

impl RoomRow {
    pub fn timer(&self) -> Timer {
        Timer {
            phase: self.phase,
            ends_ms: self.ends_ms,
            remaining_ms: self.remaining_ms,
            phase_started_ms: self.phase_started_ms,
            phase_minutes: self.phase_minutes,
            phase_seq: self.phase_seq,
        }
    }

    pub fn lengths(&self, minute_ms: i64) -> Lengths {
        Lengths {
            focus_minutes: self.focus_minutes,
            break_minutes: self.break_minutes,
            minute_ms,
        }
    }
}

/// A participant as rooms list them.
#[derive(Debug, Clone, sqlx::FromRow, Serialize, utoipa::ToSchema)]
pub struct Participant {
    pub user_id: UserId,
    pub username: String,
    #[serde(skip)]
    pub joined_ms: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: NotificationId,
    pub user_id: UserId,
    #[sqlx(try_from = "String")]
    pub kind: NotificationKind,
    pub title: String,
    pub message: String,
    pub room_id: Option<RoomId>,
    pub is_read: bool,
    pub created_at: DateTime<Utc>,
}
