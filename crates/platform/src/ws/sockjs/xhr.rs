//! The SockJS `xhr_streaming` and `xhr` (polling) transports: the client receives
//! frames through POST requests (one long response, or one request per batch) and
//! sends through `xhr_send`. A session outlives its requests by
//! [`DISCONNECT_DELAY`]; one request at a time may receive its frames.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::ws::Message;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::{Notify, mpsc};
use tokio::time::Instant;

use super::{
    DISCONNECT_DELAY, HEARTBEAT, RESPONSE_LIMIT, close_frame, messages_frame, parse_client,
};
use crate::app::BoxFuture;
use crate::error::{ApiError, ErrorKind};
use crate::ws::{Protocol, Session, Transport};

/// Messages waiting for a receiving request before the client counts as too slow.
const QUEUE: usize = 4096;

/// The XHR sessions of one endpoint on this instance.
#[derive(Clone, Default)]
pub struct Sessions(Arc<Mutex<HashMap<String, Arc<XhrSession>>>>);

struct XhrSession {
    state: Mutex<State>,
    changed: Notify,
    inbound: mpsc::Sender<String>,
}

#[derive(Default)]
struct State {
    /// `o` went out.
    opened: bool,
    /// Messages not yet received.
    queue: VecDeque<String>,
    /// The close frame, once the session ended.
    closed: Option<String>,
    /// A request is receiving.
    receiving: bool,
    /// Since when no request has been receiving.
    idle_since: Option<Instant>,
}

/// Marks the receiving request gone however it ends (the client may hang up).
struct Receiving(Arc<XhrSession>);

impl Drop for Receiving {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().expect("sockjs session lock poisoned");
        state.receiving = false;
        state.idle_since = Some(Instant::now());
    }
}

impl XhrSession {
    /// Takes what is ready to send: `o`, messages, or the close frame.
    fn ready(state: &mut State) -> Option<String> {
        if !state.opened {
            state.opened = true;
            return Some("o".into());
        }
        if !state.queue.is_empty() {
            let frame = messages_frame(state.queue.iter().map(String::as_str));
            state.queue.clear();
            return Some(frame);
        }
        state.closed.clone()
    }
}

fn javascript(body: impl Into<Body>) -> Response {
    let mut response = (StatusCode::OK, body.into()).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/javascript; charset=UTF-8"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, no-transform, must-revalidate, max-age=0"),
    );
    // Frames must reach the client as they are written, not when a gzip block
    // fills.
    h.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static("identity"),
    );
    response
}

impl Sessions {
    /// The session `id`, or a new one of `open()` (which checks the client's
    /// token and builds the protocol).
    fn session<P: Protocol>(
        &self,
        id: &str,
        open: impl FnOnce() -> Result<(Session, P), ApiError>,
    ) -> Result<Arc<XhrSession>, ApiError> {
        let mut all = self.0.lock().expect("sockjs sessions lock poisoned");
        if let Some(s) = all.get(id) {
            return Ok(s.clone());
        }
        let (session, protocol) = open()?;
        let (tx, rx) = mpsc::channel(256);
        let xhr = Arc::new(XhrSession {
            state: Mutex::new(State {
                idle_since: Some(Instant::now()),
                ..State::default()
            }),
            changed: Notify::new(),
            inbound: tx,
        });
        all.insert(id.to_owned(), xhr.clone());
        let (sessions, id, shared) = (self.clone(), id.to_owned(), xhr.clone());
        tokio::spawn(async move {
            let transport = XhrTransport {
                session: shared.clone(),
                inbound: rx,
            };
            session.run(transport, protocol).await;
            {
                let mut state = shared.state.lock().expect("sockjs session lock poisoned");
                state
                    .closed
                    .get_or_insert_with(|| close_frame(3000, "Go away!"));
            }
            shared.changed.notify_waiters();
            // Late receivers still learn how it ended.
            tokio::time::sleep(DISCONNECT_DELAY).await;
            sessions
                .0
                .lock()
                .expect("sockjs sessions lock poisoned")
                .remove(&id);
        });
        Ok(xhr)
    }

    /// `POST <base>/{server}/{session}/xhr`: the next frame (or `h` after
    /// [`HEARTBEAT`] with nothing to send).
    pub async fn poll<P: Protocol>(
        &self,
        id: &str,
        open: impl FnOnce() -> Result<(Session, P), ApiError>,
    ) -> Result<Response, ApiError> {
        let s = self.session(id, open)?;
        let changed = s.changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let receiving = {
            let mut state = s.state.lock().expect("sockjs session lock poisoned");
            if state.receiving {
                return Ok(javascript(
                    close_frame(2010, "Another connection still open") + "\n",
                ));
            }
            if let Some(frame) = XhrSession::ready(&mut state) {
                return Ok(javascript(frame + "\n"));
            }
            state.receiving = true;
            state.idle_since = None;
            Receiving(s.clone())
        };
        let _ = tokio::time::timeout(HEARTBEAT, changed).await;
        let frame = {
            let mut state = s.state.lock().expect("sockjs session lock poisoned");
            XhrSession::ready(&mut state).unwrap_or_else(|| "h".into())
        };
        drop(receiving);
        Ok(javascript(frame + "\n"))
    }

    /// `POST <base>/{server}/{session}/xhr_streaming`: one response carrying frames
    /// as they come, up to [`RESPONSE_LIMIT`] bytes.
    pub fn stream<P: Protocol>(
        &self,
        id: &str,
        open: impl FnOnce() -> Result<(Session, P), ApiError>,
    ) -> Result<Response, ApiError> {
        let s = self.session(id, open)?;
        let (tx, rx) = mpsc::channel::<Bytes>(16);
        tokio::spawn(async move {
            let mut prelude = "h".repeat(2048);
            prelude.push('\n');
            if tx.send(Bytes::from(prelude)).await.is_err() {
                return;
            }
            let receiving = {
                let mut state = s.state.lock().expect("sockjs session lock poisoned");
                if state.receiving {
                    None
                } else {
                    state.receiving = true;
                    state.idle_since = None;
                    Some(Receiving(s.clone()))
                }
            };
            let Some(receiving) = receiving else {
                let frame = close_frame(2010, "Another connection still open") + "\n";
                let _ = tx.send(Bytes::from(frame)).await;
                return;
            };
            let mut written = 0usize;
            loop {
                let changed = s.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                let (frame, closed) = {
                    let mut state = s.state.lock().expect("sockjs session lock poisoned");
                    let frame = XhrSession::ready(&mut state);
                    let closed = frame.is_some() && frame == state.closed;
                    (frame, closed)
                };
                let frame = match frame {
                    Some(frame) => frame,
                    None => match tokio::time::timeout(HEARTBEAT, changed).await {
                        Ok(()) => continue,
                        Err(_) => "h".into(),
                    },
                };
                written += frame.len() + 1;
                if tx.send(Bytes::from(frame + "\n")).await.is_err() || closed {
                    break;
                }
                if written >= RESPONSE_LIMIT {
                    break; // the client opens the next response
                }
            }
            drop(receiving);
        });
        let body = futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv()
                .await
                .map(|bytes| (Ok::<_, std::convert::Infallible>(bytes), rx))
        });
        Ok(javascript(Body::from_stream(body)))
    }

    /// `POST <base>/{server}/{session}/xhr_send`: the client's messages, a JSON
    /// array of strings. SockJS answers broken bodies with 500; a client mistake
    /// here is a 400, as everywhere in ondol (clients only look for success).
    pub async fn send(&self, id: &str, body: &[u8]) -> Result<Response, ApiError> {
        let session = self
            .0
            .lock()
            .expect("sockjs sessions lock poisoned")
            .get(id)
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorKind::NotFound, ""))?;
        if body.is_empty() {
            return Err(ApiError::bad_request("Payload expected."));
        }
        let messages = std::str::from_utf8(body)
            .ok()
            .and_then(parse_client)
            .ok_or_else(|| ApiError::bad_request("Broken JSON encoding."))?;
        for m in messages {
            if session.inbound.send(m).await.is_err() {
                return Err(ApiError::new(ErrorKind::NotFound, ""));
            }
        }
        let mut response = StatusCode::NO_CONTENT.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=UTF-8"),
        );
        Ok(response)
    }
}

/// The session's side of the XHR transports.
struct XhrTransport {
    session: Arc<XhrSession>,
    inbound: mpsc::Receiver<String>,
}

impl Transport for XhrTransport {
    fn recv(&mut self) -> BoxFuture<'_, Option<Result<Message, axum::Error>>> {
        Box::pin(async move {
            loop {
                let idle_until = {
                    let state = self
                        .session
                        .state
                        .lock()
                        .expect("sockjs session lock poisoned");
                    state.idle_since.map(|t| t + DISCONNECT_DELAY)
                };
                if idle_until.is_some_and(|t| Instant::now() >= t) {
                    return None; // nobody has received for too long
                }
                let wake = idle_until.unwrap_or_else(|| Instant::now() + DISCONNECT_DELAY);
                tokio::select! {
                    m = self.inbound.recv() => return m.map(|m| Ok(Message::Text(m.into()))),
                    _ = tokio::time::sleep_until(wake) => {}
                }
            }
        })
    }

    fn send(&mut self, message: Message) -> BoxFuture<'_, Result<(), axum::Error>> {
        Box::pin(async move {
            let text = match message {
                Message::Text(text) => text.as_str().to_owned(),
                Message::Binary(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                // SockJS heart-beats are the receiving requests' own `h` frames.
                Message::Ping(_) | Message::Pong(_) | Message::Close(_) => return Ok(()),
            };
            {
                let mut state = self
                    .session
                    .state
                    .lock()
                    .expect("sockjs session lock poisoned");
                if state.queue.len() >= QUEUE {
                    return Err(axum::Error::new(std::io::Error::other(
                        "SockJS client not receiving",
                    )));
                }
                state.queue.push_back(text);
            }
            self.session.changed.notify_waiters();
            Ok(())
        })
    }

    fn close(&mut self, code: u16, reason: &'static str) -> BoxFuture<'_, ()> {
        Box::pin(async move {
            self.session
                .state
                .lock()
                .expect("sockjs session lock poisoned")
                .closed = Some(close_frame(code, reason));
            self.session.changed.notify_waiters();
        })
    }
}
