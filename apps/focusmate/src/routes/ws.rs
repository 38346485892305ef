//! `GET /api/v1/notifications/ws?token=` (seed §3): the user's live channel.
//! Client → server `{"type": "ping", "data": {}}` → `{"type": "pong", "data": {}}`;
//! server → client `notification` and `room_state` messages from any instance.
//! On connect the client first receives the state of every room it is in, so a
//! reconnect catches up. A missing or bad token closes the socket with 4401 (a
//! browser cannot read an HTTP status of a refused upgrade); binary frames close
//! it with 1003, frames over 64 KiB with 1009; malformed JSON and unknown types
//! get an `error` message and the connection stays.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use platform::auth::extract::query_token;
use platform::realtime::Tagged;
use platform::ws::{Flow, Heartbeat, Incoming, Io, Protocol, Session};
use serde_json::json;

use super::AppState;
use crate::model::{UserClaims, UserId};
use crate::service::live;

/// The largest frame a client may send: its messages are a few bytes.
const MAX_FRAME: usize = 64 * 1024;
/// Messages queued for a connection before it counts as too slow.
const QUEUE: usize = 256;
pub const CLOSE_UNAUTHORIZED: u16 = 4401;
const CLOSE_UNSUPPORTED: u16 = 1003;
const CLOSE_TOO_BIG: u16 = 1009;

/// The live channel: notifications and room states (see the module).
#[utoipa::path(get, path = "/api/v1/notifications/ws", tag = "notifications",
    params(("token" = String, Query, description = "An access token")), responses(
    (status = 101, description = "Switching to WebSocket; a bad token closes it with 4401")))]
pub async fn ws(
    State(s): State<AppState>,
    RawQuery(query): RawQuery,
    upgrade: WebSocketUpgrade,
) -> Response {
    let upgrade = platform::ws::lean(upgrade, MAX_FRAME);
    let user = query_token(query.as_deref())
        .and_then(|t| s.ctx().jwt.verify::<UserClaims>(&t).ok())
        .and_then(|claims| claims.sub.parse::<UserId>().ok());
    let Some(user) = user else {
        return upgrade.on_upgrade(|mut socket| async move {
            let _ = socket
                .send(Message::Close(Some(axum::extract::ws::CloseFrame {
                    code: CLOSE_UNAUTHORIZED,
                    reason: "unauthorized".into(),
                })))
                .await;
        });
    };
    // Attached before the upgrade completes: nothing published after the 101 is
    // missed, and the room states read below are at least as new as anything
    // queued before them (clients keep the state with the highest `version`).
    let session = Session::new(s.ctx(), QUEUE);
    let attachment = session.attach(&live::user_topic(user), 0);
    let ping = Duration::from_secs(s.ctx().platform.ws_ping_seconds);
    let svc = s.svc.clone();
    upgrade.on_upgrade(move |mut socket: WebSocket| async move {
        match svc.rooms_of(user).await {
            Ok(rooms) => {
                for room in &rooms {
                    let text = live::room_state_message(room);
                    if socket.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e.for_operator(), "room states not sent"),
        }
        tracing::debug!(%user, "notifications socket open");
        session
            .run(
                socket,
                Channel {
                    heartbeat: Heartbeat::ping(ping),
                },
            )
            .await;
        drop(attachment);
    })
}

struct Channel {
    heartbeat: Heartbeat,
}

fn error(code: &str, message: &str) -> String {
    json!({"type": "error", "data": {"code": code, "message": message}}).to_string()
}

impl Protocol for Channel {
    async fn on_message(&mut self, io: &mut Io, message: Incoming) -> Flow {
        let text = match message {
            Incoming::Text(text) => text,
            Incoming::Binary(_) => return Flow::Close(CLOSE_UNSUPPORTED, "text frames only"),
        };
        let value: serde_json::Value = match serde_json::from_str(text.as_str()) {
            Ok(v) => v,
            Err(_) => return io.send_text(error("BAD_REQUEST", "Malformed JSON")).await,
        };
        match value.get("type").and_then(|t| t.as_str()) {
            Some("ping") => io.send_text(r#"{"type":"pong","data":{}}"#).await,
            _ => {
                io.send_text(error(
                    "UNKNOWN_TYPE",
                    "Unknown message type; this channel accepts `ping`",
                ))
                .await
            }
        }
    }

    async fn on_published(&mut self, io: &mut Io, tagged: Tagged) -> Flow {
        io.send_text(&*tagged.message).await
    }

    fn heartbeat(&self) -> Heartbeat {
        self.heartbeat
    }

    async fn on_broken(&mut self, _io: &mut Io, _error: axum::Error) -> Flow {
        // Reading fails mostly on a frame over the limit.
        Flow::Close(CLOSE_TOO_BIG, "message too big")
    }
}
