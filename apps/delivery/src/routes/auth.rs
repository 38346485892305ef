use axum::Json;
use axum::extract::State;
use platform::auth::Auth;
use platform::extract::AppJson;
use platform::time::LocalTime;
use platform::{ApiError, FieldError};
use serde::{Deserialize, Serialize};

use super::{AppState, Done, Reply, done, ok};
use crate::model::{UserClaims, UserRow, UserView};

#[derive(Deserialize, utoipa::ToSchema)]
pub struct LoginRequest {
    user_id: String,
    password: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenPair {
    access_token: String,
    refresh_token: String,
}

/// The login reply carries `token` and `user` beside the envelope (seed II §4.1).
#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginReply {
    success: bool,
    #[schema(value_type = String)]
    message: &'static str,
    token: TokenPair,
    user: UserView,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RefreshData {
    token: TokenPair,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct SessionData {
    authenticated: bool,
    user: UserView,
    expires_at: LocalTime,
}

impl From<&UserRow> for UserView {
    fn from(user: &UserRow) -> Self {
        UserView {
            user_id: user.user_id.clone(),
            user_department: user.user_department,
            user_role: user.user_role,
        }
    }
}

/// Logs in with `user_id` and `password`; returns an access and a refresh token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest, responses(
    (status = 200, description = "Logged in", body = LoginReply),
    (status = 401, description = "Unknown user or wrong password (`INVALID_CREDENTIALS`)")))]
pub async fn login(
    State(s): State<AppState>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<LoginReply>, ApiError> {
    let problems: Vec<FieldError> = [("user_id", &req.user_id), ("password", &req.password)]
        .into_iter()
        .filter(|(_, v)| platform::text::is_blank(v))
        .map(|(field, _)| FieldError {
            field: field.into(),
            message: "필수 항목입니다".into(),
        })
        .collect();
    if !problems.is_empty() {
        return Err(ApiError::validation(
            "아이디와 비밀번호를 입력하세요",
            problems,
        ));
    }
    let session = s.accounts.login(&req.user_id, &req.password).await?;
    Ok(Json(LoginReply {
        success: true,
        message: "로그인 성공",
        user: UserView::from(&session.user),
        token: TokenPair {
            access_token: session.access_token,
            refresh_token: session.refresh_token,
        },
    }))
}

/// Exchanges a refresh token for a new pair; the old one stops working (a reuse
/// after the grace window revokes the whole family).
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest, responses(
    (status = 200, description = "A new token pair", body = Reply<RefreshData>),
    (status = 401, description = "Unknown, expired, revoked or reused refresh token")))]
pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Reply<RefreshData>>, ApiError> {
    let session = s.accounts.refresh(&req.refresh_token).await?;
    Ok(ok(
        "토큰이 갱신되었습니다",
        RefreshData {
            token: TokenPair {
                access_token: session.access_token,
                refresh_token: session.refresh_token,
            },
        },
    ))
}

/// Ends the caller's session: its refresh token stops working.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest, security(("bearer" = [])),
    responses((status = 200, description = "Logged out", body = Done)))]
pub async fn logout(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Done>, ApiError> {
    s.accounts.logout(&claims.sub, &req.refresh_token).await?;
    Ok(done("로그아웃이 완료되었습니다"))
}

/// Whether the access token is valid, whose it is and when it expires.
#[utoipa::path(get, path = "/auth/check-session", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The session", body = Reply<SessionData>)))]
pub async fn check_session(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
) -> Json<Reply<SessionData>> {
    let expires_at = LocalTime::new(claims.expires_at(), s.svc.tz);
    ok(
        "세션이 유효합니다",
        SessionData {
            authenticated: true,
            user: UserView {
                user_id: claims.sub.clone(),
                user_department: claims.extra.department,
                user_role: claims.extra.role,
            },
            expires_at,
        },
    )
}
