use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{Session, Subject};
use platform::extract::{AppJson, ClientAddr};
use platform::ratelimit::RateKey;
use platform::texts::Language;
use serde::{Deserialize, Serialize};

use super::AppState;
use crate::model::{UserId, UserRow, UserView};
use crate::service::users;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignupRequest {
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "minji@example.com")]
    email: String,
    /// 8 characters to 72 bytes.
    #[serde(default)]
    #[schema(required = true, min_length = 8, example = "popcorn-2024")]
    password: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, example = "민지")]
    nickname: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "minji@example.com")]
    email: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    refresh_token: String,
}

/// The token pair of login and refresh.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tokens {
    access_token: String,
    refresh_token: String,
    #[schema(example = "bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 1800)]
    expires_in: u64,
}

impl From<Session<UserRow>> for Tokens {
    fn from(s: Session<UserRow>) -> Self {
        Tokens {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
            token_type: "bearer",
            expires_in: s.expires_in.as_secs(),
        }
    }
}

/// Creates an account. Five a minute per client address.
#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignupRequest,
    responses(
        (status = 201, description = "The new user", body = UserView),
        (status = 409, description = "The e-mail address is taken (`CONFLICT`)"),
        (status = 429, description = "Too many sign-ups from this address (`RATE_LIMITED`)")))]
pub async fn signup(
    State(s): State<AppState>,
    ClientAddr(ip): ClientAddr,
    lang: Language,
    AppJson(req): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    s.signup_limit.check(&RateKey::Client(ip)).await.check()?;
    let user = users::signup(
        &s.svc.db,
        s.accounts.passwords(),
        lang,
        &req.email,
        &req.password,
        &req.nickname,
    )
    .await?;
    tracing::info!(user = %user.id, "signed up");
    Ok((StatusCode::CREATED, Json(UserView::from(&user))))
}

/// Logs in with e-mail and password: an access token (30 minutes) and a refresh
/// token (7 days, one device session). Five attempts a minute per client address.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "A token pair", body = Tokens),
        (status = 401, description = "Unknown e-mail or wrong password (`UNAUTHORIZED`)"),
        (status = 429, description = "Too many attempts from this address (`RATE_LIMITED`)")))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(ip): ClientAddr,
    lang: Language,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Tokens>, ApiError> {
    s.login_limit.check(&RateKey::Client(ip)).await.check()?;
    let mut errors = platform::validate::FieldErrors::new(crate::i18n::field_messages(lang));
    errors.text("email", &req.email, 254);
    if req.password.is_empty() {
        errors.add("password", crate::i18n::field_messages(lang).required);
    }
    errors.finish()?;
    Ok(Json(
        s.accounts.login(&req.email, &req.password).await?.into(),
    ))
}

/// Exchanges a refresh token for a new pair (rotation: the old one stops working;
/// presenting it again after a few seconds ends that session).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = Tokens),
        (status = 401, description = "Unknown, expired, logged-out or reused refresh token")))]
pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Tokens>, ApiError> {
    Ok(Json(s.accounts.refresh(&req.refresh_token).await?.into()))
}

/// Ends the session of the given refresh token at once, if it is the caller's.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn logout(
    State(s): State<AppState>,
    Subject(id): Subject<UserId>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    s.accounts
        .logout(&id.to_string(), &req.refresh_token)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
