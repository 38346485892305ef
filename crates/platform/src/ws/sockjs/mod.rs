//! SockJS 0.3 (the protocol of `sockjs-client`, and of Spring's `.withSockJS()`)
//! as transports for a [`super::Session`]: the same protocol (STOMP, say) runs over
//! a SockJS WebSocket, XHR streaming or XHR polling.
//!
//! Frames: `o` (open), `h` (heart-beat, every 25 s), `a[...]` (messages, each a JSON
//! string), `c[code,"reason"]` (close). The app declares the routes (their paths are
//! its own) and calls this module: [`info`], [`welcome`], [`websocket`] and the XHR
//! handlers of [`Sessions`]. XHR sessions live in the instance that opened them, so
//! a load balancer in front of several instances must keep a session's requests on
//! one (any sticky policy on the session path does).

mod websocket;
mod xhr;

use std::time::Duration;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

pub use websocket::websocket;
pub use xhr::Sessions;

/// How often an idle SockJS connection gets an `h` frame.
pub const HEARTBEAT: Duration = Duration::from_secs(25);
/// How long a session lives with no request receiving its frames.
pub const DISCONNECT_DELAY: Duration = Duration::from_secs(5);
/// The bytes an XHR streaming response carries before the client opens another.
pub const RESPONSE_LIMIT: usize = 128 * 1024;

/// `GET <base>` without an upgrade.
pub fn welcome() -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=UTF-8")],
        "Welcome to SockJS!\n",
    )
        .into_response()
}

/// `GET <base>/info`: what a client may use.
pub fn info() -> Response {
    let body = serde_json::json!({
        "websocket": true,
        "cookie_needed": false,
        "origins": ["*:*"],
        "entropy": rand::random::<u32>(),
    });
    let mut response = axum::Json(body).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, no-cache, no-transform, must-revalidate, max-age=0"),
    );
    response
}

/// Is `id` a server or session id SockJS allows (no dots, not empty)?
pub fn valid_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 64 && !id.contains('.')
}

/// `a["...","..."]`: messages as one frame.
fn messages_frame<'a>(messages: impl IntoIterator<Item = &'a str>) -> String {
    let encoded: Vec<String> = messages
        .into_iter()
        .map(|m| serde_json::Value::String(m.to_owned()).to_string())
        .collect();
    format!("a[{}]", encoded.join(","))
}

/// `c[code,"reason"]`.
fn close_frame(code: u16, reason: &str) -> String {
    format!("c[{code},{}]", serde_json::Value::String(reason.to_owned()))
}

/// The messages of what a client sent: a JSON array of strings, or one string.
fn parse_client(text: &str) -> Option<Vec<String>> {
    match serde_json::from_str::<serde_json::Value>(text).ok()? {
        serde_json::Value::String(s) => Some(vec![s]),
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(|v| match v {
                serde_json::Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_sockjs_frames() {
        assert_eq!(
            messages_frame(["CONNECTED\n\n\0", "x\"y"]),
            r#"a["CONNECTED\n\n\u0000","x\"y"]"#
        );
        assert_eq!(close_frame(3000, "Go away!"), r#"c[3000,"Go away!"]"#);
        assert_eq!(
            parse_client(r#"["a","b"]"#),
            Some(vec!["a".to_owned(), "b".to_owned()])
        );
        assert_eq!(parse_client(r#""a""#), Some(vec!["a".to_owned()]));
        assert_eq!(parse_client(r#"[1]"#), None);
        assert_eq!(parse_client("not json"), None);
        assert!(valid_id("abc_12") && !valid_id("a.b") && !valid_id(""));
    }
}
