use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::auth::Session;
use platform::auth::Subject;
use platform::extract::AppJson;
use serde::{Deserialize, Serialize};

use super::{AppState, CurrentUser};
use crate::model::{UserRow, UserView};
use crate::service::accounts;

#[derive(Deserialize, utoipa::ToSchema)]
pub struct SignupRequest {
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 3,
        max_length = 254,
        pattern = "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$",
        example = "minji@example.com"
    )]
    email: String,
    /// At least 8 characters, at most 72 bytes (bcrypt reads no further).
    #[serde(default)]
    #[schema(required = true, min_length = 8, max_length = 72)]
    password: String,
    /// Shown to the partner; 1-30 characters after trimming.
    #[serde(default)]
    #[schema(required = true, min_length = 1, max_length = 30, pattern = "\\S")]
    name: String,
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
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SignupReply {
    user: UserView,
}

/// The token reply of login and refresh.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Tokens {
    access_token: String,
    refresh_token: String,
    #[schema(example = "Bearer")]
    token_type: &'static str,
    /// Seconds until the access token expires.
    expires_in: u64,
    user: LoginUser,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LoginUser {
    id: crate::model::UserId,
    email: String,
    name: String,
    profile_image: Option<String>,
}

impl From<&UserRow> for LoginUser {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            name: u.name.clone(),
            profile_image: u.profile_image.clone(),
        }
    }
}

/// Creates an account (email, password of 8+ characters with a letter and a digit,
/// name).
#[utoipa::path(post, path = "/auth/signup", tag = "auth", request_body = SignupRequest, responses(
    (status = 201, description = "Created", body = SignupReply),
    (status = 409, description = "The email is taken (`CONFLICT`)")))]
pub async fn signup(
    State(s): State<AppState>,
    AppJson(req): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<SignupReply>), ApiError> {
    let user = accounts::sign_up(
        &s.svc.db,
        s.accounts.passwords(),
        &req.email,
        &req.password,
        &req.name,
    )
    .await?;
    tracing::info!(user = %user.id, "signed up");
    Ok((
        StatusCode::CREATED,
        Json(SignupReply {
            user: UserView::new(&user, s.svc.tz),
        }),
    ))
}

impl From<Session<UserRow>> for Tokens {
    fn from(session: Session<UserRow>) -> Self {
        Tokens {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
            token_type: "Bearer",
            expires_in: session.expires_in.as_secs(),
            user: LoginUser::from(&session.user),
        }
    }
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Logged in", body = Tokens),
    (status = 401, description = "Unknown email or wrong password (`AUTH_FAILED`)")))]
pub async fn login(
    State(s): State<AppState>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Tokens>, ApiError> {
    accounts::check_login(&req.email, &req.password)?;
    Ok(Json(
        s.accounts.login(&req.email, &req.password).await?.into(),
    ))
}

/// Exchanges a refresh token for a new pair (rotation with reuse detection).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "A new pair", body = Tokens),
    (status = 401, description = "Unknown, expired, revoked or reused refresh token")))]
pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Tokens>, ApiError> {
    Ok(Json(s.accounts.refresh(&req.refresh_token).await?.into()))
}

/// Ends the session of the given refresh token, if it is the caller's.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest, security(("bearer" = [])),
    responses((status = 204, description = "Logged out")))]
pub async fn logout(
    State(s): State<AppState>,
    Subject(user): CurrentUser,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    s.accounts
        .logout(&user.to_string(), &req.refresh_token)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
