//! `X-Request-ID`: a well-formed incoming id is kept, anything else replaced by a
//! fresh UUID.

use axum::http::{HeaderMap, HeaderName, HeaderValue};

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The request's id, in its extensions for handlers and logs.
#[derive(Debug, Clone)]
pub struct RequestId(pub(crate) HeaderValue);

impl RequestId {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or("")
    }

    /// The incoming id if well-formed, else a new UUID.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let id = headers
            .get(&HEADER)
            .filter(|v| v.to_str().is_ok_and(is_well_formed))
            .cloned()
            .unwrap_or_else(|| {
                HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                    .expect("a UUID is a valid header value")
            });
        Self(id)
    }
}

/// At most 128 characters of `[A-Za-z0-9._:-]`: safe to log and to echo.
pub fn is_well_formed(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 128
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    #[test]
    fn well_formed_ids() {
        assert!(super::is_well_formed("abc-123_x.y:z"));
        assert!(!super::is_well_formed(""));
        assert!(!super::is_well_formed("has space"));
        assert!(!super::is_well_formed("line\nbreak"));
        assert!(!super::is_well_formed(&"a".repeat(129)));
    }
}
