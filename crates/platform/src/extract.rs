//! Extractors whose failures come back as [`ApiError`]s (so in the app's envelope),
//! naming the offending field where there is one, worded in the app's language
//! ([`Texts`]).

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorKind, FieldError};
use crate::texts::Texts;

/// A JSON body. Malformed JSON → 400; a well-formed body of the wrong shape
/// (missing or unknown field, wrong type, unknown enum value, control characters)
/// → 422 with the field's path.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let texts = Texts::of(req.extensions());
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(ErrorKind::UnsupportedMediaType, ""));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorKind::PayloadTooLarge, "")
            } else {
                ApiError::bad_request(texts.unreadable_body)
            }
        })?;
        parse_json(&bytes, texts).map(AppJson)
    }
}

/// Parses a JSON document into `T` with the error mapping of [`AppJson`] (STOMP
/// bodies use it too).
///
/// Request bodies are JSON objects. serde would also read a struct from an array of
/// its field values in declaration order, which no client means and which the API
/// description does not allow, so a top-level array is refused. A field the type
/// does not have is refused too, for every app alike: a typo, or a value the client
/// expects to count (a `status` at creation), must not be dropped in silence.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8], texts: &Texts) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(field_error(texts, "body".into(), texts.expected_object));
    }
    if let Some(path) = crate::text::json_path_of_forbidden(bytes) {
        let field = if path.is_empty() { "body".into() } else { path };
        return Err(field_error(texts, field, texts.control_characters));
    }
    let mut unknown: Option<String> = None;
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    let mut record = |path: serde_ignored::Path<'_>| {
        unknown.get_or_insert_with(|| path.to_string());
    };
    let ignoring = serde_ignored::Deserializer::new(de, &mut record);
    let value = serde_path_to_error::deserialize(ignoring).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => ApiError::bad_request(format!(
                "{} (line {}, column {})",
                texts.malformed_json,
                inner.line(),
                inner.column()
            )),
            Category::Data => {
                let message = inner.to_string();
                let (named, text) = classify(&message, texts);
                let field = if path == "." { named } else { Some(path) };
                field_error(texts, field.unwrap_or_else(|| "body".into()), text)
            }
        }
    })?;
    if let Some(path) = unknown {
        return Err(field_error(texts, path, texts.unknown_field));
    }
    Ok(value)
}

/// A 422 about one field, in the app's words.
fn field_error(texts: &Texts, field: String, message: &str) -> ApiError {
    ApiError::invalid_fields(
        texts.validation,
        vec![FieldError {
            field,
            message: message.to_owned(),
        }],
    )
}

/// What a serde error says, in the app's words, and the field it names when serde
/// reports it at the parent's path (a missing or unknown field).
fn classify(message: &str, texts: &Texts) -> (Option<String>, &'static str) {
    let named = |prefix: &str| {
        message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned)
    };
    if let Some(field) = named("missing field `") {
        (Some(field), texts.required)
    } else if let Some(field) = named("unknown field `") {
        (Some(field), texts.unknown_field)
    } else if message.starts_with("unknown variant") || message.starts_with("invalid value") {
        (None, texts.invalid_value)
    } else {
        (None, texts.wrong_type)
    }
}

/// Path parameters; a value of the wrong type → 422 naming the parameter.
#[derive(Debug, Clone, Copy)]
pub struct AppPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AppPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::rejection::PathRejection;
        let texts = Texts::of(&parts.extensions);
        let raw: Vec<(String, String)> =
            axum::extract::RawPathParams::from_request_parts(parts, state)
                .await
                .map(|raw| {
                    raw.iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect()
                })
                .unwrap_or_default();
        if let Some((name, _)) = raw
            .iter()
            .find(|(_, v)| crate::text::forbidden_in(v).is_some())
        {
            return Err(field_error(texts, name.clone(), texts.control_characters));
        }
        let names: Vec<String> = raw.into_iter().map(|(k, _)| k).collect();
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(AppPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let kind = e.into_kind();
                let field = path_param_name(&kind, &names).unwrap_or_else(|| "path".into());
                Err(field_error(texts, field, texts.wrong_type))
            }
            Err(e) => Err(ApiError::internal(e)),
        }
    }
}

fn path_param_name(kind: &axum::extract::path::ErrorKind, names: &[String]) -> Option<String> {
    use axum::extract::path::ErrorKind as K;
    match kind {
        K::ParseErrorAtKey { key, .. } | K::DeserializeError { key, .. } => Some(key.clone()),
        K::ParseErrorAtIndex { index, .. } => names.get(*index).cloned(),
        K::ParseError { .. } if names.len() == 1 => names.first().cloned(),
        _ => None,
    }
}

/// Query string parameters; bad values → 422 naming the parameter. Parameters the
/// endpoint does not know are ignored (cache busters and the like).
#[derive(Debug, Clone, Copy)]
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let texts = Texts::of(&parts.extensions);
        let query = parts.uri.query().unwrap_or("");
        if let Some((name, _)) = form_urlencoded_parse(query).find(|(k, v)| {
            crate::text::forbidden_in(k).is_some() || crate::text::forbidden_in(v).is_some()
        }) {
            return Err(field_error(
                texts,
                name.into_owned(),
                texts.control_characters,
            ));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(AppQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let (named, text) = classify(&message, texts);
                let field = if path == "." { named } else { Some(path) };
                field_error(texts, field.unwrap_or_else(|| "query".into()), text)
            })
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::texts::{ENGLISH as EN, KOREAN};

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        count: u32,
        kind: Kind,
    }

    #[derive(serde::Deserialize, Debug)]
    enum Kind {
        A,
    }

    #[test]
    fn a_top_level_array_is_not_read_as_a_struct() {
        // serde alone would accept this as Body { name: "x", count: 1, kind: A }.
        let err = parse_json::<Body>(br#" ["x", 1, "A"]"#, &EN).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "body");
        assert!(parse_json::<Body>(br#"{"name":"x","count":1,"kind":"A"}"#, &EN).is_ok());
    }

    #[test]
    fn control_characters_are_422_on_their_field() {
        let err =
            parse_json::<Body>(br#"{"name":"a\u0000b","count":1,"kind":"A"}"#, &EN).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "name");
        assert!(parse_json::<Body>(br#"{"name":"a\nb","count":1,"kind":"A"}"#, &EN).is_ok());
    }

    #[test]
    fn malformed_json_is_400() {
        let err = parse_json::<Body>(b"{\"name\": ", &EN).unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err =
            parse_json::<Body>(br#"{"name":"x","count":"many","kind":"A"}"#, &EN).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "count");
    }

    #[test]
    fn missing_field_and_unknown_variant_name_the_field() {
        let err = parse_json::<Body>(br#"{"name":"x","kind":"A"}"#, &EN).unwrap_err();
        assert_eq!(err.details()[0].field, "count");
        let err = parse_json::<Body>(br#"{"name":"x","count":1,"kind":"B"}"#, &EN).unwrap_err();
        assert_eq!(err.details()[0].field, "kind");
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let err = parse_json::<Body>(br#"{"name":"x","count":1,"kind":"A","status":"DONE"}"#, &EN)
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "status");
        assert_eq!(err.details()[0].message, EN.unknown_field);
    }

    #[test]
    fn messages_are_in_the_apps_language() {
        let err =
            parse_json::<Body>(br#"{"name":"x","count":null,"kind":"A"}"#, &KOREAN).unwrap_err();
        assert_eq!(err.details()[0].field, "count");
        assert_eq!(err.details()[0].message, KOREAN.wrong_type);
        assert!(
            err.message.starts_with(KOREAN.validation),
            "{}",
            err.message
        );
        let err = parse_json::<Body>(br#"{"name":"x","kind":"A"}"#, &KOREAN).unwrap_err();
        assert_eq!(err.details()[0].message, KOREAN.required);
        let err = parse_json::<Body>(br#"{"name":"x","count":1,"kind":"Z"}"#, &KOREAN).unwrap_err();
        assert_eq!(err.details()[0].message, KOREAN.invalid_value);
        let err = parse_json::<Body>(b"{\"name\": ", &KOREAN).unwrap_err();
        assert!(
            err.message.starts_with(KOREAN.malformed_json),
            "{}",
            err.message
        );
        assert!(!err.message.contains("EOF"), "{}", err.message);
    }
}

/// The client's address as the connection shows it (the rate limits' key for
/// anonymous callers); unspecified where no connection info exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub std::net::IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        // Set by the platform layer from the connection.
        Ok(parts
            .extensions
            .get::<Self>()
            .copied()
            .unwrap_or(Self(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED))))
    }
}
