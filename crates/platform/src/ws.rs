//! WebSocket sessions that forward a hub subscription to the client, close with 1001
//! on shutdown, and with 1013 when the client could not keep up and was dropped.

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{SinkExt, StreamExt};
use tokio_util::sync::CancellationToken;

use crate::realtime::Subscription;
use crate::telemetry::Metrics;

pub const CLOSE_GOING_AWAY: u16 = 1001;
pub const CLOSE_TRY_AGAIN_LATER: u16 = 1013;

/// Counts an open WebSocket for `/metrics` while alive.
pub struct OpenSocket(Metrics);

impl OpenSocket {
    pub fn new(metrics: &Metrics) -> Self {
        metrics.websocket_opened();
        Self(metrics.clone())
    }
}

impl Drop for OpenSocket {
    fn drop(&mut self) {
        self.0.websocket_closed();
    }
}

fn close(code: u16, reason: &'static str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

/// Sends every message of `sub` as a text frame until the client leaves, the
/// subscription ends, or the server shuts down. Client text frames are ignored.
pub async fn forward(
    socket: WebSocket,
    mut sub: Subscription,
    shutdown: CancellationToken,
    metrics: Metrics,
) {
    let _open = OpenSocket::new(&metrics);
    let (mut tx, mut rx) = socket.split();
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => {
                let _ = tx.send(close(CLOSE_GOING_AWAY, "server shutting down")).await;
                break;
            }
            msg = sub.recv() => match msg {
                Some(text) => {
                    if tx.send(Message::Text((&*text).into())).await.is_err() {
                        break;
                    }
                }
                None => {
                    let _ = tx.send(close(CLOSE_TRY_AGAIN_LATER, "too slow; reconnect")).await;
                    break;
                }
            },
            incoming = rx.next() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = tx.close().await;
}
