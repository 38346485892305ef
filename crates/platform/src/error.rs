//! One error type for every app. Handlers return `Result<_, ApiError>`; the app's
//! envelope renderer ([`crate::envelope`]) turns it into that app's JSON shape.

use std::borrow::Cow;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why authentication failed; apps with finer codes (delivery) tell them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No credentials at all.
    Missing,
    /// Malformed, badly signed, wrong algorithm, revoked.
    Invalid,
    /// Well-formed and signed, but past its expiry.
    Expired,
    /// Login with a wrong user or password.
    BadCredentials,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    BadRequest,
    Validation,
    Unauthorized(AuthFailure),
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    Locked,
    /// A payment was refused (a declined card).
    PaymentRequired,
    RateLimited {
        retry_after_secs: u64,
    },
    Timeout,
    Internal,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict => StatusCode::CONFLICT,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Locked => StatusCode::LOCKED,
            Self::PaymentRequired => StatusCode::PAYMENT_REQUIRED,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            // A timeout is an unexpected server condition for the client, like a panic.
            Self::Timeout | Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The kind an error response of this status would have had, for responses that
    /// were produced below the app (router 404/405, body limits, timeouts).
    pub fn from_status(status: StatusCode) -> Self {
        match status.as_u16() {
            401 => Self::Unauthorized(AuthFailure::Missing),
            402 => Self::PaymentRequired,
            403 => Self::Forbidden,
            404 => Self::NotFound,
            405 => Self::MethodNotAllowed,
            408 => Self::Timeout,
            409 => Self::Conflict,
            413 => Self::PayloadTooLarge,
            415 => Self::UnsupportedMediaType,
            422 => Self::Validation,
            423 => Self::Locked,
            429 => Self::RateLimited {
                retry_after_secs: 1,
            },
            400..=499 => Self::BadRequest,
            _ => Self::Internal,
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub kind: ErrorKind,
    /// An app-specific machine code (`INVALID_STATUS_TRANSITION`); else the style's
    /// default for the kind.
    pub code: Option<&'static str>,
    pub message: Cow<'static, str>,
    /// The rarer parts, boxed so that `Result<_, ApiError>` stays small.
    more: Option<Box<More>>,
}

#[derive(Debug, Clone, Default)]
struct More {
    details: Vec<FieldError>,
    /// Extra top-level fields of the error body (`lock_info` on a 423).
    extra: Vec<(&'static str, serde_json::Value)>,
    /// What went wrong inside, for the log only; never sent.
    internal: Option<String>,
    /// The message without the per-field list, for envelopes that show the
    /// fields on their own.
    summary: Option<Cow<'static, str>>,
}

impl ApiError {
    pub fn new(kind: ErrorKind, message: impl Into<Cow<'static, str>>) -> Self {
        Self {
            kind,
            code: None,
            message: message.into(),
            more: None,
        }
    }

    fn more(&mut self) -> &mut More {
        self.more.get_or_insert_with(Default::default)
    }

    /// Per-field problems (validation errors).
    pub fn details(&self) -> &[FieldError] {
        self.more.as_ref().map_or(&[], |m| &m.details)
    }

    /// Extra top-level fields of the error body.
    pub fn extra(&self) -> &[(&'static str, serde_json::Value)] {
        self.more.as_ref().map_or(&[], |m| &m.extra)
    }

    /// The message without the per-field problems it lists, if it lists them.
    pub fn summary(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.summary.as_deref())
    }

    fn with_summary(mut self, summary: impl Into<Cow<'static, str>>) -> Self {
        self.more().summary = Some(summary.into());
        self
    }

    /// The message with every field's problem, on one line: for an operator at the
    /// command line (`ondol user add`), who sees no JSON body.
    pub fn for_operator(&self) -> String {
        let details: Vec<String> = self
            .details()
            .iter()
            .map(|d| format!("{}: {}", d.field, d.message))
            .collect();
        format!("{} {}", self.message, details.join("; "))
    }

    /// The internal cause, for logs.
    pub fn internal_cause(&self) -> Option<&str> {
        self.more.as_ref().and_then(|m| m.internal.as_deref())
    }

    pub fn bad_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::BadRequest, message)
    }

    pub fn validation(message: impl Into<Cow<'static, str>>, details: Vec<FieldError>) -> Self {
        Self::new(ErrorKind::Validation, message).with_details(details)
    }

    /// A 422 listing every field's problem: the message is `summary (field:
    /// problem; ...)`, and [`Self::summary`] keeps the summary alone for envelopes
    /// that list the fields on their own.
    pub fn invalid_fields(summary: impl Into<Cow<'static, str>>, details: Vec<FieldError>) -> Self {
        let summary = summary.into();
        let listed = details
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; ");
        Self::validation(format!("{summary} ({listed})"), details).with_summary(summary)
    }

    /// A 422 about one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::new(ErrorKind::Validation, message.clone()).with_details(vec![FieldError {
            field: field.into(),
            message,
        }])
    }

    pub fn unauthorized(why: AuthFailure, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Unauthorized(why), message)
    }

    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Forbidden, message)
    }

    pub fn not_found(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }

    pub fn conflict(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        let mut e = Self::new(ErrorKind::Internal, "internal server error");
        e.more().internal = Some(cause.to_string());
        e
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        if !details.is_empty() {
            self.more().details = details;
        }
        self
    }

    pub fn with_extra(mut self, key: &'static str, value: serde_json::Value) -> Self {
        self.more().extra.push((key, value));
        self
    }

    pub fn status(&self) -> StatusCode {
        self.kind.status()
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}: {}", self.kind, self.message)
    }
}

impl std::error::Error for ApiError {}

/// The response carries the error itself; the app's envelope layer renders the body.
/// A response that escapes without that layer still gets a JSON body.
impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let mut response = status.into_response();
        response.extensions_mut().insert(self);
        response
    }
}

/// Every database failure that reaches a handler is a server error: constraint
/// violations a client can cause are mapped where the query runs.
impl From<sqlx::Error> for ApiError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(format!("database: {err}"))
    }
}

impl From<crate::redis_conn::RedisError> for ApiError {
    fn from(err: crate::redis_conn::RedisError) -> Self {
        Self::internal(format!("redis: {err}"))
    }
}
