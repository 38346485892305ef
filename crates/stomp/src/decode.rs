//! Incremental frame decoding with size limits.

use crate::escape::unescape;
use crate::{Command, Error, Frame, Item, Version};

/// Bounds on what a peer may send.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Whole frame: command, headers, body.
    pub max_frame: usize,
    pub max_headers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_frame: 64 * 1024,
            max_headers: 64,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Decoder {
    pub version: Version,
    pub limits: Limits,
}

impl Default for Decoder {
    fn default() -> Self {
        Self {
            version: Version::V1_2,
            limits: Limits::default(),
        }
    }
}

/// The next line of `buf` from `start`: (line without its EOL, index after the EOL).
fn line(buf: &[u8], start: usize) -> Option<(&[u8], usize)> {
    let lf = buf[start..].iter().position(|&b| b == b'\n')? + start;
    let end = if lf > start && buf[lf - 1] == b'\r' {
        lf - 1
    } else {
        lf
    };
    Some((&buf[start..end], lf + 1))
}

impl Decoder {
    pub fn new(version: Version, limits: Limits) -> Self {
        Self { version, limits }
    }

    /// Decodes the item at the head of `buf`: `Ok(None)` if more bytes are needed,
    /// else the item and the number of bytes it used.
    pub fn decode(&self, buf: &[u8]) -> Result<Option<(Item, usize)>, Error> {
        match buf {
            [] | [b'\r'] => return Ok(None),
            [b'\n', ..] => return Ok(Some((Item::HeartBeat, 1))),
            [b'\r', b'\n', ..] => return Ok(Some((Item::HeartBeat, 2))),
            _ => {}
        }
        let too_large = Error::TooLarge {
            limit: self.limits.max_frame,
        };
        let Some((command, mut pos)) = line(buf, 0) else {
            return if buf.len() > self.limits.max_frame {
                Err(too_large)
            } else if buf.iter().any(|b| !b.is_ascii_uppercase() && *b != b'\r') {
                // No command is this long or contains anything but capitals.
                Err(Error::InvalidCommand)
            } else {
                Ok(None)
            };
        };
        let command = Command::parse(command).ok_or(Error::InvalidCommand)?;
        let version = if command.escapes_headers() {
            self.version
        } else {
            Version::V1_0
        };
        let mut headers = Vec::new();
        loop {
            let Some((raw, next)) = line(buf, pos) else {
                return if buf.len() > self.limits.max_frame {
                    Err(too_large)
                } else {
                    Ok(None)
                };
            };
            pos = next;
            if raw.is_empty() {
                break;
            }
            if headers.len() >= self.limits.max_headers {
                return Err(Error::TooManyHeaders {
                    limit: self.limits.max_headers,
                });
            }
            let colon = raw
                .iter()
                .position(|&b| b == b':')
                .ok_or(Error::InvalidHeader)?;
            let name = unescape(&raw[..colon], version)?;
            let value = unescape(&raw[colon + 1..], version)?;
            headers.push((name, value));
        }
        if pos > self.limits.max_frame {
            return Err(too_large);
        }
        let content_length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .map(|(_, v)| {
                v.trim()
                    .parse::<usize>()
                    .map_err(|_| Error::InvalidContentLength)
            })
            .transpose()?;
        let (body_end, nul) = match content_length {
            Some(n) => {
                let end = pos.checked_add(n).ok_or(too_large.clone())?;
                if end >= self.limits.max_frame {
                    return Err(too_large);
                }
                if buf.len() <= end {
                    return Ok(None);
                }
                if buf[end] != 0 {
                    return Err(Error::MissingNul);
                }
                (end, end)
            }
            None => match buf[pos..].iter().position(|&b| b == 0) {
                Some(i) => (pos + i, pos + i),
                None => {
                    return if buf.len() >= self.limits.max_frame {
                        Err(too_large)
                    } else {
                        Ok(None)
                    };
                }
            },
        };
        if nul + 1 > self.limits.max_frame {
            return Err(too_large);
        }
        let frame = Frame {
            command,
            headers,
            body: buf[pos..body_end].to_vec(),
        };
        Ok(Some((Item::Frame(frame), nul + 1)))
    }

    /// Decodes every complete item in `buf`; returns them and the bytes used.
    pub fn decode_all(&self, buf: &[u8]) -> Result<(Vec<Item>, usize), Error> {
        let mut items = Vec::new();
        let mut used = 0;
        while let Some((item, n)) = self.decode(&buf[used..])? {
            items.push(item);
            used += n;
        }
        Ok((items, used))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(input: &[u8]) -> Frame {
        match Decoder::default().decode(input).unwrap() {
            Some((Item::Frame(f), n)) => {
                assert_eq!(n, input.iter().rposition(|&b| b == 0).unwrap() + 1);
                f
            }
            other => panic!("expected a frame, got {other:?}"),
        }
    }

    #[test]
    fn a_send_frame_from_stompjs() {
        let f = one(b"SEND\ndestination:/app/chat/1\ncontent-type:application/json\ncontent-length:13\n\n{\"type\":\"X\"}\n\0");
        assert_eq!(f.command, Command::Send);
        assert_eq!(f.header("destination"), Some("/app/chat/1"));
        assert_eq!(f.body, b"{\"type\":\"X\"}\n");
    }

    #[test]
    fn crlf_lines_and_trailing_eols() {
        let f = one(b"SUBSCRIBE\r\nid:sub-0\r\ndestination:/topic/couple/1\r\n\r\n\0");
        assert_eq!(f.header("id"), Some("sub-0"));
        let (items, used) = Decoder::default()
            .decode_all(b"\n\nDISCONNECT\nreceipt:7\n\n\0\n")
            .unwrap();
        assert_eq!(items.len(), 4);
        assert_eq!(used, 26);
        assert_eq!(items[0], Item::HeartBeat);
    }

    #[test]
    fn repeated_headers_first_wins_and_escapes_apply() {
        let f = one(b"MESSAGE\nfoo:a\\cb\nfoo:second\n\n\0");
        assert_eq!(f.header("foo"), Some("a:b"));
        // CONNECT is never unescaped.
        let f = one(b"CONNECT\nlogin:a\\cb\n\n\0");
        assert_eq!(f.header("login"), Some("a\\cb"));
    }

    #[test]
    fn incomplete_input_asks_for_more() {
        let d = Decoder::default();
        for input in [
            &b""[..],
            b"SEN",
            b"SEND\n",
            b"SEND\ndestination:/x\n",
            b"SEND\n\nbody",
            b"SEND\ncontent-length:4\n\nab",
            b"\r",
        ] {
            assert_eq!(d.decode(input).unwrap(), None, "{input:?}");
        }
    }

    #[test]
    fn malformed_input_is_an_error() {
        let d = Decoder::default();
        assert_eq!(d.decode(b"HELLO\n\n\0"), Err(Error::InvalidCommand));
        assert_eq!(d.decode(b"send\n\n\0"), Err(Error::InvalidCommand));
        assert_eq!(d.decode(b"GET / HTTP/1.1"), Err(Error::InvalidCommand));
        assert_eq!(d.decode(b"SEND\nnocolon\n\n\0"), Err(Error::InvalidHeader));
        assert_eq!(d.decode(b"SEND\na:\\t\n\n\0"), Err(Error::InvalidEscape));
        assert_eq!(
            d.decode(b"SEND\ncontent-length:x\n\n\0"),
            Err(Error::InvalidContentLength)
        );
        assert_eq!(
            d.decode(b"SEND\ncontent-length:2\n\nabc\0"),
            Err(Error::MissingNul)
        );
    }

    #[test]
    fn limits_hold() {
        let d = Decoder::new(
            Version::V1_2,
            Limits {
                max_frame: 64,
                max_headers: 2,
            },
        );
        let big = [b"SEND\n\n".as_slice(), &[b'x'; 100]].concat();
        assert_eq!(d.decode(&big), Err(Error::TooLarge { limit: 64 }));
        assert_eq!(
            d.decode(b"SEND\ncontent-length:1000\n\n"),
            Err(Error::TooLarge { limit: 64 })
        );
        assert_eq!(
            d.decode(b"SEND\na:1\nb:2\nc:3\n\n\0"),
            Err(Error::TooManyHeaders { limit: 2 })
        );
    }

    #[test]
    fn content_length_allows_nul_in_the_body() {
        let f = one(b"SEND\ncontent-length:3\n\na\0b\0");
        assert_eq!(f.body, b"a\0b");
    }
}
