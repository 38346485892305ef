//! Error envelopes: each app's seed fixes the JSON shape of its errors. One layer
//! per app renders every error response in that shape, including the ones produced
//! below the handlers (unknown route, wrong method, body limit, timeout, panic).

use axum::body::Body;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use chrono::Utc;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, AuthFailure, ErrorKind};

/// The error shapes of the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeStyle {
    /// `{"success": false, "message", "error_code", "timestamp" (naive local)}`, seed 001.
    Delivery,
    /// `{"code", "message", "timestamp" (naive local), "details"?}`, seed 004 (Spring).
    Chat,
}

#[derive(Debug, Clone, Copy)]
pub struct Envelope {
    pub style: EnvelopeStyle,
    pub tz: Tz,
}

impl Envelope {
    /// The machine code this style gives an error without an app-specific one.
    pub fn default_code(&self, kind: ErrorKind) -> &'static str {
        match self.style {
            EnvelopeStyle::Delivery => match kind {
                ErrorKind::BadRequest | ErrorKind::Validation | ErrorKind::UnsupportedMediaType => {
                    "VALIDATION_ERROR"
                }
                ErrorKind::Unauthorized(AuthFailure::Invalid) => "INVALID_TOKEN",
                ErrorKind::Unauthorized(AuthFailure::Expired) => "TOKEN_EXPIRED",
                ErrorKind::Unauthorized(_) => "UNAUTHORIZED",
                ErrorKind::Forbidden => "FORBIDDEN",
                ErrorKind::NotFound => "NOT_FOUND",
                ErrorKind::MethodNotAllowed => "METHOD_NOT_ALLOWED",
                ErrorKind::Conflict => "INTEGRITY_ERROR",
                ErrorKind::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
                ErrorKind::Locked => "RESOURCE_LOCKED",
                ErrorKind::RateLimited { .. } => "RATE_LIMITED",
                ErrorKind::Timeout | ErrorKind::Internal => "SERVER_ERROR",
            },
            // The seed's own codes where it has them: AUTH_FAILED for a failed
            // authentication, UNAUTHORIZED for "no access to this room".
            EnvelopeStyle::Chat => match kind {
                ErrorKind::BadRequest => "BAD_REQUEST",
                ErrorKind::Validation => "VALIDATION_ERROR",
                ErrorKind::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
                ErrorKind::Unauthorized(AuthFailure::Expired) => "TOKEN_EXPIRED",
                ErrorKind::Unauthorized(_) => "AUTH_FAILED",
                ErrorKind::Forbidden => "UNAUTHORIZED",
                ErrorKind::NotFound => "NOT_FOUND",
                ErrorKind::MethodNotAllowed => "METHOD_NOT_ALLOWED",
                ErrorKind::Conflict => "CONFLICT",
                ErrorKind::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
                ErrorKind::Locked => "LOCKED",
                ErrorKind::RateLimited { .. } => "RATE_LIMITED",
                ErrorKind::Timeout => "TIMEOUT",
                ErrorKind::Internal => "INTERNAL_ERROR",
            },
        }
    }

    pub fn body(&self, err: &ApiError) -> Value {
        let code = Value::String(
            err.code
                .unwrap_or_else(|| self.default_code(err.kind))
                .into(),
        );
        let message = Value::String(err.message.to_string());
        let timestamp = Value::String(crate::time::local_naive(Utc::now(), self.tz));
        // The style's own fields, in its order; then what every style adds.
        let mut body = Map::new();
        match self.style {
            EnvelopeStyle::Delivery => {
                body.insert("success".into(), Value::Bool(false));
                body.insert("message".into(), message);
                body.insert("error_code".into(), code);
                body.insert("timestamp".into(), timestamp);
            }
            EnvelopeStyle::Chat => {
                body.insert("code".into(), code);
                body.insert("message".into(), message);
                body.insert("timestamp".into(), timestamp);
            }
        }
        if !err.details().is_empty() {
            body.insert("details".into(), json!(err.details()));
        }
        for (k, v) in err.extra() {
            body.insert((*k).into(), v.clone());
        }
        Value::Object(body)
    }

    pub fn render(&self, err: &ApiError, mut response: Response) -> Response {
        let body = serde_json::to_vec(&self.body(err))
            .expect("serializing a JSON value built from strings cannot fail");
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        headers.remove(header::CONTENT_LENGTH);
        headers.remove(header::CONTENT_ENCODING);
        if let ErrorKind::RateLimited { retry_after_secs } = err.kind {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        *response.body_mut() = Body::from(body);
        response
    }
}

pub(crate) fn default_message(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::NotFound => "the requested resource does not exist",
        ErrorKind::MethodNotAllowed => "method not allowed for this resource",
        ErrorKind::PayloadTooLarge => "request body too large",
        ErrorKind::UnsupportedMediaType => "unsupported content type",
        ErrorKind::Timeout => "the request took too long",
        ErrorKind::Unauthorized(_) => "authentication required",
        ErrorKind::Forbidden => "forbidden",
        ErrorKind::RateLimited { .. } => "too many requests",
        ErrorKind::Internal => "internal server error",
        _ => "bad request",
    }
}
