//! Handler extractors: the caller's verified claims, their user id, and a role
//! guard. The token comes from `Authorization: Bearer`; on a WebSocket upgrade
//! `?token=` comes first (browsers cannot set headers on a WebSocket), then the
//! header.

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::jwt::{Claims, JwtKeys};
use crate::error::{ApiError, AuthFailure};

/// The token of a request, if any: on a WebSocket upgrade `?token=`, then
/// `Authorization: Bearer`; otherwise the header only.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    let is_upgrade = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade && let Some(token) = query_token(parts.uri.query()) {
        return Some(token);
    }
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    bearer(value).map(str::to_owned)
}

/// The token of an `Authorization` value of the `Bearer` scheme.
pub fn bearer(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A `Bearer` value or a bare token (STOMP clients send either in CONNECT).
pub fn bearer_or_bare(value: &str) -> &str {
    bearer(value).unwrap_or_else(|| value.trim())
}

/// `token` from a query string.
pub fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

/// A verified caller. Rejects with 401 (missing, invalid or expired token).
#[derive(Debug, Clone)]
pub struct Auth<T>(pub Claims<T>);

impl<S, T> FromRequestParts<S> for Auth<T>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let MaybeAuth(claims) = MaybeAuth::from_request_parts(parts, state).await?;
        claims
            .map(Auth)
            .ok_or_else(|| ApiError::unauthorized(AuthFailure::Missing, ""))
    }
}

/// A caller who may or may not have sent a token: `None` without one, 401 with a
/// bad one (a WebSocket that can also authenticate inside its protocol).
#[derive(Debug, Clone)]
pub struct MaybeAuth<T>(pub Option<Claims<T>>);

impl<S, T> FromRequestParts<S> for MaybeAuth<T>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
    T: DeserializeOwned + Send + Sync + 'static,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match bearer_token(parts) {
            None => Ok(MaybeAuth(None)),
            Some(token) => JwtKeys::from_ref(state)
                .verify::<T>(&token)
                .map(|claims| MaybeAuth(Some(claims)))
                // The app's text for the failure, when rendered.
                .map_err(|why| ApiError::unauthorized(why, "")),
        }
    }
}

/// Claims with nothing beside the registered ones (any extra fields are ignored).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NoClaims {}

/// A verified caller's user id: the token's subject parsed as the app's `Id`.
/// Rejects with 401 like [`Auth`], and when the subject is not an `Id`.
#[derive(Debug, Clone, Copy)]
pub struct Subject<Id>(pub Id);

impl<S, Id> FromRequestParts<S> for Subject<Id>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
    Id: std::str::FromStr + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(claims) = Auth::<NoClaims>::from_request_parts(parts, state).await?;
        claims.subject().map(Subject)
    }
}

/// A role an endpoint requires, over an app's claims.
pub trait Role: Send + Sync + 'static {
    type Claims: DeserializeOwned + Send + Sync + 'static;
    fn allows(claims: &Claims<Self::Claims>) -> bool;
    const DENIED: &'static str = "insufficient permissions";
}

/// A verified caller who has role `R`; else 403.
#[derive(Debug, Clone)]
pub struct Authorized<R: Role>(pub Claims<R::Claims>, PhantomData<R>);

impl<S, R> FromRequestParts<S> for Authorized<R>
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
    R: Role,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(claims) = Auth::<R::Claims>::from_request_parts(parts, state).await?;
        if R::allows(&claims) {
            Ok(Authorized(claims, PhantomData))
        } else {
            Err(ApiError::forbidden(R::DENIED))
        }
    }
}
