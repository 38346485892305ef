//! Validation at the edge: collect every field problem of a request, then fail once
//! with a 422 that names each field. The wording is the app's (its seed's language).

use crate::error::{ApiError, FieldError};

/// What is wrong with an e-mail address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("required")]
    Missing,
    #[error("not an e-mail address")]
    Malformed,
}

/// An e-mail address, trimmed and in lower case: one `@`, a local part, a domain
/// with a dot not at either end, no whitespace, at most 254 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let email = crate::text::trim(input).to_lowercase();
        if email.is_empty() {
            return Err(EmailError::Missing);
        }
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            });
        if valid {
            Ok(Self(email))
        } else {
            Err(EmailError::Malformed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// An app's wording for the common problems.
pub struct Messages {
    /// Prefix of the summary message, e.g. "invalid input".
    pub summary: &'static str,
    pub required: &'static str,
    pub too_long: fn(usize) -> String,
}

static KOREAN: Messages = Messages {
    summary: "입력값이 올바르지 않습니다",
    required: "필수 항목입니다",
    too_long: |max| format!("{max}자 이하로 입력하세요"),
};

static ENGLISH: Messages = Messages {
    summary: "invalid input",
    required: "required",
    too_long: |max| format!("at most {max} characters"),
};

/// The platform's wording of field problems in `lang` (Korean or English).
pub fn messages(lang: crate::texts::Language) -> &'static Messages {
    if lang.code == "ko" { &KOREAN } else { &ENGLISH }
}

/// The problems found so far in one request.
pub struct FieldErrors {
    errors: Vec<FieldError>,
    messages: &'static Messages,
}

impl FieldErrors {
    pub fn new(messages: &'static Messages) -> Self {
        Self {
            errors: Vec::new(),
            messages,
        }
    }

    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Trimmed, required, at most `max` characters. Zero-width characters alone
    /// count as blank.
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        let v = crate::text::trim(value);
        if v.is_empty() {
            self.add(field, self.messages.required);
        } else if v.chars().count() > max {
            self.add(field, (self.messages.too_long)(max));
        }
        v.to_owned()
    }

    /// Optional: absent or blank means none; else at most `max` characters.
    pub fn optional(&mut self, field: &str, value: Option<&str>, max: usize) -> Option<String> {
        let v = value.map(crate::text::trim).filter(|v| !v.is_empty())?;
        if v.chars().count() > max {
            self.add(field, (self.messages.too_long)(max));
        }
        Some(v.to_owned())
    }

    /// `Ok` if nothing was found, else one 422 with every field's problem.
    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            return Ok(());
        }
        Err(ApiError::invalid_fields(self.messages.summary, self.errors))
    }
}

/// A list's page request, checked: `page` from 1, the page size (named as the
/// app's seed names it: `limit`, `size`) from 1 to its maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    pub page: i64,
    pub size: i64,
}

/// An app's page-size rule and the wording of its two range errors.
#[derive(Debug, Clone, Copy)]
pub struct PageRule<'a> {
    pub size_field: &'static str,
    pub default_size: i64,
    pub max_size: i64,
    pub page_range: &'a str,
    pub size_range: &'a str,
}

impl Paging {
    /// Past this, an offset is a mistake or a probe, never a reader.
    pub const MAX_PAGE: i64 = 1_000_000;

    /// The page asked for, each out-of-range value added to `errors`.
    pub fn check(
        rule: PageRule<'_>,
        errors: &mut FieldErrors,
        page: Option<i64>,
        size: Option<i64>,
    ) -> Self {
        let page = page.unwrap_or(1);
        if !(1..=Self::MAX_PAGE).contains(&page) {
            errors.add("page", rule.page_range);
        }
        let size = size.unwrap_or(rule.default_size);
        if !(1..=rule.max_size).contains(&size) {
            errors.add(rule.size_field, rule.size_range);
        }
        Self { page, size }
    }

    pub fn offset(self) -> i64 {
        (self.page.clamp(1, Self::MAX_PAGE) - 1) * self.size
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalized_and_checked() {
        assert_eq!(
            Email::parse("  Kim@Example.COM ").map(Email::into_string),
            Ok("kim@example.com".to_owned())
        );
        assert_eq!(Email::parse(" "), Err(EmailError::Missing));
        for bad in [
            "kim",
            "kim@",
            "@example.com",
            "kim@example",
            "a b@c.d",
            "a@b@c.d",
            "a@.c",
        ] {
            assert_eq!(Email::parse(bad), Err(EmailError::Malformed), "{bad:?}");
        }
    }
    use crate::error::ErrorKind;

    static EN: Messages = Messages {
        summary: "invalid input",
        required: "required",
        too_long: |max| format!("at most {max} characters"),
    };

    #[test]
    fn collects_every_problem_then_fails_once() {
        let mut p = FieldErrors::new(&EN);
        assert_eq!(p.text("name", "  ok  ", 10), "ok");
        p.text("title", " ", 10);
        p.optional("note", Some("abcdef"), 3);
        assert_eq!(p.optional("blank", Some("  "), 3), None);
        assert_eq!(p.optional("invisible", Some("\u{200b}"), 3), None);
        let err = p.finish().unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        let fields: Vec<&str> = err.details().iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["title", "note"]);
        assert!(
            err.message
                .starts_with("invalid input (title: required; note: at most 3")
        );
        assert!(FieldErrors::new(&EN).finish().is_ok());
    }
}
