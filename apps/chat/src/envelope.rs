//! The error body of seed 004 (a Spring `@RestControllerAdvice`):
//! `{"code", "message", "timestamp", "details"?}`, the timestamp in local time
//! without an offset.

use platform::envelope::{ErrorEnvelope, ErrorReport, schema};
use platform::error::{AuthFailure, ErrorKind};
use serde_json::{Value, json};

pub struct Envelope;

impl ErrorEnvelope for Envelope {
    /// The seed's own codes where it has them: AUTH_FAILED for a failed
    /// authentication, UNAUTHORIZED for "no access to this room".
    fn default_code(&self, kind: ErrorKind) -> &'static str {
        match kind {
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
            ErrorKind::PaymentRequired => "PAYMENT_REQUIRED",
            ErrorKind::RateLimited { .. } => "RATE_LIMITED",
            ErrorKind::Timeout => "TIMEOUT",
            ErrorKind::Internal => "INTERNAL_ERROR",
        }
    }

    fn body(&self, report: &ErrorReport<'_>) -> Value {
        report.object([
            ("code", report.code.into()),
            ("message", report.message().into()),
            ("timestamp", report.local_timestamp().into()),
        ])
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "code": schema::code(),
                "message": schema::string(),
                "timestamp": schema::local_timestamp(),
                "details": schema::details(),
            },
            "required": ["code", "message", "timestamp"],
        })
    }
}
