//! Header escaping: none in 1.0; `\\`, `\n`, `\c` in 1.1; and `\r` in 1.2.

use crate::{Error, Version};

pub fn escape(value: &str, version: Version, out: &mut Vec<u8>) {
    if version == Version::V1_0 {
        out.extend_from_slice(value.as_bytes());
        return;
    }
    for &b in value.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b':' => out.extend_from_slice(b"\\c"),
            b'\r' if version == Version::V1_2 => out.extend_from_slice(b"\\r"),
            _ => out.push(b),
        }
    }
}

pub fn unescape(raw: &[u8], version: Version) -> Result<String, Error> {
    if version == Version::V1_0 || !raw.contains(&b'\\') {
        return String::from_utf8(raw.to_vec()).map_err(|_| Error::InvalidHeader);
    }
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        if b != b'\\' {
            out.push(b);
            continue;
        }
        match bytes.next() {
            Some(b'\\') => out.push(b'\\'),
            Some(b'n') => out.push(b'\n'),
            Some(b'c') => out.push(b':'),
            Some(b'r') if version == Version::V1_2 => out.push(b'\r'),
            // Undefined escapes are fatal (STOMP 1.2 "Value Encoding").
            _ => return Err(Error::InvalidEscape),
        }
    }
    String::from_utf8(out).map_err(|_| Error::InvalidHeader)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_per_version() {
        let mut out = Vec::new();
        escape("a:b\nc\\d\re", Version::V1_2, &mut out);
        assert_eq!(out, b"a\\cb\\nc\\\\d\\re");
        let mut out = Vec::new();
        escape("a:b", Version::V1_0, &mut out);
        assert_eq!(out, b"a:b");
    }

    #[test]
    fn undefined_escapes_are_errors() {
        assert_eq!(unescape(b"a\\tb", Version::V1_2), Err(Error::InvalidEscape));
        assert_eq!(unescape(b"a\\", Version::V1_2), Err(Error::InvalidEscape));
        assert_eq!(unescape(b"a\\rb", Version::V1_1), Err(Error::InvalidEscape));
        assert_eq!(unescape(b"a\\rb", Version::V1_2).unwrap(), "a\rb");
        assert_eq!(unescape(b"a\\tb", Version::V1_0).unwrap(), "a\\tb");
    }
}
