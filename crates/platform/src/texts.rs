//! The wording of the errors the platform itself produces (unknown route, wrong
//! method, malformed JSON, a field of the wrong type, a bad token, ...), in the
//! language of the app's seed: an app names its texts in its manifest, and its
//! clients never see English inside a Korean envelope. Machine codes are never
//! translated.
//!
//! A platform error whose message is empty gets its kind's text when rendered
//! ([`Texts::for_kind`]); field-level texts are looked up where the field is
//! known, from the request's extensions ([`Texts::of`]).

use axum::extract::FromRequestParts;
use axum::http::Extensions;
use axum::http::request::Parts;

use crate::error::{AuthFailure, ErrorKind};

#[derive(Debug)]
pub struct Texts {
    pub bad_request: &'static str,
    pub validation: &'static str,
    pub unauthorized: &'static str,
    pub invalid_token: &'static str,
    pub token_expired: &'static str,
    pub bad_credentials: &'static str,
    pub forbidden: &'static str,
    pub not_found: &'static str,
    pub method_not_allowed: &'static str,
    pub conflict: &'static str,
    pub payload_too_large: &'static str,
    pub unsupported_media_type: &'static str,
    pub locked: &'static str,
    pub payment_required: &'static str,
    pub rate_limited: &'static str,
    pub timeout: &'static str,
    pub internal: &'static str,
    /// A body that is not well-formed JSON.
    pub malformed_json: &'static str,
    /// A body that could not be read.
    pub unreadable_body: &'static str,
    /// A JSON body that is not an object.
    pub expected_object: &'static str,
    /// A field a client must send is missing.
    pub required: &'static str,
    /// A field the endpoint does not have.
    pub unknown_field: &'static str,
    /// A value of the wrong JSON type, or that does not parse.
    pub wrong_type: &'static str,
    /// A value outside the allowed ones (an unknown enum value).
    pub invalid_value: &'static str,
    /// Text holding a control character ([`crate::text`]).
    pub control_characters: &'static str,
}

pub static ENGLISH: Texts = Texts {
    bad_request: "bad request",
    validation: "invalid input",
    unauthorized: "authentication required",
    invalid_token: "invalid token",
    token_expired: "token expired",
    bad_credentials: "wrong login or password",
    forbidden: "forbidden",
    not_found: "the requested resource does not exist",
    method_not_allowed: "method not allowed for this resource",
    conflict: "conflict with the current state",
    payload_too_large: "request body too large",
    unsupported_media_type: "expected a JSON body (Content-Type: application/json)",
    locked: "the resource is locked",
    payment_required: "the payment was declined",
    rate_limited: "too many requests; slow down",
    timeout: "the request took too long",
    internal: "internal server error",
    malformed_json: "malformed JSON",
    unreadable_body: "could not read the request body",
    expected_object: "expected a JSON object",
    required: "required",
    unknown_field: "unknown field",
    wrong_type: "wrong type or format",
    invalid_value: "not one of the allowed values",
    control_characters: "control characters are not allowed",
};

pub static KOREAN: Texts = Texts {
    bad_request: "잘못된 요청입니다",
    validation: "입력값이 올바르지 않습니다",
    unauthorized: "인증이 필요합니다",
    invalid_token: "유효하지 않은 토큰입니다",
    token_expired: "토큰이 만료되었습니다",
    bad_credentials: "로그인 정보가 올바르지 않습니다",
    forbidden: "권한이 없습니다",
    not_found: "요청한 리소스를 찾을 수 없습니다",
    method_not_allowed: "허용되지 않는 메서드입니다",
    conflict: "현재 상태와 충돌합니다",
    payload_too_large: "요청 본문이 너무 큽니다",
    unsupported_media_type: "JSON 본문이 필요합니다 (Content-Type: application/json)",
    locked: "잠겨 있는 리소스입니다",
    payment_required: "결제가 거절되었습니다",
    rate_limited: "요청이 너무 많습니다. 잠시 후 다시 시도하세요",
    timeout: "요청 처리 시간이 초과되었습니다",
    internal: "서버 오류가 발생했습니다",
    malformed_json: "JSON 형식이 올바르지 않습니다",
    unreadable_body: "요청 본문을 읽을 수 없습니다",
    expected_object: "JSON 객체여야 합니다",
    required: "필수 항목입니다",
    unknown_field: "알 수 없는 항목입니다",
    wrong_type: "형식이 올바르지 않습니다",
    invalid_value: "허용되지 않는 값입니다",
    control_characters: "제어 문자는 사용할 수 없습니다",
};

/// A language an app answers in: its code (`ko`, `en`) and the platform's texts.
#[derive(Debug, Clone, Copy)]
pub struct Language {
    pub code: &'static str,
    pub texts: &'static Texts,
}

pub const KO: Language = Language {
    code: "ko",
    texts: &KOREAN,
};

pub const EN: Language = Language {
    code: "en",
    texts: &ENGLISH,
};

impl Language {
    /// `ko` or `en` of a message written in both.
    pub fn pick<'a>(&self, ko: &'a str, en: &'a str) -> &'a str {
        if self.code == "ko" { ko } else { en }
    }
}

/// An app's message in both languages it answers in.
#[derive(Debug, Clone, Copy)]
pub struct Msg {
    pub ko: &'static str,
    pub en: &'static str,
}

impl Msg {
    pub fn in_(&self, lang: Language) -> &'static str {
        lang.pick(self.ko, self.en)
    }
}

/// The language of a request: the first of `supported` its `Accept-Language` asks
/// for (highest `q` first), else the first of `supported`.
pub fn negotiate(accept_language: Option<&str>, supported: &'static [Language]) -> Language {
    let default = supported.first().copied().unwrap_or(EN);
    let Some(header) = accept_language else {
        return default;
    };
    let mut wanted: Vec<(f32, &str)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            let primary = tag.split('-').next()?.trim();
            (q > 0.0 && !primary.is_empty()).then_some((q, primary))
        })
        .collect();
    // Stable: among equal weights the header's order stands.
    wanted.sort_by(|a, b| b.0.total_cmp(&a.0));
    wanted
        .iter()
        .find_map(|(_, tag)| {
            supported
                .iter()
                .find(|l| l.code.eq_ignore_ascii_case(tag))
                .copied()
        })
        .unwrap_or(default)
}

/// The language the platform layer chose for a request.
impl<S: Send + Sync> FromRequestParts<S> for Language {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(parts.extensions.get::<Language>().copied().unwrap_or(EN))
    }
}

impl Texts {
    /// The text of an error of `kind` that has no message of its own.
    pub fn for_kind(&self, kind: ErrorKind) -> &'static str {
        match kind {
            ErrorKind::BadRequest => self.bad_request,
            ErrorKind::Validation => self.validation,
            ErrorKind::Unauthorized(AuthFailure::Missing) => self.unauthorized,
            ErrorKind::Unauthorized(AuthFailure::Invalid) => self.invalid_token,
            ErrorKind::Unauthorized(AuthFailure::Expired) => self.token_expired,
            ErrorKind::Unauthorized(AuthFailure::BadCredentials) => self.bad_credentials,
            ErrorKind::Forbidden => self.forbidden,
            ErrorKind::NotFound => self.not_found,
            ErrorKind::MethodNotAllowed => self.method_not_allowed,
            ErrorKind::Conflict => self.conflict,
            ErrorKind::PayloadTooLarge => self.payload_too_large,
            ErrorKind::UnsupportedMediaType => self.unsupported_media_type,
            ErrorKind::Locked => self.locked,
            ErrorKind::PaymentRequired => self.payment_required,
            ErrorKind::RateLimited { .. } => self.rate_limited,
            ErrorKind::Timeout => self.timeout,
            ErrorKind::Internal => self.internal,
        }
    }

    /// The texts of the app serving a request (the platform layer puts them in
    /// every request's extensions); English outside the platform stack.
    pub fn of(extensions: &Extensions) -> &'static Texts {
        extensions
            .get::<&'static Texts>()
            .copied()
            .unwrap_or(&ENGLISH)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BOTH: [Language; 2] = [KO, EN];

    #[test]
    fn accept_language_picks_the_best_supported() {
        let code = |h: Option<&str>| negotiate(h, &BOTH).code;
        assert_eq!(code(None), "ko");
        assert_eq!(code(Some("en")), "en");
        assert_eq!(code(Some("en-US,en;q=0.9")), "en");
        assert_eq!(code(Some("ko,en;q=0.9")), "ko");
        assert_eq!(code(Some("fr, en;q=0.5, ko;q=0.8")), "ko");
        assert_eq!(code(Some("fr")), "ko", "unsupported: the default");
        assert_eq!(code(Some("en;q=0, ko")), "ko");
        assert_eq!(code(Some(";;,,q=x")), "ko");
    }
}
