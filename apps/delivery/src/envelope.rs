//! The error body of seed 001 §IV.4.2:
//! `{"success": false, "message", "error_code", "timestamp"}`, the timestamp in local
//! time without an offset, and the spec's code table.

use platform::envelope::{ErrorEnvelope, ErrorReport, schema};
use platform::error::{AuthFailure, ErrorKind};
use serde_json::{Value, json};

pub struct Envelope;

impl ErrorEnvelope for Envelope {
    fn default_code(&self, kind: ErrorKind) -> &'static str {
        match kind {
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
            ErrorKind::PaymentRequired => "PAYMENT_REQUIRED",
            ErrorKind::RateLimited { .. } => "RATE_LIMITED",
            ErrorKind::Timeout | ErrorKind::Internal => "SERVER_ERROR",
        }
    }

    fn body(&self, report: &ErrorReport<'_>) -> Value {
        report.object([
            ("success", Value::Bool(false)),
            ("message", report.message().into()),
            ("error_code", report.code.into()),
            ("timestamp", report.local_timestamp().into()),
        ])
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "success": {"type": "boolean", "example": false},
                "message": schema::string(),
                "error_code": schema::code(),
                "timestamp": schema::local_timestamp(),
                "details": schema::details(),
            },
            "required": ["success", "message", "error_code", "timestamp"],
        })
    }
}
