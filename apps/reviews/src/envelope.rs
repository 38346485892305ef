//! The error body of seed 002 ("예외 처리 전략"), for every error:
//! `{"timestamp", "path", "status", "code", "message", "details"}`, `details` the
//! per-field problems of a validation failure and `null` otherwise.

use platform::envelope::{ErrorEnvelope, ErrorReport, schema};
use platform::error::ErrorKind;
use serde_json::{Value, json};

pub struct Envelope;

impl ErrorEnvelope for Envelope {
    fn default_code(&self, kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::BadRequest => "BAD_REQUEST",
            ErrorKind::Validation => "VALIDATION_ERROR",
            ErrorKind::Unauthorized(_) => "UNAUTHORIZED",
            ErrorKind::Forbidden => "FORBIDDEN",
            ErrorKind::NotFound => "NOT_FOUND",
            ErrorKind::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorKind::Conflict => "CONFLICT",
            ErrorKind::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorKind::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            ErrorKind::RateLimited { .. } => "RATE_LIMITED",
            // Neither happens here; named for completeness.
            ErrorKind::Locked => "LOCKED",
            ErrorKind::PaymentRequired => "PAYMENT_REQUIRED",
            ErrorKind::Timeout | ErrorKind::Internal => "INTERNAL_ERROR",
        }
    }

    fn body(&self, report: &ErrorReport<'_>) -> Value {
        let details = if report.details().is_empty() {
            Value::Null
        } else {
            json!(report.details())
        };
        json!({
            "timestamp": report.utc_timestamp(),
            "path": report.path,
            "status": report.status.as_u16(),
            "code": report.code,
            "message": report.summary(),
            "details": details,
        })
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "timestamp": schema::utc_timestamp(),
                "path": {"type": "string", "example": "/contents/1/reviews"},
                "status": {"type": "integer", "example": 422},
                "code": schema::code(),
                "message": schema::string(),
                "details": {
                    "oneOf": [schema::details(), {"type": "null"}],
                    "description": "Per-field problems of a validation failure, else null",
                },
            },
            "required": ["timestamp", "path", "status", "code", "message", "details"],
        })
    }
}
