//! Frame encoding. A non-empty body gets a `content-length` header unless the frame
//! has one, so binary bodies (and bodies with NUL) survive.

use crate::escape::escape;
use crate::{Frame, Version};

pub fn encode(frame: &Frame, version: Version) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + frame.body.len());
    out.extend_from_slice(frame.command.as_str().as_bytes());
    out.push(b'\n');
    let version = if frame.command.escapes_headers() {
        version
    } else {
        Version::V1_0
    };
    for (name, value) in &frame.headers {
        escape(name, version, &mut out);
        out.push(b':');
        escape(value, version, &mut out);
        out.push(b'\n');
    }
    if !frame.body.is_empty() && frame.header("content-length").is_none() {
        out.extend_from_slice(b"content-length:");
        out.extend_from_slice(frame.body.len().to_string().as_bytes());
        out.push(b'\n');
    }
    out.push(b'\n');
    out.extend_from_slice(&frame.body);
    out.push(0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Command;

    #[test]
    fn message_frame_bytes() {
        let f = Frame::new(Command::Message)
            .with("subscription", "sub-0")
            .with("destination", "/topic/couple/1")
            .with_body(&b"{}"[..]);
        assert_eq!(
            encode(&f, Version::V1_2),
            b"MESSAGE\nsubscription:sub-0\ndestination:/topic/couple/1\ncontent-length:2\n\n{}\0"
        );
        assert_eq!(
            encode(
                &Frame::new(Command::Receipt).with("receipt-id", "a:b"),
                Version::V1_2
            ),
            b"RECEIPT\nreceipt-id:a\\cb\n\n\0"
        );
    }
}
