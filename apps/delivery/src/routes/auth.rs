use axum::Json;
use axum::extract::State;
use platform::auth::Auth;
use platform::error::AuthFailure;
use platform::extract::AppJson;
use platform::time::LocalTime;
use platform::{ApiError, FieldError};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AppState, done, ok};
use crate::model::{UserClaims, UserView};
use crate::store;

#[derive(Deserialize)]
pub struct LoginRequest {
    user_id: String,
    password: String,
}

#[derive(Deserialize)]
pub struct RefreshRequest {
    refresh_token: String,
}

fn bad_login() -> ApiError {
    ApiError::unauthorized(
        AuthFailure::BadCredentials,
        "아이디 또는 비밀번호가 올바르지 않습니다",
    )
}

pub async fn login(
    State(s): State<AppState>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Value>, ApiError> {
    let mut problems = Vec::new();
    for (field, v) in [("user_id", &req.user_id), ("password", &req.password)] {
        if v.trim().is_empty() {
            problems.push(FieldError {
                field: field.into(),
                message: "필수 항목입니다".into(),
            });
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(
            "아이디와 비밀번호를 입력하세요",
            problems,
        ));
    }
    let user = store::users::get(&s.svc.db, req.user_id.trim()).await?;
    let verified = s
        .passwords
        .verify(&req.password, user.as_ref().map(|u| u.password.as_str()))
        .await?;
    let Some(user) = user.filter(|_| verified) else {
        tracing::info!(user_id = %req.user_id.trim(), "login failed");
        return Err(bad_login());
    };
    let (access, _) = s.jwt.issue(
        &user.user_id,
        UserClaims {
            department: user.user_department,
            role: user.user_role,
        },
    )?;
    let refresh = s.refresh.issue(&user.user_id).await?;
    tracing::info!(user_id = %user.user_id, "login");
    Ok(Json(json!({
        "success": true,
        "message": "로그인 성공",
        "token": {"access_token": access, "refresh_token": refresh.token},
        "user": UserView {
            user_id: user.user_id,
            user_department: user.user_department,
            user_role: user.user_role,
        },
    })))
}

pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Value>, ApiError> {
    let issued = s.refresh.rotate(req.refresh_token.trim()).await?;
    let Some(user) = store::users::get(&s.svc.db, &issued.subject).await? else {
        s.refresh.revoke(&issued.token).await?;
        return Err(ApiError::unauthorized(
            AuthFailure::Invalid,
            "사용자가 존재하지 않습니다",
        ));
    };
    let (access, _) = s.jwt.issue(
        &user.user_id,
        UserClaims {
            department: user.user_department,
            role: user.user_role,
        },
    )?;
    tracing::info!(user_id = %user.user_id, "token refreshed");
    Ok(Json(json!({
        "success": true,
        "message": "토큰이 갱신되었습니다",
        "data": {"token": {"access_token": access, "refresh_token": issued.token}},
    })))
}

pub async fn logout(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<super::Reply<()>>, ApiError> {
    // Only the caller's own session can be ended with this call.
    if s.refresh
        .subject_of(req.refresh_token.trim())
        .await?
        .as_deref()
        == Some(claims.sub.as_str())
    {
        s.refresh.revoke(req.refresh_token.trim()).await?;
    }
    tracing::info!(user_id = %claims.sub, "logout");
    Ok(done("로그아웃이 완료되었습니다"))
}

pub async fn check_session(
    State(s): State<AppState>,
    Auth(claims): Auth<UserClaims>,
) -> Json<super::Reply<Value>> {
    let expires_at = LocalTime::new(claims.expires_at(), s.svc.tz);
    ok(
        "세션이 유효합니다",
        json!({
            "authenticated": true,
            "user": UserView {
                user_id: claims.sub.clone(),
                user_department: claims.extra.department,
                user_role: claims.extra.role,
            },
            "expires_at": expires_at,
        }),
    )
}
