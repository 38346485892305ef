//! The frames the server sends.

use stomp::{Command, Frame};

use crate::model::{ErrorCode, ErrorMessage};

pub const SERVER: &str = concat!("ondol/", env!("CARGO_PKG_VERSION"));

/// An `ERROR` frame: a short `message` header and, for the seed's errors, the JSON
/// error body.
pub fn error(message: &str, body: Option<&ErrorMessage>, receipt: Option<&str>) -> Frame {
    let mut frame = Frame::new(Command::Error).with("message", message);
    if let Some(r) = receipt {
        frame = frame.with("receipt-id", r);
    }
    if let Some(body) = body {
        frame = frame
            .with("content-type", "application/json")
            .with_body(serde_json::to_vec(body).expect("an error message serializes"));
    }
    frame
}

/// `ERROR` with `message:CODE` and the seed's JSON body.
pub fn seed_error(code: ErrorCode, text: &str, receipt: Option<&str>) -> Frame {
    error(
        code.as_str(),
        Some(&ErrorMessage::new(code, text, None)),
        receipt,
    )
}

pub fn receipt(id: &str) -> Frame {
    Frame::new(Command::Receipt).with("receipt-id", id)
}

pub fn message(subscription: &str, destination: &str, message_id: &str, body: &str) -> Frame {
    Frame::new(Command::Message)
        .with("subscription", subscription)
        .with("destination", destination)
        .with("message-id", message_id)
        .with("content-type", "application/json")
        .with_body(body.as_bytes())
}
