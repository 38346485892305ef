//! Error envelopes: each app's seed fixes the JSON shape of its errors. One layer
//! per app renders every error response in that shape, including the ones produced
//! below the handlers (unknown route, wrong method, body limit, timeout, panic).

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use chrono_tz::Tz;
use serde_json::{Map, Value, json};

use crate::error::{ApiError, AuthFailure, ErrorKind};
use crate::http::request_id::RequestId;

/// The error shapes of the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvelopeStyle {
    /// `{"success": false, "message", "error_code", "timestamp" (naive local)}`, seed 001.
    Delivery,
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
        }
    }

    pub fn body(&self, err: &ApiError) -> Value {
        let code = err.code.unwrap_or_else(|| self.default_code(err.kind));
        match self.style {
            EnvelopeStyle::Delivery => {
                let mut body = Map::new();
                body.insert("success".into(), Value::Bool(false));
                body.insert("message".into(), Value::String(err.message.to_string()));
                body.insert("error_code".into(), Value::String(code.into()));
                body.insert(
                    "timestamp".into(),
                    Value::String(crate::time::local_naive(Utc::now(), self.tz)),
                );
                if !err.details().is_empty() {
                    body.insert("details".into(), json!(err.details()));
                }
                for (k, v) in err.extra() {
                    body.insert((*k).into(), v.clone());
                }
                Value::Object(body)
            }
        }
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
        if let ErrorKind::RateLimited { retry_after_secs } = err.kind {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        *response.body_mut() = Body::from(body);
        response
    }
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The layer: renders `ApiError`s, and wraps any other error response that is not
/// already JSON (axum's 404/405, tower-http's 413/408) into the envelope.
pub async fn render_errors(State(envelope): State<Envelope>, req: Request, next: Next) -> Response {
    let request_id = req.extensions().get::<RequestId>().cloned();
    let response = next.run(req).await;
    let err = match response.extensions().get::<ApiError>() {
        Some(err) => err.clone(),
        None if response.status().is_client_error() || response.status().is_server_error() => {
            if is_json(&response) {
                return response;
            }
            let kind = ErrorKind::from_status(response.status());
            ApiError::new(kind, default_message(kind))
        }
        None => return response,
    };
    if err.status().is_server_error() {
        tracing::error!(
            request_id = request_id.as_ref().map(|r| r.as_str()),
            kind = ?err.kind,
            cause = err.internal_cause().unwrap_or(""),
            "request failed"
        );
    }
    let mut response = if response.status() == err.status() {
        response
    } else {
        err.status().into_response()
    };
    response = envelope.render(&err, response);
    response
}

fn default_message(kind: ErrorKind) -> &'static str {
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
