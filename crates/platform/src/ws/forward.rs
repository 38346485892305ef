//! The simplest protocol: every message of the session's attachments goes to the
//! client as a text frame; what the client sends is ignored; WebSocket pings keep
//! the connection checked.

use std::time::Duration;

use super::{Flow, Heartbeat, Incoming, Io, Protocol};
use crate::realtime::Tagged;

/// A live feed: hub messages out, nothing in.
pub struct Forward {
    heartbeat: Heartbeat,
}

impl Forward {
    /// Pings every `ping` (zero: none); a peer that answers nothing for twice that
    /// is closed.
    pub fn new(ping: Duration) -> Self {
        Self {
            heartbeat: Heartbeat::ping(ping),
        }
    }
}

impl Protocol for Forward {
    async fn on_message(&mut self, _io: &mut Io, _message: Incoming) -> Flow {
        Flow::Continue
    }

    async fn on_published(&mut self, io: &mut Io, tagged: Tagged) -> Flow {
        io.send_text(&*tagged.message).await
    }

    fn heartbeat(&self) -> Heartbeat {
        self.heartbeat
    }
}
