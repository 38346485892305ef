//! A STOMP frame codec (1.0, 1.1, 1.2): pure functions over bytes, no I/O.
//!
//! ```text
//! frame = command EOL *(header EOL) EOL *OCTET NUL *(EOL)
//! ```
//!
//! Decoding is incremental: [`Decoder::decode`] returns `Ok(None)` until the buffer
//! holds a whole frame, then the frame and how many bytes it used. A lone EOL between
//! frames is a heart-beat. Every malformed input is an [`Error`], never a panic.

mod command;
mod decode;
mod encode;
mod escape;

pub use command::Command;
pub use decode::{Decoder, Limits};
pub use encode::encode;

/// The protocol version, which decides header escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Version {
    V1_0,
    V1_1,
    V1_2,
}

impl Version {
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V1_0 => "1.0",
            Version::V1_1 => "1.1",
            Version::V1_2 => "1.2",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "1.0" => Some(Version::V1_0),
            "1.1" => Some(Version::V1_1),
            "1.2" => Some(Version::V1_2),
            _ => None,
        }
    }

    /// The highest version both sides speak, from an `accept-version` header
    /// (absent: 1.0, as the specification says).
    pub fn negotiate(accept_version: Option<&str>) -> Option<Self> {
        match accept_version {
            None => Some(Version::V1_0),
            Some(list) => list.split(',').filter_map(Version::parse).max(),
        }
    }
}

/// One frame. Headers keep their order and repeats; [`Frame::header`] returns the
/// first occurrence, which is the one that counts (STOMP 1.2 §"Repeated Header
/// Entries").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub command: Command,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Frame {
    pub fn new(command: Command) -> Self {
        Self {
            command,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Adds a header (builder style).
    pub fn with(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the decoder found at the head of the buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Frame(Frame),
    /// An EOL between frames.
    HeartBeat,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error("unknown or malformed command")]
    InvalidCommand,
    #[error("malformed header line (no colon, or not UTF-8)")]
    InvalidHeader,
    #[error("invalid escape sequence in a header")]
    InvalidEscape,
    #[error("content-length is not a non-negative integer")]
    InvalidContentLength,
    #[error("the body is not followed by a NUL byte")]
    MissingNul,
    #[error("frame larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("more than {limit} headers")]
    TooManyHeaders { limit: usize },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_the_highest_common_version() {
        assert_eq!(Version::negotiate(Some("1.0,1.1,1.2")), Some(Version::V1_2));
        assert_eq!(Version::negotiate(Some("1.1, 1.0")), Some(Version::V1_1));
        assert_eq!(Version::negotiate(None), Some(Version::V1_0));
        assert_eq!(Version::negotiate(Some("2.0")), None);
    }
}
