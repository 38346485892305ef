//! REST handlers and the WebSocket endpoint: extract, call the service, shape the
//! seed's JSON (Spring style: the object itself on success, the chat envelope on
//! error).

pub mod auth;
pub mod chat;
pub mod couples;
pub mod users;
pub mod ws;

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use platform::ApiError;
use platform::auth::{Auth, JwtKeys, RefreshTokens};
use platform::error::AuthFailure;

use crate::model::{UserClaims, UserId};
use crate::service::Service;
use crate::session::SessionConfig;

/// Handler state, shared by every request.
pub type AppState = platform::app::Shared<State>;

pub struct State {
    pub svc: Service,
    pub refresh: RefreshTokens,
    pub stomp: SessionConfig,
    /// `public_url` setting: the origin in presigned URLs, else the request's Host.
    pub public_url: Option<String>,
    pub image_max_bytes: u64,
}

/// The caller's user id, from a verified access token.
pub struct CurrentUser(pub UserId);

impl<S> FromRequestParts<S> for CurrentUser
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Auth(claims) = Auth::<UserClaims>::from_request_parts(parts, state).await?;
        user_of(&claims.sub)
    }
}

/// A token's subject as a user id (a token of this app always has one).
pub fn user_of(sub: &str) -> Result<CurrentUser, ApiError> {
    sub.parse()
        .map(CurrentUser)
        .map_err(|_| ApiError::unauthorized(AuthFailure::Invalid, "invalid token"))
}
