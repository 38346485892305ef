use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use platform::ApiError;
use platform::error::AuthFailure;
use platform::extract::AppJson;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{AppState, CurrentUser};
use crate::model::{UserClaims, UserRow, UserView};
use crate::service::accounts;

#[derive(Deserialize)]
pub struct SignupRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
pub struct LoginRequest {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshRequest {
    refresh_token: String,
}

#[derive(Serialize)]
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

pub async fn signup(
    State(s): State<AppState>,
    AppJson(req): AppJson<SignupRequest>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let user =
        accounts::sign_up(&s.svc, &s.passwords, &req.email, &req.password, &req.name).await?;
    tracing::info!(user = %user.id, "signed up");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "user": UserView::new(&user, s.svc.tz) })),
    ))
}

fn tokens(s: &AppState, user: &UserRow, refresh: String) -> Result<Value, ApiError> {
    let (access, _) = s.jwt.issue(&user.id.to_string(), UserClaims::default())?;
    Ok(json!({
        "accessToken": access,
        "refreshToken": refresh,
        "tokenType": "Bearer",
        "expiresIn": s.jwt.ttl().as_secs(),
        "user": LoginUser::from(user),
    }))
}

pub async fn login(
    State(s): State<AppState>,
    AppJson(req): AppJson<LoginRequest>,
) -> Result<Json<Value>, ApiError> {
    let user = match accounts::authenticate(&s.svc, &s.passwords, &req.email, &req.password).await {
        Ok(user) => user,
        Err(e) => {
            tracing::info!("login failed");
            return Err(e);
        }
    };
    let refresh = s.refresh.issue(&user.id.to_string()).await?;
    tracing::info!(user = %user.id, "login");
    Ok(Json(tokens(&s, &user, refresh.token)?))
}

pub async fn refresh(
    State(s): State<AppState>,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<Json<Value>, ApiError> {
    let issued = s.refresh.rotate(req.refresh_token.trim()).await?;
    let user = match super::user_of(&issued.subject) {
        Ok(CurrentUser(id)) => crate::store::users::by_id(&s.svc.db, id).await?,
        Err(_) => None,
    };
    let Some(user) = user else {
        s.refresh.revoke(&issued.token).await?;
        return Err(ApiError::unauthorized(
            AuthFailure::Invalid,
            "사용자가 존재하지 않습니다",
        ));
    };
    Ok(Json(tokens(&s, &user, issued.token)?))
}

/// Ends the session of the given refresh token, if it is the caller's.
pub async fn logout(
    State(s): State<AppState>,
    CurrentUser(user): CurrentUser,
    AppJson(req): AppJson<RefreshRequest>,
) -> Result<StatusCode, ApiError> {
    let token = req.refresh_token.trim();
    if s.refresh.subject_of(token).await?.as_deref() == Some(user.to_string().as_str()) {
        s.refresh.revoke(token).await?;
    }
    tracing::info!(user = %user, "logout");
    Ok(StatusCode::NO_CONTENT)
}
