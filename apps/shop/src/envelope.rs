//! The error body of seed 003 §8.2 and the spec:
//! `{"success": false, "message", "error": {"code", "errors"?: {"field": ["..."]}}}`,
//! `errors` only when validation failed.

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
            ErrorKind::Locked => "LOCKED",
            // The card errors name themselves (`CARD_DECLINED`, ...).
            ErrorKind::PaymentRequired => "CARD_DECLINED",
            ErrorKind::RateLimited { .. } => "RATE_LIMITED",
            ErrorKind::Timeout | ErrorKind::Internal => "SERVER_ERROR",
        }
    }

    fn body(&self, report: &ErrorReport<'_>) -> Value {
        let mut error = Map::new();
        error.insert("code".into(), report.code.into());
        if !report.details().is_empty() {
            let mut errors: Map<String, Value> = Map::new();
            for d in report.details() {
                let list = errors
                    .entry(d.field.clone())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(messages) = list {
                    messages.push(d.message.clone().into());
                }
            }
            error.insert("errors".into(), Value::Object(errors));
        }
        report.append_extra(&mut error);
        json!({
            "success": false,
            // The fields are listed under `errors`.
            "message": report.summary(),
            "error": error,
        })
    }

    fn schema(&self) -> Value {
        json!({
            "type": "object",
            "properties": {
                "success": {"type": "boolean", "example": false},
                "message": schema::string(),
                "error": {
                    "type": "object",
                    "properties": {
                        "code": schema::code(),
                        "errors": {
                            "type": "object",
                            "description": "Per-field problems, when validation failed",
                            "additionalProperties": {"type": "array", "items": schema::string()},
                        },
                    },
                    "required": ["code"],
                },
            },
            "required": ["success", "message", "error"],
        })
    }
}
