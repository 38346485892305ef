//! Error envelopes: each app's seed fixes the JSON shape of its errors. The app
//! supplies that shape as an [`ErrorEnvelope`]; one platform layer renders every
//! error response through it, including the ones produced below the handlers
//! (unknown route, wrong method, body limit, timeout, panic), and the API
//! description documents it as the `Error` schema.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, ErrorKind, FieldError};
use crate::texts::Texts;

/// An app's error shape: its code table, its body and the body's schema.
pub trait ErrorEnvelope: Send + Sync + 'static {
    /// The machine code of an error that carries no app-specific one.
    fn default_code(&self, kind: ErrorKind) -> &'static str;

    /// The body of an error response.
    fn body(&self, report: &ErrorReport<'_>) -> Value;

    /// The JSON Schema of [`Self::body`], served as the `Error` schema of the API
    /// description. The apps' tests check that it matches what the server sends.
    fn schema(&self) -> Value;
}

/// One error on its way out, with what an envelope may show of its request.
pub struct ErrorReport<'a> {
    pub error: &'a ApiError,
    /// The message shown: the error's own, or the app's text for its kind.
    pub message: &'a str,
    /// The app's code ([`ApiError::code`], else the envelope's default).
    pub code: &'a str,
    pub status: StatusCode,
    /// The request path, without the query string.
    pub path: &'a str,
    pub request_id: &'a str,
    pub now: DateTime<Utc>,
    /// The zone of naive local timestamps.
    pub tz: Tz,
}

impl ErrorReport<'_> {
    pub fn message(&self) -> &str {
        self.message
    }

    /// [`Self::message`] without the per-field problems it lists, for envelopes
    /// that show the fields on their own.
    pub fn summary(&self) -> &str {
        self.error.summary().unwrap_or(self.message)
    }

    pub fn details(&self) -> &[FieldError] {
        self.error.details()
    }

    /// `2023-03-15T14:30:00`: local time without an offset (seeds 001 and 004).
    pub fn local_timestamp(&self) -> String {
        crate::time::local_naive(self.now, self.tz)
    }

    /// `2023-03-15T05:30:00Z`: RFC 3339 in UTC.
    pub fn utc_timestamp(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    /// A body of the shape's own `fields`, in their order, then `details` (when
    /// there are any) and the error's extra fields.
    pub fn object<const N: usize>(&self, fields: [(&str, Value); N]) -> Value {
        let mut body: Map<String, Value> =
            fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        self.append_details_and_extra(&mut body);
        Value::Object(body)
    }

    /// Adds `details` (when there are any) and the error's extra top-level fields
    /// (`lock_info` on a 423) after the shape's own fields.
    pub fn append_details_and_extra(&self, body: &mut Map<String, Value>) {
        if !self.details().is_empty() {
            body.insert("details".into(), json!(self.details()));
        }
        self.append_extra(body);
    }

    /// Adds the error's extra top-level fields.
    pub fn append_extra(&self, body: &mut Map<String, Value>) {
        for (k, v) in self.error.extra() {
            body.insert((*k).into(), v.clone());
        }
    }
}

/// An envelope in use: the app's shape, its texts and the server's time zone.
#[derive(Clone, Copy)]
pub struct Envelope {
    pub shape: &'static dyn ErrorEnvelope,
    pub texts: &'static Texts,
    pub tz: Tz,
}

impl Envelope {
    /// Replaces `response`'s body with `err` in the app's shape.
    pub fn render(
        &self,
        err: &ApiError,
        path: &str,
        request_id: &str,
        mut response: Response,
    ) -> Response {
        let code = err
            .code
            .unwrap_or_else(|| self.shape.default_code(err.kind));
        // Server errors never show what happened inside; platform errors without
        // a message of their own get the app's text for their kind.
        let message = if err.message.is_empty() || err.status().is_server_error() {
            self.texts.for_kind(err.kind)
        } else {
            &err.message
        };
        let body = self.shape.body(&ErrorReport {
            error: err,
            message,
            code,
            status: err.status(),
            path,
            request_id,
            now: Utc::now(),
            tz: self.tz,
        });
        let body = serde_json::to_vec(&body)
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

/// Schema pieces the envelopes share.
pub mod schema {
    use serde_json::{Value, json};

    pub fn string() -> Value {
        json!({"type": "string"})
    }

    /// A machine code, e.g. `VALIDATION_ERROR`.
    pub fn code() -> Value {
        json!({"type": "string", "example": "VALIDATION_ERROR"})
    }

    /// `[{field, message}]`: what [`super::ErrorReport::details`] renders to.
    pub fn details() -> Value {
        json!({
            "type": "array",
            "description": "Per-field problems, when validation failed",
            "items": {
                "type": "object",
                "properties": {"field": string(), "message": string()},
                "required": ["field", "message"],
            },
        })
    }

    /// What [`super::ErrorReport::local_timestamp`] renders.
    pub fn local_timestamp() -> Value {
        json!({
            "type": "string",
            "description": "Server local time, without offset",
            "example": "2026-11-22T15:04:05",
        })
    }

    /// What [`super::ErrorReport::utc_timestamp`] renders.
    pub fn utc_timestamp() -> Value {
        json!({
            "type": "string",
            "format": "date-time",
            "example": "2026-11-22T06:04:05Z",
        })
    }
}
