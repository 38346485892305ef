//! The SockJS `websocket` transport: SockJS frames inside WebSocket text messages.

use std::collections::VecDeque;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use futures_util::SinkExt;
use tokio::time::Instant;

use super::{HEARTBEAT, close_frame, messages_frame, parse_client};
use crate::app::BoxFuture;
use crate::ws::{Protocol, Session, Transport};

/// `GET <base>/{server}/{session}/websocket`: runs `protocol` over SockJS frames.
/// `max_message`: the largest message a client may send (after JSON escaping).
pub fn websocket<P: Protocol>(
    upgrade: WebSocketUpgrade,
    max_message: usize,
    session: Session,
    protocol: P,
) -> Response {
    crate::ws::lean(upgrade, max_message).on_upgrade(move |mut socket| async move {
        if socket.send(Message::Text("o".into())).await.is_err() {
            return;
        }
        let transport = SockJsSocket {
            socket,
            inbox: VecDeque::new(),
            next_heartbeat: Instant::now() + HEARTBEAT,
        };
        session.run(transport, protocol).await;
    })
}

struct SockJsSocket {
    socket: WebSocket,
    /// Messages of a frame the protocol has not read yet.
    inbox: VecDeque<String>,
    next_heartbeat: Instant,
}

impl SockJsSocket {
    async fn frame(&mut self, frame: String) -> Result<(), axum::Error> {
        self.next_heartbeat = Instant::now() + HEARTBEAT;
        self.socket.send(Message::Text(frame.into())).await
    }
}

impl Transport for SockJsSocket {
    fn recv(&mut self) -> BoxFuture<'_, Option<Result<Message, axum::Error>>> {
        Box::pin(async move {
            loop {
                if let Some(m) = self.inbox.pop_front() {
                    return Some(Ok(Message::Text(m.into())));
                }
                let incoming = tokio::select! {
                    incoming = self.socket.recv() => incoming,
                    _ = tokio::time::sleep_until(self.next_heartbeat) => {
                        if let Err(e) = self.frame("h".into()).await {
                            return Some(Err(e));
                        }
                        continue;
                    }
                };
                match incoming? {
                    Ok(Message::Text(text)) => match parse_client(&text) {
                        Some(messages) => self.inbox.extend(messages),
                        None => {
                            return Some(Err(axum::Error::new(std::io::Error::other(
                                "broken SockJS framing",
                            ))));
                        }
                    },
                    Ok(Message::Close(_)) => return None,
                    Ok(_) => {}
                    Err(e) => return Some(Err(e)),
                }
            }
        })
    }

    fn send(&mut self, message: Message) -> BoxFuture<'_, Result<(), axum::Error>> {
        Box::pin(async move {
            match message {
                Message::Text(text) => self.frame(messages_frame([text.as_str()])).await,
                Message::Binary(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    self.frame(messages_frame([text.as_str()])).await
                }
                // A protocol's WebSocket ping: SockJS has its own heart-beat.
                Message::Ping(_) | Message::Pong(_) => self.frame("h".into()).await,
                Message::Close(_) => Ok(()),
            }
        })
    }

    fn close(&mut self, code: u16, reason: &'static str) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            let _ = self.frame(close_frame(code, reason)).await;
            let _ = SinkExt::close(&mut self.socket).await;
        })
    }
}
