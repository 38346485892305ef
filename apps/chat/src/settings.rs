//! `[apps.chat]` / `ONDOL_CHAT_*`: chat's own settings (the platform's, such as
//! `port` and `public_url`, are listed in the README).

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// The STOMP heart-beat interval the server offers and asks for; 0: none.
    pub heartbeat_ms: u64,
    /// The largest STOMP frame a client may send.
    pub max_frame_bytes: usize,
    /// How long a new connection may take to send CONNECT.
    pub connect_timeout_ms: u64,
    /// Messages queued for one connection before it counts as too slow.
    pub session_queue: usize,
    /// The largest image upload.
    pub image_max_bytes: u64,
    /// Writer tasks storing messages on PostgreSQL (SQLite has one writer).
    pub writer_lanes: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            heartbeat_ms: 10_000,
            max_frame_bytes: 64 * 1024,
            connect_timeout_ms: 10_000,
            session_queue: 256,
            image_max_bytes: 10 << 20,
            writer_lanes: 4,
        }
    }
}
