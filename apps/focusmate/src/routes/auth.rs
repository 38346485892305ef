use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Session;
use platform::extract::AppJson;
use serde::{Deserialize, Serialize};

use super::{AppState, Reply, ok};
use crate::model::{UserRow, UserView};
use crate::service::users;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RegisterRequest {
    #[serde(default)]
    #[schema(required = true, max_length = 254, example = "jiwoo@example.com")]
    email: String,
    /// 8 characters to 72 bytes.
    #[serde(default)]
    #[schema(required = true, min_length = 8, example = "deep-work-25")]
    password: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, example = "jiwoo")]
    username: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 1, example = "jiwoo@example.com")]
    email: String,
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    password: String,
}

/// Seed §6.1: `{access_token, user}`.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginData {
    access_token: String,
    /// Exchanged at `/api/v1/auth/refresh` for a new pair (7 days, one use).
    refresh_token: String,
    #[schema(example = "bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 86400)]
    expires_in: u64,
    user: UserView,
}

/// Creates an account.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new user", body = Reply<UserView>),
        (status = 409, description = "The e-mail address is taken (`CONFLICT`)"),
        (status = 422, description = "A field is missing or invalid (`VALIDATION_ERROR`)")))]
pub async fn register(
    State(s): State<AppState>,
    AppJson(req): AppJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Reply<UserView>>), ApiError> {
    let user = users::register(
        &s.svc.db,
        s.accounts.passwords(),
        &req.email,
        &req.password,
        &req.username,
    )
    .await?;
    tracing::info!(user = %user.id, "registered");
    Ok((
        StatusCode::CREATED,
        ok(UserView::from(&user), "User registered successfully"),
    ))
}

/// Creates an account (seed §2.4: `POST /api/v1/users`), as `/auth/register`.
#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = RegisterRequest,
    responses(
        (status = 201, description = "The new user", body = Reply<UserView>),
        (status = 409, description = "The e-mail address is taken (`CONFLICT`)")))]
pub async fn create_user(
    state: State<AppState>,
    req: AppJson<RegisterRequest>,
) -> Result<(StatusCode, Json<Reply<UserView>>), ApiError> {
    register(state, req).await
}

/// Logs in with e-mail and password (seed §6.1).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "An access token and the user", body = Reply<LoginData>),
        (status = 401, description = "Unknown e-mail or wrong password (`UNAUTHORIZED`)")))]
pub async fn login(
    State(s): State<AppState>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Reply<LoginData>>, ApiError> {
    let mut errors =
        platform::validate::FieldErrors::new(platform::validate::messages(platform::texts::EN));
    errors.text("email", &req.email, 254);
    if req.password.is_empty() {
        errors.add("password", "required");
    }
    errors.finish()?;
    let session = s.accounts.login(&req.email, &req.password).await?;
    Ok(ok(session.into(), "Login successful"))
}

impl From<Session<UserRow>> for LoginData {
    fn from(session: Session<UserRow>) -> Self {
        LoginData {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
            token_type: "bearer",
            expires_in: session.expires_in.as_secs(),
            user: UserView::from(&session.user),
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    #[serde(default)]
    #[schema(required = true, min_length = 1)]
    refresh_token: String,
}

/// Exchanges a refresh token for a new pair (rotation: the old one stops working).
#[utoipa::path(post, path = "/api/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair and the user", body = Reply<LoginData>),
        (status = 401, description = "Unknown, expired or reused refresh token")))]
pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Reply<LoginData>>, ApiError> {
    let session = s.accounts.refresh(&req.refresh_token).await?;
    Ok(ok(session.into(), "Token refreshed"))
}
