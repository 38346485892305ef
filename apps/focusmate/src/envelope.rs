//! The error body of seed 000 §2.3 and §7.3, for every error:
//! `{"status": "error", "error": {"code", "message", "details": [{"field", "message"}]}}`,
//! `details` always a list (empty unless validation failed).

use platform::envelope::{ErrorEnvelope, ErrorReport, schema};
use platform::error::ErrorKind;
use serde_json::{Map, Value, json};

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
        let mut error = Map::new();
        error.insert("code".into(), report.code.into());
        error.insert("message".into(), report.summary().into());
        error.insert("details".into(), json!(report.details()));
        report.append_extra(&mut error);
        json!({"status": "error", "error": error})
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "status": {"type": "string", "enum": ["error"]},
                "error": {
                    "type": "object",
                    "properties": {
                        "code": schema::code(),
                        "message": schema::string(),
                        "details": schema::details(),
                    },
                    "required": ["code", "message", "details"],
                },
            },
            "required": ["status", "error"],
        })
    }
}
