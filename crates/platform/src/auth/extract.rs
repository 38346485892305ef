//! Handler extractors: the caller's verified claims and a role guard. The token
//! comes from `Authorization: Bearer`, or for WebSocket upgrades from `?token=`
//! (browsers cannot set headers on a WebSocket).

use std::marker::PhantomData;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use super::jwt::{Claims, JwtKeys};
use crate::error::{ApiError, AuthFailure};

/// The bearer token of a request, if any.
pub fn bearer_token(parts: &Parts) -> Option<String> {
    if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
        let value = value.to_str().ok()?;
        let (scheme, token) = value.split_once(' ')?;
        return scheme
            .eq_ignore_ascii_case("bearer")
            .then(|| token.trim().to_owned());
    }
    let is_upgrade = parts
        .headers
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("websocket"));
    if is_upgrade {
        return query_token(parts.uri.query());
    }
    None
}

/// `token` from a query string.
pub fn query_token(query: Option<&str>) -> Option<String> {
    form_urlencoded::parse(query?.as_bytes())
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
}

fn failure_message(why: AuthFailure) -> &'static str {
    match why {
        AuthFailure::Missing => "authentication required",
        AuthFailure::Expired => "token expired",
        AuthFailure::Invalid | AuthFailure::BadCredentials => "invalid token",
    }
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
        let keys = JwtKeys::from_ref(state);
        let token = bearer_token(parts).ok_or_else(|| {
            ApiError::unauthorized(AuthFailure::Missing, failure_message(AuthFailure::Missing))
        })?;
        keys.verify::<T>(&token)
            .map(Auth)
            .map_err(|why| ApiError::unauthorized(why, failure_message(why)))
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
