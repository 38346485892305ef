//! Extractors whose failures come back as [`ApiError`]s (so in the app's envelope),
//! naming the offending field where there is one.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use bytes::Bytes;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, ErrorKind, FieldError};

/// A JSON body. Malformed JSON → 400; a well-formed body of the wrong shape (missing
/// field, wrong type, unknown enum value) → 422 with the field's path.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                let mime = v.split(';').next().unwrap_or("").trim();
                mime == "application/json" || mime.ends_with("+json")
            });
        if !is_json {
            return Err(ApiError::new(
                ErrorKind::UnsupportedMediaType,
                "expected a JSON body (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(ErrorKind::PayloadTooLarge, "request body too large")
            } else {
                ApiError::bad_request("could not read the request body")
            }
        })?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses a JSON document into `T` with the error mapping of [`AppJson`].
///
/// Request bodies are JSON objects. serde would also read a struct from an array of
/// its field values in declaration order, which no client means and which the API
/// description does not allow, so a top-level array is refused.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        let message = "invalid type: array, expected a JSON object";
        return Err(ApiError::validation(
            format!("invalid request: {message}"),
            vec![FieldError {
                field: "body".into(),
                message: message.into(),
            }],
        ));
    }
    if let Some(path) = crate::text::json_path_of_forbidden(bytes) {
        let field = if path.is_empty() { "body".into() } else { path };
        return Err(control_characters(field));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        use serde_json::error::Category;
        match inner.classify() {
            Category::Syntax | Category::Eof | Category::Io => {
                ApiError::bad_request(format!("malformed JSON: {inner}"))
            }
            Category::Data => {
                let field = if path == "." {
                    missing_field(&inner)
                } else {
                    Some(path)
                };
                let message = strip_position(&inner.to_string());
                ApiError::validation(
                    format!("invalid request: {message}"),
                    vec![FieldError {
                        field: field.unwrap_or_else(|| "body".into()),
                        message,
                    }],
                )
            }
        }
    })
}

/// A 422 for text holding a control character ([`crate::text`]).
fn control_characters(field: String) -> ApiError {
    ApiError::field(field, CONTROL_CHARACTERS)
}

const CONTROL_CHARACTERS: &str = "control characters are not allowed";

/// serde reports a missing field at the parent's path; the name is in the message.
fn missing_field(err: &serde_json::Error) -> Option<String> {
    let text = err.to_string();
    let rest = text
        .strip_prefix("missing field `")
        .or_else(|| text.strip_prefix("unknown field `"))?;
    Some(rest.split('`').next()?.to_owned())
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
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
            return Err(control_characters(name.clone()));
        }
        let names: Vec<String> = raw.into_iter().map(|(k, _)| k).collect();
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(AppPath(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let kind = e.into_kind();
                let field = path_param_name(&kind, &names).unwrap_or_else(|| "path".into());
                Err(ApiError::field(field, kind.to_string()))
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

/// Query string parameters; bad values → 422 naming the parameter.
#[derive(Debug, Clone, Copy)]
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        if let Some((name, _)) = form_urlencoded_parse(query).find(|(k, v)| {
            crate::text::forbidden_in(k).is_some() || crate::text::forbidden_in(v).is_some()
        }) {
            return Err(control_characters(name.into_owned()));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(query));
        serde_path_to_error::deserialize(de)
            .map(AppQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = err.into_inner().to_string();
                let field = if path == "." {
                    message
                        .strip_prefix("missing field `")
                        .and_then(|r| r.split('`').next())
                        .map(str::to_owned)
                } else {
                    Some(path)
                };
                ApiError::field(field.unwrap_or_else(|| "query".into()), message)
            })
    }
}

fn form_urlencoded_parse(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let err = parse_json::<Body>(br#" ["x", 1, "A"]"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "body");
        assert!(parse_json::<Body>(br#"{"name":"x","count":1,"kind":"A"}"#).is_ok());
    }

    #[test]
    fn control_characters_are_422_on_their_field() {
        let err = parse_json::<Body>(br#"{"name":"a\u0000b","count":1,"kind":"A"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "name");
        assert!(parse_json::<Body>(br#"{"name":"a\nb","count":1,"kind":"A"}"#).is_ok());
    }

    #[test]
    fn malformed_json_is_400() {
        let err = parse_json::<Body>(b"{\"name\": ").unwrap_err();
        assert_eq!(err.kind, ErrorKind::BadRequest);
    }

    #[test]
    fn wrong_type_names_the_field() {
        let err = parse_json::<Body>(br#"{"name":"x","count":"many","kind":"A"}"#).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Validation);
        assert_eq!(err.details()[0].field, "count");
    }

    #[test]
    fn missing_field_and_unknown_variant_name_the_field() {
        let err = parse_json::<Body>(br#"{"name":"x","kind":"A"}"#).unwrap_err();
        assert_eq!(err.details()[0].field, "count");
        let err = parse_json::<Body>(br#"{"name":"x","count":1,"kind":"B"}"#).unwrap_err();
        assert_eq!(err.details()[0].field, "kind");
    }
}
