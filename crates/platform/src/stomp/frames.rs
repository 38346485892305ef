//! The frames the server sends.

use stomp::{Command, Frame};

pub const SERVER: &str = concat!("ondol/", env!("CARGO_PKG_VERSION"));

/// An `ERROR` frame for a refusal of the app's: its `message` header and, when it
/// has one, a JSON body.
#[derive(Debug, Clone)]
pub struct ErrorFrame {
    pub message: String,
    pub json: Option<Vec<u8>>,
}

impl ErrorFrame {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            json: None,
        }
    }

    pub fn with_json(mut self, body: Vec<u8>) -> Self {
        self.json = Some(body);
        self
    }

    pub fn frame(self, receipt: Option<&str>) -> Frame {
        let mut frame = error(&self.message, receipt);
        if let Some(body) = self.json {
            frame = frame
                .with("content-type", "application/json")
                .with_body(body);
        }
        frame
    }
}

/// `ERROR` with a short `message` header, answering `receipt` if there was one.
pub fn error(message: &str, receipt: Option<&str>) -> Frame {
    let mut frame = Frame::new(Command::Error).with("message", message);
    if let Some(r) = receipt {
        frame = frame.with("receipt-id", r);
    }
    frame
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
