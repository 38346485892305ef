use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::{Auth, Session};
use platform::extract::{AppJson, ClientAddr};
use platform::ratelimit::RateKey;
use platform::texts::Language;
use platform::validate::Email;
use serde::{Deserialize, Serialize};

use super::{AppState, Reply, ok};
use crate::model::{UserClaims, UserRow, UserView};
use crate::service::users;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RegisterRequest {
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "minji@example.com")]
    email: String,
    /// At least 8 characters: a letter, a digit and one of `@$!%*#?&`.
    #[serde(default)]
    #[schema(required = true, min_length = 8, pattern = "^[A-Za-z\\d@$!%*#?&]{8,}$")]
    password: String,
    #[serde(default)]
    #[schema(required = true, min_length = 2, max_length = 200)]
    name: String,
    /// `buyer` (default) or `seller`.
    #[schema(example = "buyer")]
    role: Option<String>,
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

/// The token pair of login and refresh (seed §2.2).
#[derive(Serialize, utoipa::ToSchema)]
pub struct Tokens {
    access_token: String,
    refresh_token: String,
}

impl From<Session<UserRow>> for Tokens {
    fn from(s: Session<UserRow>) -> Self {
        Tokens {
            access_token: s.access_token,
            refresh_token: s.refresh_token,
        }
    }
}

/// Creates an account (a buyer unless `role` says `seller`) and sends a welcome
/// mail.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new user", body = Reply<UserView>),
        (status = 409, description = "The e-mail address is taken (`CONFLICT`)")))]
pub async fn register(
    State(s): State<AppState>,
    lang: Language,
    AppJson(req): AppJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Reply<UserView>>), ApiError> {
    let user = users::register(
        &s.svc.db,
        s.accounts.passwords(),
        lang,
        users::Registration {
            email: &req.email,
            password: &req.password,
            name: &req.name,
            role: req.role.as_deref(),
        },
        users::Registrar::Public {
            welcome: &s.svc.mailer,
        },
    )
    .await?;
    tracing::info!(user = %user.id, role = %user.role, "registered");
    Ok((StatusCode::CREATED, ok(UserView::from(&user))))
}

/// Logs in with e-mail and password. Five attempts a minute per client address
/// and per e-mail address.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "A token pair", body = Reply<Tokens>),
        (status = 401, description = "Unknown e-mail or wrong password (`UNAUTHORIZED`)"),
        (status = 429, description = "Too many attempts from this address or for this account (`RATE_LIMITED`)")))]
pub async fn login(
    State(s): State<AppState>,
    ClientAddr(ip): ClientAddr,
    lang: Language,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Reply<Tokens>>, ApiError> {
    let by_address = s.login_limit.check(&RateKey::Client(ip)).await;
    // Spelled as the account is found, so case and spaces open no new budget.
    let account = Email::parse(&req.email).map_or_else(|_| req.email.clone(), Email::into_string);
    let by_account = s.login_limit.check(&RateKey::Account(account)).await;
    by_address.check()?;
    by_account.check()?;
    let mut errors = platform::validate::FieldErrors::new(crate::i18n::field_messages(lang));
    errors.text("email", &req.email, 254);
    if req.password.is_empty() {
        errors.add("password", crate::i18n::field_messages(lang).required);
    }
    errors.finish()?;
    Ok(ok(s
        .accounts
        .login(&req.email, &req.password)
        .await?
        .into()))
}

/// Exchanges a refresh token for a new pair (rotation with reuse detection).
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = Reply<Tokens>),
        (status = 401, description = "Unknown, expired, revoked or reused refresh token")))]
pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Reply<Tokens>>, ApiError> {
    Ok(ok(s.accounts.refresh(&req.refresh_token).await?.into()))
}

/// Ends the session of the given refresh token, if it is the caller's.
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses((status = 200, description = "Logged out", body = Reply<Option<String>>)))]
pub async fn logout(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Reply<Option<String>>>, ApiError> {
    s.accounts.logout(&claims.sub, &req.refresh_token).await?;
    Ok(ok(None))
}
