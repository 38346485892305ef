//! `X-Request-ID`: a well-formed incoming id is kept, anything else replaced by a
//! fresh UUID; the id is on the request (for logs) and echoed on the response.

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

pub static HEADER: HeaderName = HeaderName::from_static("x-request-id");

#[derive(Debug, Clone)]
pub struct RequestId(HeaderValue);

impl RequestId {
    pub fn as_str(&self) -> &str {
        self.0.to_str().unwrap_or("")
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

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&HEADER)
        .filter(|v| v.to_str().is_ok_and(is_well_formed))
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .expect("a UUID is a valid header value")
        });
    req.headers_mut().insert(HEADER.clone(), id.clone());
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut response = next.run(req).await;
    response.headers_mut().insert(HEADER.clone(), id);
    response
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
